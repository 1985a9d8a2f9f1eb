package storage

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// The writer runs the write transactions of inTx one after another on the
// single writer connection, in the order they arrive, and commits together
// the use cases that queued up while the previous transaction ran (group
// commit). Each use case runs inside its own SAVEPOINT, so one that fails is
// undone alone and the others in its batch still commit; every caller gets
// its answer only after the commit that holds its rows. Under load this
// turns many small commits (each rewriting the same index pages in the WAL,
// each handing the connection to a randomly chosen waiter) into few larger
// ones; with one use case at a time it is the plain transaction it always was.

// maxBatch bounds how many use cases share one transaction, and so how long
// the first of them waits for the last.
const maxBatch = 32

const (
	savepointBegin    = `SAVEPOINT use_case`
	savepointRelease  = `RELEASE use_case`
	savepointRollback = `ROLLBACK TO use_case`
)

var (
	errClosed = errors.New("storage: the database is closed")
	errGoexit = errors.New("storage: a use case in the same transaction called runtime.Goexit")
)

type writeRequest struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan writeResult
}

// writeResult is what fn returned, or the value it panicked with; the
// panic is raised again in the caller's goroutine.
type writeResult struct {
	err   error
	panic any
}

type writer struct {
	mu     sync.RWMutex // held to read closed and send; Lock to close
	closed bool
	queue  chan *writeRequest
	stop   chan struct{}
	exited chan struct{}
}

func (db *DB) startWriter() {
	w := &writer{queue: make(chan *writeRequest, 4*maxBatch), stop: make(chan struct{}), exited: make(chan struct{})}
	db.writer = w
	go db.writeLoop(w)
}

// stopWriter lets the queued use cases finish and ends the writer.
func (db *DB) stopWriter() {
	w := db.writer
	if w == nil {
		return
	}
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.stop)
	}
	w.mu.Unlock()
	<-w.exited
}

// QueueDepth is how many use cases wait for the writer now.
func (db *DB) QueueDepth() int {
	if db.writer == nil {
		return 0
	}
	return len(db.writer.queue)
}

// submit queues fn for the writer and waits for its outcome.
func (db *DB) submit(ctx context.Context, fn func(tx *Tx) error) error {
	w := db.writer
	req := &writeRequest{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errClosed
	}
	select {
	case w.queue <- req:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	res := <-req.done
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

func (db *DB) writeLoop(w *writer) {
	batch := make([]*writeRequest, 0, maxBatch)
	stopped := false
	defer func() {
		if stopped {
			close(w.exited)
			return
		}
		// A use case ended the goroutine (runtime.Goexit: t.FailNow in a
		// test); its transaction was rolled back. Answer its batch and
		// carry on in a new goroutine, so no caller waits forever.
		for _, r := range batch {
			if r != nil {
				select {
				case r.done <- writeResult{err: errGoexit}:
				default: // answered already
				}
			}
		}
		go db.writeLoop(w)
	}()
	for {
		select {
		case r := <-w.queue:
			batch = append(batch[:0], r)
		case <-w.stop:
			// Closed: no one sends any more; finish what is queued.
			for {
				select {
				case r := <-w.queue:
					batch = append(batch[:0], r)
					db.runBatch(batch)
				default:
					stopped = true
					return
				}
			}
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-w.queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		db.runBatch(batch)
		if db.OnBatch != nil {
			db.OnBatch(len(batch))
		}
		db.kickCheckpointer()
		clear(batch)
	}
}

// writeAttempts is how often a batch runs when PostgreSQL undid it for a
// deadlock or a serialization failure (retryable): the use cases run again,
// from their start, in a new transaction.
const writeAttempts = 3

// runBatch runs the use cases of one batch and answers each caller.
func (db *DB) runBatch(batch []*writeRequest) {
	live := make([]*writeRequest, 0, len(batch))
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil { // the caller gave up while queued
			r.done <- writeResult{err: err}
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	for attempt := 1; ; attempt++ {
		results := make([]writeResult, len(live))
		var err error
		if len(live) == 1 {
			results[0] = db.runAlone(live[0])
			err = results[0].err
		} else {
			err = db.runTogether(live, results)
		}
		if retryable(err) && attempt < writeAttempts {
			time.Sleep(time.Duration(attempt) * 5 * time.Millisecond)
			continue
		}
		for i, r := range live {
			if err != nil && results[i].err == nil && results[i].panic == nil {
				results[i].err = err // nothing of the batch was committed
			}
			r.done <- results[i]
		}
		return
	}
}

// begin starts a transaction on the writer's connection as the database's
// only writer.
func (db *DB) begin(ctx context.Context) (*sql.Tx, error) {
	sqlTx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := db.engine.lockWrites(ctx, sqlTx); err != nil {
		sqlTx.Rollback()
		return nil, err
	}
	return sqlTx, nil
}

// runAlone is one use case in its own transaction.
func (db *DB) runAlone(r *writeRequest) writeResult {
	sqlTx, err := db.begin(r.ctx)
	if err != nil {
		return writeResult{err: err}
	}
	defer sqlTx.Rollback()
	tx := db.newTx(sqlTx, nil, nil)
	if res := callUseCase(tx, r.fn); res.err != nil || res.panic != nil {
		return res
	}
	if err := sqlTx.Commit(); err != nil {
		return writeResult{err: err}
	}
	tx.committed()
	return writeResult{}
}

// runTogether runs the use cases in one transaction, each in a savepoint
// and with its own now, and commits. results gets each one's own outcome;
// the returned error, if any, undid the whole batch (a retryable error of
// one use case does: the batch runs again).
func (db *DB) runTogether(batch []*writeRequest, results []writeResult) error {
	sqlTx, err := db.begin(context.Background())
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	bound, head := map[string]*sql.Stmt{}, &chainHead{}
	var done []*Tx
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		tx := db.newTx(sqlTx, bound, head)
		if _, err := tx.execPrepared(savepointBegin); err != nil {
			return err
		}
		results[i] = callUseCase(tx, r.fn)
		if retryable(results[i].err) {
			return results[i].err
		}
		if results[i].err != nil || results[i].panic != nil {
			// Undo this use case alone; the others stand.
			if _, err := tx.execPrepared(savepointRollback); err != nil {
				return err
			}
			head.known = false // its audit lines are gone
		} else {
			done = append(done, tx)
		}
		if _, err := tx.execPrepared(savepointRelease); err != nil {
			return err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	for _, tx := range done {
		tx.committed()
	}
	return nil
}

func callUseCase(tx *Tx, fn func(tx *Tx) error) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panic: p}
		}
	}()
	return writeResult{err: fn(tx)}
}
