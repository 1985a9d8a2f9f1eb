package storage

import (
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// testdata/before-postgres.db.gz was written by buurtbrug gen (60 made-up
// contacts of 20 persons, the demo logins) before the migrations moved to
// migrations/sqlite; its secret is beforeSecret.
const beforeSecret = "test-secret-0123456789abcdef0123456789abcdef"

func databaseFromBefore(t *testing.T) string {
	t.Helper()
	in, err := os.Open("testdata/before-postgres.db.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "before.db")
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// latestVersion is the newest migration's version (of either engine: they
// have the same).
func latestVersion(t *testing.T) int {
	t.Helper()
	files, err := fs.Glob(migrations, "migrations/sqlite/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatal("no migrations", err)
	}
	v, err := strconv.Atoi(strings.SplitN(path.Base(files[len(files)-1]), "_", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A database written before the migrations were split per engine (at
// version 13) opens as it is, migrated on to the newest: goose records
// versions, not paths.
func TestDatabaseFromBeforeOpens(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, databaseFromBefore(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version, contacts int
	db.Read.QueryRow(`SELECT MAX(version_id) FROM goose_db_version`).Scan(&version)
	db.Read.QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&contacts)
	if want := latestVersion(t); version != want || contacts != 60 {
		t.Errorf("version %d with %d contacts, want %d and 60", version, contacts, want)
	}
	db.SetAuditKey(cases.AuditKey([]byte(beforeSecret)))
	if broken, checked, err := db.VerifyAudit(ctx); err != nil || broken != 0 || checked == 0 {
		t.Errorf("audit chain: broken at %d after %d lines, %v", broken, checked, err)
	}
}

// The move copies every table and checks it; the copy then works as the
// original did: the audit chain holds, the reach figures are the same, new
// rows get new ids. A target that is not empty is refused.
func TestMoveToPostgres(t *testing.T) {
	to := storagetest.EmptyPostgres(t)
	ctx := context.Background()
	from := databaseFromBefore(t)
	// Opened once by this version first (the move refuses an older schema).
	if db, err := Open(ctx, from); err != nil {
		t.Fatal(err)
	} else {
		db.Close()
	}
	var lines []string
	report, err := MoveToPostgres(ctx, from, to, func(s string) { lines = append(lines, s) })
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int64{}
	for _, m := range report.Tables {
		rows[m.Name] = m.Rows
	}
	if report.Version != int64(latestVersion(t)) || rows["contacts"] != 60 || rows["users"] != 12 || rows["audit_log"] == 0 ||
		rows["reach_facts"] == 0 || rows["organisations"] != 16 {
		t.Errorf("report: version %d, rows %v", report.Version, rows)
	}

	src, err := Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	dst.SetAuditKey(cases.AuditKey([]byte(beforeSecret)))
	if broken, checked, err := dst.VerifyAudit(ctx); err != nil || broken != 0 || checked != int(rows["audit_log"]) {
		t.Errorf("audit chain on PostgreSQL: broken at %d after %d of %d lines, %v", broken, checked, rows["audit_log"], err)
	}
	periods := []cases.Period{{Year: 2024, Kind: cases.Year}, {Year: 2025, Kind: cases.Year}}
	want, err := src.View(ctx).Reach().ReachCounts(ctx, periods)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dst.View(ctx).Reach().ReachCounts(ctx, periods)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reach counts differ after the move:\n got %v\nwant %v", got, want)
	}

	// The sequences start past the copied ids.
	worker, err := dst.View(ctx).Users().UserByUsername(ctx, "hoop.worker")
	if err != nil {
		t.Fatal(err)
	}
	dst.Clock = func() time.Time { return time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC) }
	ct, _, err := cases.NewContactService(dst).Create(ctx, worker.Actor(), cases.ContactInput{ID: uuid.NewString(),
		Programme: "hoop", Neighbourhood: "zambesibuurt", Kind: "spreekuur", Anonymous: true, Topics: []string{"taal"}})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := dst.View(ctx).Contacts().Contact(ctx, worker.OrganisationID, ct.ID)
	if err != nil {
		t.Fatal(err)
	}
	var maxSeq int64
	src.Read.QueryRow(`SELECT MAX(rowid) FROM contacts`).Scan(&maxSeq)
	if stored.Seq <= maxSeq {
		t.Errorf("new contact has rowid %d, not past the copied %d", stored.Seq, maxSeq)
	}

	if _, err := MoveToPostgres(ctx, from, to, func(string) {}); err == nil || !strings.Contains(err.Error(), "niet leeg") {
		t.Errorf("a second move into the same database: %v", err)
	}
	if _, err := MoveToPostgres(ctx, to, to, func(string) {}); err == nil {
		t.Error("a move from a URL was not refused")
	}
}
