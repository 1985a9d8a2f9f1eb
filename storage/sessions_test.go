package storage

import (
	"context"
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
		{"a new session", false, func(ctx context.Context, tx *Tx) error {
			if err := tx.Sessions().InsertSession(ctx, session("a")); err != nil {
				return err
			}
			return tx.Sessions().InsertSession(ctx, session("b"))
		}},
		{"a session used", false, func(ctx context.Context, tx *Tx) error {
			return tx.Sessions().TouchSession(ctx, "a", testNow.Add(time.Minute))
		}},
		{"a failed login", false, func(ctx context.Context, tx *Tx) error {
			return tx.Sessions().RecordFailure(ctx, "dock.worker", "127.0.0.1", testNow)
		}},
		{"a display name", false, func(ctx context.Context, tx *Tx) error {
			_, err := tx.Exec(`UPDATE users SET display_name = 'Other' WHERE id = ?`, u.ID)
			return err
		}},
		{"a session ends", true, func(ctx context.Context, tx *Tx) error { return tx.Sessions().DeleteSession(ctx, "a") }},
		{"an account's sessions end", true, func(ctx context.Context, tx *Tx) error {
			return tx.Sessions().DeleteUserSessions(ctx, u.ID)
		}},
		{"switched off", true, func(ctx context.Context, tx *Tx) error { return tx.Users().SetActive(ctx, u.ID, false) }},
		{"a new password", true, func(ctx context.Context, tx *Tx) error { return tx.Users().SetPassword(ctx, u.ID, "new") }},
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

// Outside a transaction the generation is remembered for a while (every
// request reads it), but a commit of this process that changed sessions or
// accounts drops the memory at once, so its own change counts on the next
// request; another process's change is seen when the memory ends. Time is
// not waited for: the tests set how long the memory lasts.
func TestAuthGenerationMemory(t *testing.T) {
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
	rememberLong := func() {
		db.authGen.mu.Lock()
		db.authGen.until = time.Now().Add(time.Hour)
		db.authGen.mu.Unlock()
	}
	first := read()
	if first != storedGeneration(t, db) {
		t.Fatalf("read %d, stored %d", first, storedGeneration(t, db))
	}
	rememberLong()

	// Another process (a second store on the same file) switches the
	// account off: this one still answers from memory.
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mustUpdate(t, other, func(ctx context.Context, tx cases.Tx) error { return tx.Users().SetActive(ctx, u.ID, false) })
	if got := read(); got != first {
		t.Errorf("within the memory: %d, want the remembered %d", got, first)
	}
	// Inside a transaction the generation is read from the database.
	mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error {
		if n, err := tx.Sessions().AuthGeneration(ctx); err != nil || n != first+1 {
			t.Errorf("inside a transaction: %d %v, want %d", n, err, first+1)
		}
		return nil
	})
	// A commit of this process that changes no account keeps the memory.
	mustUpdate(t, db, func(_ context.Context, tx cases.Tx) error {
		return tx.Audit(cases.AuditRecord{Action: "read", Entity: "test"})
	})
	if got := read(); got != first {
		t.Errorf("after an unrelated commit: %d, want the remembered %d", got, first)
	}
	// One that does drops it: the next read sees both changes.
	mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error { return tx.Users().SetActive(ctx, u.ID, true) })
	if got := read(); got != first+2 {
		t.Errorf("after this process's own change: %d, want %d", got, first+2)
	}
	// When the memory ends, another process's change is seen.
	rememberLong()
	mustUpdate(t, other, func(ctx context.Context, tx cases.Tx) error { return tx.Users().SetPassword(ctx, u.ID, "x") })
	db.authGen.mu.Lock()
	db.authGen.until = time.Now().Add(-time.Millisecond)
	db.authGen.mu.Unlock()
	if got := read(); got != first+3 {
		t.Errorf("after the memory ended: %d, want %d", got, first+3)
	}
}

// A read that began before a commit dropped the memory cannot put its
// older value back afterwards.
func TestAuthGenerationMemoryIgnoresReadsFromBeforeACommit(t *testing.T) {
	t.Parallel()
	var c authGenCache
	_, epoch, _ := c.get() // a read begins
	c.forget()             // a commit drops the memory meanwhile
	c.put(7, epoch)        // the read ends with what it read before the commit
	if _, _, fresh := c.get(); fresh {
		t.Error("a value read before the commit is remembered")
	}
	_, epoch, _ = c.get()
	c.put(8, epoch)
	if n, _, fresh := c.get(); !fresh || n != 8 {
		t.Errorf("a read after the commit: %d fresh=%v", n, fresh)
	}
	// An older value never replaces a newer one.
	c.put(6, epoch)
	if n, _, _ := c.get(); n != 8 {
		t.Errorf("remembered %d after an older read, want 8", n)
	}
}
