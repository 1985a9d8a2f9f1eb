package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// insertKey writes a row of the writer_test table in tx.
func insertKey(tx cases.Tx, k string) error {
	_, err := tx.(*Tx).Exec(`INSERT INTO writer_test (k) VALUES (?)`, k)
	return err
}

// noDeadlock runs fn and fails the test if it has not returned long after
// it should have: a watchdog, so a deadlock fails with a message instead of
// hanging until the test binary's timeout. fn runs in another goroutine, so
// it must not call t.Fatal.
func noDeadlock(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s: no answer after a minute (deadlock?)", what)
	}
}

// An Update inside an Update's fn, with its ctx, runs in the same
// transaction: it sees the same tx and time, commits with the outer one and
// is undone with it. With one writer, waiting for a second transaction
// would never end.
func TestUpdateJoinsTheOpenTransaction(t *testing.T) {
	t.Parallel()
	db := openWriterTestDB(t)
	ctx := context.Background()
	errBoom := errors.New("boom")

	// nested runs outer(inner) as nested Updates and returns the outer error.
	nested := func(outerKey, innerKey string, innerErr, outerErr error) error {
		var err error
		noDeadlock(t, "nested Update", func() {
			err = db.Update(ctx, func(ctx context.Context, outer cases.Tx) error {
				if err := insertKey(outer, outerKey); err != nil {
					return err
				}
				ierr := db.Update(ctx, func(ctx context.Context, inner cases.Tx) error {
					if inner != outer || !inner.Now().Equal(outer.Now()) {
						t.Error("the inner Update runs in another transaction")
					}
					if err := insertKey(inner, innerKey); err != nil {
						return err
					}
					return innerErr
				})
				if ierr != nil {
					return ierr
				}
				return outerErr
			})
		})
		return err
	}
	if err := nested("outer", "inner", nil, nil); err != nil {
		t.Fatal(err)
	}
	if keys := writerTestKeys(t, db); fmt.Sprint(keys) != "map[inner:true outer:true]" {
		t.Errorf("committed together: %v", keys)
	}
	if err := nested("outer-2", "inner-2", nil, errBoom); !errors.Is(err, errBoom) {
		t.Errorf("the outer error: %v", err)
	}
	if err := nested("outer-3", "inner-3", errBoom, nil); !errors.Is(err, errBoom) {
		t.Errorf("the inner error: %v", err)
	}
	if keys := writerTestKeys(t, db); len(keys) != 2 {
		t.Errorf("a failed outer or inner Update left rows: %v", keys)
	}

	// Three deep, and the inner View sees the outer writes.
	var err error
	noDeadlock(t, "three nested Updates", func() {
		err = db.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
			if err := insertKey(tx, "one"); err != nil {
				return err
			}
			return db.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
				return db.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
					var n int
					if err := db.View(ctx).(conn).q.QueryRowContext(ctx, `SELECT COUNT(*) FROM writer_test WHERE k = 'one'`).Scan(&n); err != nil || n != 1 {
						t.Errorf("the innermost View does not see the outer write: %d %v", n, err)
					}
					return insertKey(tx, "three")
				})
			})
		})
	})
	if keys := writerTestKeys(t, db); err != nil || !keys["one"] || !keys["three"] {
		t.Errorf("three deep: %v %v", keys, err)
	}
}

// A ctx carrying another database's transaction does not join it: each
// database commits on its own.
func TestUpdateDoesNotJoinAnotherDatabase(t *testing.T) {
	t.Parallel()
	first, second := openWriterTestDB(t), openWriterTestDB(t)
	errBoom := errors.New("boom")
	var err error
	noDeadlock(t, "Update of another database inside an Update", func() {
		err = first.Update(context.Background(), func(ctx context.Context, tx cases.Tx) error {
			if err := insertKey(tx, "first"); err != nil {
				return err
			}
			if err := second.Update(ctx, func(_ context.Context, other cases.Tx) error {
				if other == tx {
					t.Error("the second database joined the first one's transaction")
				}
				return insertKey(other, "second")
			}); err != nil {
				return err
			}
			// The second database committed already: its read pool sees it.
			var n int
			if err := second.View(ctx).(conn).q.QueryRowContext(ctx, `SELECT COUNT(*) FROM writer_test`).Scan(&n); err != nil || n != 1 {
				t.Errorf("the second database's view inside the first's transaction: %d %v", n, err)
			}
			return errBoom
		})
	})
	if !errors.Is(err, errBoom) {
		t.Fatal(err)
	}
	if a, b := writerTestKeys(t, first), writerTestKeys(t, second); len(a) != 0 || !b["second"] {
		t.Errorf("first %v (want none), second %v (want second)", a, b)
	}
}

// View(ctx) inside a transaction reads that transaction, so a use case sees
// its own writes; the read pool sees only what is committed.
func TestViewInsideATransactionSeesItsWrites(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	ctx := context.Background()
	u := &cases.User{Username: "new.user", DisplayName: "New", OrganisationID: orgID(t, db, "dock"),
		Roles: []string{cases.RoleWorker}, Active: true, CreatedAt: testNow, MailPreference: cases.MailImmediate}
	mustUpdate(t, db, func(ctx context.Context, tx cases.Tx) error {
		if err := tx.Users().InsertUser(ctx, u, "hash"); err != nil {
			return err
		}
		got, err := db.View(ctx).Users().UserByUsername(ctx, "new.user")
		if err != nil || got.ID != u.ID || len(got.Roles) != 1 {
			t.Errorf("inside the transaction: %+v %v", got, err)
		}
		if _, err := db.View(context.Background()).Users().UserByUsername(ctx, "new.user"); cases.ErrorCode(err) != cases.ENOTFOUND {
			t.Errorf("the read pool sees an uncommitted account: %v", err)
		}
		return nil
	})
	if got, err := db.View(ctx).Users().UserByUsername(ctx, "new.user"); err != nil || got.ID != u.ID {
		t.Errorf("after the commit: %+v %v", got, err)
	}
}

// A transaction has one time, whatever the clock does meanwhile.
func TestTransactionHasOneTime(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	var mu sync.Mutex
	now := testNow.Add(123456 * time.Microsecond)
	db.Clock = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	mustUpdate(t, db, func(_ context.Context, tx cases.Tx) error {
		start := tx.Now()
		if !start.Equal(testNow.Add(123 * time.Millisecond)) {
			t.Errorf("a transaction's time is %v, want the clock to the millisecond", start)
		}
		mu.Lock()
		now = now.Add(time.Hour)
		mu.Unlock()
		if !tx.Now().Equal(start) {
			t.Error("the transaction's time moved with the clock")
		}
		return nil
	})
}
