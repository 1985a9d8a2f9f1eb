package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// The driver's errors reach the use cases as domain errors: a taken unique
// value as EINVALID on its input field, other duplicates and missing
// references as ECONFLICT.
func TestDomainErrorsOfConstraints(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	ctx := context.Background()
	worker := addUser(t, db, "dock", "dock.worker", cases.RoleWorker)
	session := cases.StoredSession{TokenHash: "hash", UserID: worker.ID, CSRFToken: "csrf", CreatedAt: testNow,
		LastSeenAt: testNow, ExpiresAt: testNow.Add(time.Hour)}
	mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error { return tx.Sessions().InsertSession(ctx, session) })

	for _, tc := range []struct {
		name   string
		write  func(ctx context.Context, tx cases.Tx) error
		code   string
		detail string // the field of an EINVALID, else the message
	}{
		{"a taken username", func(ctx context.Context, tx cases.Tx) error {
			return tx.Users().InsertUser(ctx, &cases.User{Username: "dock.worker", DisplayName: "Again",
				OrganisationID: worker.OrganisationID, Active: true, CreatedAt: testNow, MailPreference: cases.MailImmediate}, "hash")
		}, cases.EINVALID, "username"},
		{"a taken topic", func(ctx context.Context, tx cases.Tx) error {
			return tx.References().AddTerm(ctx, cases.ListTopics, cases.TermInput{Slug: "schulden", NameNL: "S", NameEN: "D"})
		}, cases.EINVALID, "slug"},
		{"a taken organisation", func(ctx context.Context, tx cases.Tx) error {
			return tx.References().AddOrganisation(ctx, cases.OrganisationInput{Slug: "dock", Name: "DOCK"})
		}, cases.EINVALID, "slug"},
		{"a taken programme", func(ctx context.Context, tx cases.Tx) error {
			return tx.References().AddProgramme(ctx, cases.ProgrammeInput{Slug: "hoop", Name: "HOOP"}, worker.OrganisationID)
		}, cases.EINVALID, "slug"},
		{"a duplicate without an input field", func(ctx context.Context, tx cases.Tx) error {
			return tx.Sessions().InsertSession(ctx, session)
		}, cases.ECONFLICT, "duplicate"},
		{"a missing reference", func(ctx context.Context, tx cases.Tx) error {
			s := session
			s.TokenHash, s.UserID = "other", 99999
			return tx.Sessions().InsertSession(ctx, s)
		}, cases.ECONFLICT, "reference_missing"},
	} {
		err := db.Update(ctx, tc.write)
		var e *cases.Error
		switch {
		case !errors.As(err, &e) || e.Code != tc.code:
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		case tc.code == cases.EINVALID && (len(e.Fields) != 1 || e.Fields[0].Field != tc.detail || e.Fields[0].Tag != "taken"):
			t.Errorf("%s: %+v, want %s taken", tc.name, e.Fields, tc.detail)
		case tc.code != cases.EINVALID && e.Message != tc.detail:
			t.Errorf("%s: message %q, want %q", tc.name, e.Message, tc.detail)
		}
	}
}

// A busy or read-only database is EUNAVAILABLE: try again later. Both
// errors come from the driver itself: another connection holds a lock the
// asking one does not wait for (on SQLite the write lock of the file, on
// PostgreSQL a table's lock asked for with NOWAIT), or a read-only
// connection writes.
func TestDomainErrorsOfAnUnavailableDatabase(t *testing.T) {
	t.Parallel()
	db, dsn := openTestDBFile(t)
	driver, rawDSN, lock := "sqlite", "file:"+dsn+"?_pragma=busy_timeout(0)&_txlock=immediate", ""
	if storagetest.Postgres() {
		driver, rawDSN, lock = "pgx", dsn, `LOCK TABLE login_failures IN EXCLUSIVE MODE NOWAIT`
	}
	raw := func() *sql.DB {
		c, err := sql.Open(driver, rawDSN)
		if err != nil {
			t.Fatal(err)
		}
		c.SetMaxOpenConns(1)
		t.Cleanup(func() { c.Close() })
		return c
	}
	// begin starts a transaction that holds the lock (SQLite: by beginning).
	begin := func() (*sql.Tx, error) {
		tx, err := raw().Begin()
		if err == nil && lock != "" {
			if _, err = tx.Exec(lock); err != nil {
				tx.Rollback()
			}
		}
		return tx, err
	}
	holder, err := begin()
	if err != nil {
		t.Fatal(err)
	}
	_, busy := begin()
	// Released at once: the store's own writer would wait for it.
	holder.Rollback()
	if busy == nil {
		t.Fatal("a second writer got the lock")
	}
	wantUnavailable := func(what string, err error, message string) {
		t.Helper()
		var e *cases.Error
		if !errors.As(err, &e) || e.Code != cases.EUNAVAILABLE || e.Message != message {
			t.Errorf("%s: %v, want EUNAVAILABLE %s", what, err, message)
		}
	}
	wantUnavailable("busy", domainError(busy), "busy")
	wantUnavailable("busy, wrapped", domainError(fmt.Errorf("begin: %w", busy)), "busy")
	// Update maps what its use case returns.
	wantUnavailable("busy, through Update", db.Update(context.Background(), func(context.Context, cases.Tx) error { return busy }), "busy")

	_, readOnly := db.Read.Exec(`INSERT INTO login_failures (username, address, at) VALUES ('a', 'b', 'c')`)
	wantUnavailable("read-only", domainError(readOnly), "read_only")

	// Anything else passes unchanged: an internal error.
	plain := errors.New("plain")
	if got := domainError(plain); got != plain {
		t.Errorf("a plain error became %v", got)
	}
	if got := domainError(context.Canceled); got != context.Canceled {
		t.Errorf("context.Canceled became %v", got)
	}
	if domainError(nil) != nil {
		t.Error("nil became an error")
	}
}
