package storage

import (
	"context"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// TestMain runs the tests on SQLite and, with BUURTBRUG_TEST_POSTGRES, on
// PostgreSQL too.
func TestMain(m *testing.M) { storagetest.Main(m, migrateNew) }

// migrateNew makes the schema of a new database.
func migrateNew(ctx context.Context, dsn string) error {
	db, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	return db.Close()
}

// beginTx starts a write transaction beside the writer, for tests that
// write rows the way a bulk tool or an older version would. Nothing else
// may write meanwhile: the single connection waits for it.
func (db *DB) beginTx(ctx context.Context) (*Tx, error) {
	sqlTx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	return db.newTx(sqlTx, nil, nil), nil
}

// testNow is the fixed clock of openTestDB: a Wednesday.
var testNow = time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)

// openTestDB opens a fresh database of the engine under test (a SQLite
// file, or a PostgreSQL database on the second run) with the seeded
// reference data, its clock fixed at testNow.
func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, _ := openTestDBFile(t)
	return db
}

// openTestDBFile is openTestDB, also returning the database's DSN (the
// file's path on SQLite), for a test that opens it a second time.
func openTestDBFile(t *testing.T) (*DB, string) {
	t.Helper()
	dsn := storagetest.DSN(t, "storage")
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Clock = func() time.Time { return testNow }
	return db, dsn
}

// mustUpdate runs fn in a write transaction, failing the test on an error.
func mustUpdate(t *testing.T, db *DB, fn func(ctx context.Context, tx cases.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// orgID is the ID of a seeded organisation.
func orgID(t *testing.T, db *DB, slug string) int64 {
	t.Helper()
	o, ok := db.ref.get().Organisation(slug)
	if !ok {
		t.Fatalf("no organisation %s", slug)
	}
	return o.ID
}

// addUser stores an active account of organisation org with roles.
func addUser(t *testing.T, db *DB, org, username string, roles ...string) *cases.User {
	t.Helper()
	u := &cases.User{Username: username, DisplayName: username, OrganisationID: orgID(t, db, org),
		OrganisationSlug: org, Roles: roles, Active: true, CreatedAt: testNow, MailPreference: cases.DefaultMailPreference(roles)}
	mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error { return tx.Users().InsertUser(ctx, u, "hash") })
	return u
}
