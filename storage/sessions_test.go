package storage

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// storedGeneration reads the auth generation from the database itself.
func storedGeneration(t *testing.T, db *DB) int64 {
	t.Helper()
	var n int64
	if err := db.Read.QueryRow(`SELECT n FROM auth_generation WHERE id = 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The auth generation moves on with every change that ends a session or
// changes who may do what (triggers, so any process's change counts), and
// with nothing else.
func TestAuthGenerationMovesOnAuthChanges(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	before := storedGeneration(t, db)
	u := addUser(t, db, "dock", "dock.worker", cases.RoleWorker, cases.RoleCoordinator)
	// The account and each of its two roles.
	if got := storedGeneration(t, db); got != before+3 {
		t.Errorf("a new account with two roles: %d, want %d", got, before+3)
	}
	session := func(hash string) cases.StoredSession {
		return cases.StoredSession{TokenHash: hash, UserID: u.ID, CSRFToken: "csrf", CreatedAt: testNow, LastSeenAt: testNow,
			ExpiresAt: testNow.Add(time.Hour)}
	}
	for _, tc := range []struct {
		name  string
		moves bool
		write func(ctx context.Context, tx *Tx) error
	}{
		{"new sessions", false, func(ctx context.Context, tx *Tx) error {
			for _, hash := range []string{"a", "b", "c"} {
				if err := tx.Sessions().InsertSession(ctx, session(hash)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"a session used", false, func(ctx context.Context, tx *Tx) error {
			return tx.Sessions().TouchSession(ctx, "a", testNow.Add(time.Minute))
		}},
		{"a failed login, forgotten", false, func(ctx context.Context, tx *Tx) error {
			id, err := tx.Sessions().RecordFailure(ctx, "dock.worker", "127.0.0.1", testNow)
			if err != nil {
				return err
			}
			return tx.Sessions().ForgetFailure(ctx, id)
		}},
		{"failed logins cleared", false, func(ctx context.Context, tx *Tx) error {
			return tx.Sessions().ClearFailures(ctx, "dock.worker", "")
		}},
		{"a display name", false, func(ctx context.Context, tx *Tx) error {
			_, err := tx.Exec(`UPDATE users SET display_name = 'Other' WHERE id = ?`, u.ID)
			return err
		}},
		{"a session ends", true, func(ctx context.Context, tx *Tx) error { return tx.Sessions().DeleteSession(ctx, "a") }},
		{"an account's other sessions end", true, func(ctx context.Context, tx *Tx) error {
			return tx.Sessions().DeleteUserSessions(ctx, u.ID, "b")
		}},
		{"the kept session is still there", false, func(ctx context.Context, tx *Tx) error {
			if _, err := tx.Sessions().Session(ctx, "b"); err != nil {
				return err
			}
			return tx.Sessions().DeleteUserSessions(ctx, u.ID, "b") // nothing left to end
		}},
		{"switched off", true, func(ctx context.Context, tx *Tx) error { return tx.Users().SetActive(ctx, u.ID, false) }},
		{"a new password", true, func(ctx context.Context, tx *Tx) error { return tx.Users().SetPassword(ctx, u.ID, "new", false) }},
		{"must change the password", true, func(ctx context.Context, tx *Tx) error { return tx.Users().SetMustChange(ctx, u.ID, true) }},
		{"an address and mail preference", true, func(ctx context.Context, tx *Tx) error {
			return tx.Users().SetContactDetails(ctx, u.ID, cases.ContactDetails{Email: "dock.worker@example.org",
				MailPreference: cases.MailDigest})
		}},
		{"a role taken away", true, func(ctx context.Context, tx *Tx) error {
			_, err := tx.Exec(`DELETE FROM user_roles WHERE user_id = ? AND role = ?`, u.ID, cases.RoleCoordinator)
			return err
		}},
		{"a username", true, func(ctx context.Context, tx *Tx) error {
			_, err := tx.Exec(`UPDATE users SET username = 'dock.renamed' WHERE id = ?`, u.ID)
			return err
		}},
	} {
		was := storedGeneration(t, db)
		mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error { return tc.write(ctx, tx.(*Tx)) })
		if moved := storedGeneration(t, db) > was; moved != tc.moves {
			t.Errorf("%s: the generation moved %v, want %v", tc.name, moved, tc.moves)
		}
	}
}

// The generation is read from the database on every request, never
// remembered: a change made by another process (the command line, a
// second server) counts at once, as does this process's own, inside a
// transaction and outside.
func TestAuthGenerationIsReadFresh(t *testing.T) {
	t.Parallel()
	db, path := openTestDBFile(t)
	ctx := context.Background()
	u := addUser(t, db, "dock", "dock.worker", cases.RoleWorker)
	read := func() int64 {
		t.Helper()
		n, err := db.View(ctx).Sessions().AuthGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	first := read()
	if first != storedGeneration(t, db) {
		t.Fatalf("read %d, stored %d", first, storedGeneration(t, db))
	}
	// Another process (a second store on the same file) switches the
	// account off: this one sees it on its next read.
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mustUpdate(t, other, func(ctx context.Context, tx cases.Tx) error { return tx.Users().SetActive(ctx, u.ID, false) })
	if got := read(); got != first+1 {
		t.Errorf("after another process's change: %d, want %d", got, first+1)
	}
	// Inside a transaction the generation is the transaction's own.
	mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error {
		if err := tx.Users().SetActive(ctx, u.ID, true); err != nil {
			return err
		}
		if n, err := tx.Sessions().AuthGeneration(ctx); err != nil || n != first+2 {
			t.Errorf("inside the changing transaction: %d %v, want %d", n, err, first+2)
		}
		return nil
	})
	if got := read(); got != first+2 {
		t.Errorf("after this process's own change: %d, want %d", got, first+2)
	}
	// A commit that changes no account leaves it.
	mustUpdate(t, db, func(_ context.Context, tx cases.Tx) error {
		return tx.Audit(cases.AuditRecord{Action: "read", Entity: "test"})
	})
	if got := read(); got != first+2 {
		t.Errorf("after an unrelated commit: %d, want %d", got, first+2)
	}
}

// Reads that run beside commits never answer a generation older than the
// last commit that returned before the read began.
func TestAuthGenerationNeverStaleAfterACommit(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	ctx := context.Background()
	u := addUser(t, db, "dock", "dock.worker", cases.RoleWorker)
	var committed atomic.Int64
	committed.Store(storedGeneration(t, db))
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				floor := committed.Load()
				n, err := db.View(ctx).Sessions().AuthGeneration(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n < floor {
					t.Errorf("read generation %d after a commit of %d", n, floor)
					return
				}
			}
		}()
	}
	for i := range 50 {
		mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error { return tx.Users().SetActive(ctx, u.ID, i%2 == 1) })
		committed.Store(storedGeneration(t, db))
	}
	close(done)
	wg.Wait()
}
