package storage

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

func openWriterTestDB(t *testing.T) *DB {
	t.Helper()
	db := openTestDB(t)
	if _, err := db.Write.Exec(`CREATE TABLE writer_test (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func writerTestKeys(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	rows, err := db.Read.Query(`SELECT k FROM writer_test`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys[k] = true
	}
	return keys
}

// Use cases that queue while the writer is busy share one transaction; one
// that fails or panics is undone alone, and each caller gets its own answer
// only after the commit.
func TestWriterBatchUndoesOnlyTheFailingUseCase(t *testing.T) {
	t.Parallel()
	db := openWriterTestDB(t)
	ctx := context.Background()

	// Hold the writer until the others have queued.
	release := make(chan struct{})
	held := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = db.submit(ctx, func(tx *Tx) error {
			close(held)
			<-release
			_, err := tx.Exec(`INSERT INTO writer_test (k) VALUES ('first')`)
			return err
		})
	}()
	<-held

	errBoom := errors.New("boom")
	type outcome struct {
		err      error
		panicked any
		tx       string
	}
	useCases := []struct {
		key  string
		fail string // "", "error", "duplicate", "panic"
	}{
		{"a", ""}, {"b", "error"}, {"c", ""}, {"a", "duplicate"}, {"d", "panic"}, {"e", ""},
	}
	outcomes := make([]outcome, len(useCases))
	for i, c := range useCases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { outcomes[i].panicked = recover() }()
			outcomes[i].err = db.submit(ctx, func(tx *Tx) error {
				outcomes[i].tx = fmt.Sprintf("%p", tx.Tx)
				if _, err := tx.Exec(`INSERT INTO writer_test (k) VALUES (?)`, c.key+"-"+c.fail); err != nil {
					return err
				}
				// Each writes an audit line first: the batch chains the
				// lines it keeps, not the ones undone.
				if err := tx.Audit(cases.AuditRecord{Action: "test", Entity: "writer_test", EntityID: c.key}); err != nil {
					return err
				}
				_, err := tx.Exec(`INSERT INTO writer_test (k) VALUES (?)`, c.key)
				switch {
				case err != nil:
					return err
				case c.fail == "error":
					return errBoom
				case c.fail == "panic":
					panic("use case panicked")
				}
				return nil
			})
		}()
		// Queue them in order, all while the writer is held.
		for deadline := time.Now().Add(5 * time.Second); len(db.writer.queue) < i+1; {
			if time.Now().After(deadline) {
				t.Fatalf("use case %d did not queue", i)
			}
			time.Sleep(time.Millisecond)
		}
	}
	close(release)
	wg.Wait()

	for i, c := range useCases {
		o := outcomes[i]
		if o.tx != outcomes[0].tx {
			t.Errorf("use case %d ran in transaction %s, want the batch's %s", i, o.tx, outcomes[0].tx)
		}
		switch c.fail {
		case "":
			if o.err != nil || o.panicked != nil {
				t.Errorf("%s: err %v, panic %v", c.key, o.err, o.panicked)
			}
		case "error":
			if !errors.Is(o.err, errBoom) {
				t.Errorf("%s: err %v, want boom", c.key, o.err)
			}
		case "duplicate":
			if o.err == nil {
				t.Errorf("%s again: no error", c.key)
			}
		case "panic":
			if o.panicked != "use case panicked" {
				t.Errorf("%s: panic %v, want the use case's", c.key, o.panicked)
			}
		}
	}
	want := map[string]bool{"first": true, "a": true, "a-": true, "c": true, "c-": true, "e": true, "e-": true}
	got := writerTestKeys(t, db)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	var lines int
	if err := db.Read.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'test'`).Scan(&lines); err != nil || lines != 3 {
		t.Errorf("%d audit lines of the use cases (%v), want the 3 kept", lines, err)
	}
	if broken, _, err := db.VerifyAudit(ctx); err != nil || broken != 0 {
		t.Errorf("the audit chain breaks at line %d (%v)", broken, err)
	}
}

// A caller that gave up while queued is told so, and its use case never runs.
func TestWriterSkipsCancelledUseCases(t *testing.T) {
	t.Parallel()
	db := openWriterTestDB(t)
	release := make(chan struct{})
	held := make(chan struct{})
	go func() {
		_ = db.submit(context.Background(), func(tx *Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- db.submit(ctx, func(tx *Tx) error {
			_, err := tx.Exec(`INSERT INTO writer_test (k) VALUES ('late')`)
			return err
		})
	}()
	for len(db.writer.queue) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	close(release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if keys := writerTestKeys(t, db); len(keys) != 0 {
		t.Errorf("rows %v, want none", keys)
	}
}

func TestWriterAfterClose(t *testing.T) {
	t.Parallel()
	db := openWriterTestDB(t)
	if err := db.submit(context.Background(), func(tx *Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.submit(context.Background(), func(tx *Tx) error { return nil }); !errors.Is(err, errClosed) {
		t.Errorf("after Close: %v, want errClosed", err)
	}
}

// A use case that ends its goroutine (t.FailNow inside inTx) fails alone; the
// writer carries on.
func TestWriterSurvivesGoexit(t *testing.T) {
	t.Parallel()
	db := openWriterTestDB(t)
	err := db.submit(context.Background(), func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO writer_test (k) VALUES ('gone')`); err != nil {
			return err
		}
		runtime.Goexit()
		return nil
	})
	if !errors.Is(err, errGoexit) {
		t.Errorf("err %v, want errGoexit", err)
	}
	if err := db.submit(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO writer_test (k) VALUES ('after')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if keys := writerTestKeys(t, db); fmt.Sprint(keys) != "map[after:true]" {
		t.Errorf("rows %v, want only after", keys)
	}
}
