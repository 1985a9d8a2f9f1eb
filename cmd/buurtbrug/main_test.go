package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/app"
)

// The command line as an operator uses it: accounts with an address and
// phone, and the partner directory out to a file and back.
func TestCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.db")
	t.Setenv("BUURTBRUG_PASSWORD", "een-lang-wachtwoord")
	t.Setenv("BUURTBRUG_SECRET", "test-secret-0123456789abcdef0123456789abcdef")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := run([]string{"user", "add", "--db", db, "--username", "j.jansen", "--org", "al-amal", "--roles", "coordinator",
		"--email", "j.jansen@al-amal.example", "--phone", "030 000 01 13"}, log); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"user", "add", "--db", db, "--username", "k.fout", "--org", "al-amal", "--email", "geen"}, log); err == nil ||
		!strings.Contains(err.Error(), "email") {
		t.Errorf("a bad address: %v", err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DBPath: db, Log: log})
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

	file := filepath.Join(t.TempDir(), "partners.json")
	if err := run([]string{"partners", "export", "--db", db, file}, log); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(data), `"number": "030 000 07 21"`) {
		t.Fatalf("export: %v %.200s", err, data)
	}
	other := filepath.Join(t.TempDir(), "other.db")
	if err := run([]string{"partners", "import", "--db", other, file}, log); err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(t.TempDir(), "again.json")
	if err := run([]string{"partners", "export", "--db", other, again}, log); err != nil {
		t.Fatal(err)
	}
	if back, _ := os.ReadFile(again); string(back) != string(data) {
		t.Error("the directory changed on its way through export and import")
	}
	broken := filepath.Join(t.TempDir(), "broken.json")
	os.WriteFile(broken, []byte(strings.Replace(string(data), `"opens_at": "09:00"`, `"opens_at": "9 uur"`, 1)), 0o600)
	err = run([]string{"partners", "import", "--db", other, broken}, log)
	if err == nil || !strings.Contains(err.Error(), "contents[") || !strings.Contains(err.Error(), "hours[0].opens: clock") {
		t.Errorf("a broken file: %v", err)
	}
	if err := run([]string{"partners", "import", "--db", other}, log); err == nil {
		t.Error("import without a file")
	}
}
