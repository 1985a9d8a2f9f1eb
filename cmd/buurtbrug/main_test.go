package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/app"
)

// TestPartnerCommands: accounts with an address and phone, and the partner
// directory out to a file and back, as an operator uses them.
func TestPartnerCommands(t *testing.T) {
	dir := t.TempDir()
	pw := []string{"BUURTBRUG_PASSWORD=een-lang-wachtwoord"}
	if r := buurtbrug(t, dir, pw, "", "user", "add", "--db", "b.db", "--username", "j.jansen", "--org", "al-amal",
		"--roles", "coordinator", "--email", "j.jansen@al-amal.example", "--phone", "030 000 01 13"); r.code != 0 {
		t.Fatalf("user add: %d %s", r.code, r.stderr)
	}
	if r := buurtbrug(t, dir, pw, "", "user", "add", "--db", "b.db", "--username", "k.fout", "--org", "al-amal",
		"--email", "geen"); r.code != 1 || !strings.Contains(r.stderr, "E-mail") && !strings.Contains(r.stderr, "e-mail") {
		t.Errorf("a bad address: %d %s", r.code, r.stderr)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DBPath: filepath.Join(dir, "b.db"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Users.ByUsername(ctx, "j.jansen")
	if err != nil || u.Email != "j.jansen@al-amal.example" || u.Phone != "030 000 01 13" || u.MailPreference != cases.MailDigest {
		t.Errorf("account: %+v %v", u, err)
	}
	if _, err := a.Directory.SaveService(ctx, cases.System, "werkwinkel", "", cases.PartnerServiceInput{Name: "Werkwinkel",
		Phone: "030 000 07 21", Hours: []cases.OpeningSpan{{Day: "mo", Opens: "09:00", Closes: "17:00"}}}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	if r := buurtbrug(t, dir, nil, "", "partners", "export", "--db", "b.db", "partners.json"); r.code != 0 {
		t.Fatalf("export: %d %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "partners.json"))
	if err != nil || !strings.Contains(string(data), `"number": "030 000 07 21"`) {
		t.Fatalf("export: %v %.200s", err, data)
	}
	if r := buurtbrug(t, dir, nil, "", "partners", "import", "--db", "other.db", "partners.json"); r.code != 0 ||
		!strings.Contains(r.stdout, "partnergids ingelezen") {
		t.Fatalf("import: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := buurtbrug(t, dir, nil, "", "partners", "export", "--db", "other.db", "again.json"); r.code != 0 {
		t.Fatalf("export again: %s", r.stderr)
	}
	if back, _ := os.ReadFile(filepath.Join(dir, "again.json")); string(back) != string(data) {
		t.Error("the directory changed on its way through export and import")
	}
	broken := strings.Replace(string(data), `"opens_at": "09:00"`, `"opens_at": "9 uur"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	r := buurtbrug(t, dir, nil, "", "partners", "import", "--db", "other.db", "broken.json")
	if r.code != 1 || !strings.Contains(r.stderr, "contents[") || !strings.Contains(r.stderr, "hours[0].opens: clock") {
		t.Errorf("a broken file: %d %s", r.code, r.stderr)
	}
	if r := buurtbrug(t, dir, nil, "", "partners", "import", "--db", "other.db"); r.code != 2 {
		t.Errorf("import without a file: %d %s", r.code, r.stderr)
	}
}

// TestReachAuditCommand: reach audit checks every release of a year
// together and shows what the protection hid; a year without releases says
// so, a wrong year is a usage error.
func TestReachAuditCommand(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, nil, "--db", "r.db", "--demo", "--quiet")
	s.stop(t)
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DBPath: filepath.Join(dir, "r.db"), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().Year()
	for _, p := range []cases.Period{{Year: year, Kind: cases.Quarter, N: 1}, {Year: year, Kind: cases.Half, N: 1}, {Year: year, Kind: cases.Year}} {
		if _, err := a.Reach.Publish(ctx, cases.System, p); err != nil {
			t.Fatalf("publish %s: %v", p, err)
		}
	}
	a.Close()
	r := buurtbrug(t, dir, nil, "", "reach", "audit", "--db", "r.db", "--year", strconv.Itoa(year))
	if r.code != 0 || !strings.Contains(r.stdout, "3 publicaties en concepten") || !strings.Contains(r.stdout, "T1 ") ||
		!strings.Contains(r.stdout, "all ") {
		t.Errorf("reach audit: %d %s %s", r.code, r.stdout, r.stderr)
	}
	t.Log(r.stdout)
	if r := buurtbrug(t, dir, nil, "", "reach", "audit", "--db", "r.db", "--year", "2001"); r.code != 0 || !strings.Contains(r.stdout, "geen publicaties") {
		t.Errorf("reach audit of a year without releases: %d %s %s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range [][]string{{"reach", "audit", "--db", "r.db", "--year", "twintig"}, {"reach", "--db", "r.db"}} {
		if r := buurtbrug(t, dir, nil, "", bad...); r.code != 2 {
			t.Errorf("%v: %d %s", bad, r.code, r.stderr)
		}
	}
}
