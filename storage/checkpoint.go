package storage

import (
	"context"
	"time"
)

// Checkpoints copy the WAL back into the database file. SQLite runs them in
// the commit that crosses wal_autocheckpoint pages, so by default the one
// writer connection stopped every thousand pages to copy pages and fsync,
// and every queued write waited (commits of 15-25 ms under load). A
// background checkpointer on a read connection does the copying now
// (PASSIVE: it never blocks the writer or readers), right after each commit
// of the writer and at least every checkpointEvery. It cannot restart the
// WAL while writes keep coming, so the writer's own automatic checkpoint
// stays, every writerAutoCheckpoint pages: by then it only copies the pages
// of the last few commits, and the next write starts the WAL file from the
// beginning again (the file stays near 16 MiB).
const (
	checkpointEvery      = 250 * time.Millisecond
	checkpointGap        = 2 * time.Millisecond // at least between two passes
	writerAutoCheckpoint = 4000                 // pages (4 KiB): in the writer's DSN
)

type checkpointer struct {
	kick     chan struct{}
	truncate chan struct{}
	stop     chan struct{}
	exited   chan struct{}
}

func (db *DB) startCheckpointer() {
	c := &checkpointer{kick: make(chan struct{}, 1), truncate: make(chan struct{}, 1), stop: make(chan struct{}),
		exited: make(chan struct{})}
	db.checkpointer = c
	go func() {
		defer close(c.exited)
		tick := time.NewTicker(checkpointEvery)
		defer tick.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-tick.C:
			case <-c.kick:
			case <-c.truncate:
				db.emptyWAL()
				continue
			}
			db.checkpoint()
			time.Sleep(checkpointGap)
		}
	}()
}

// kickCheckpointer asks for a pass soon; the writer calls it after commits.
func (db *DB) kickCheckpointer() {
	if c := db.checkpointer; c != nil {
		select {
		case c.kick <- struct{}{}:
		default: // one is due already
		}
	}
}

// checkpoint copies what the WAL holds into the database file, as far as
// readers allow. A failure is left to the next round or the fallback.
func (db *DB) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var busy, logFrames, copied int
	_ = db.Read.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &copied)
}

// scrubWAL asks for the WAL to be emptied soon: after an erasure, its
// frames from before still hold the erased values (secure_delete zeroes
// them in the database file, not in the log).
func (db *DB) scrubWAL() {
	if c := db.checkpointer; c != nil {
		select {
		case c.truncate <- struct{}{}:
		default:
		}
	}
}

// emptyWAL checkpoints everything and truncates the WAL to nothing. On the
// writer connection, so it waits its turn between writes instead of
// fighting them for the lock; readers delay it, for at most a few tries.
func (db *DB) emptyWAL() {
	for try := 0; try < 5; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var busy, logFrames, copied int
		err := db.Write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &copied)
		cancel()
		if err == nil && busy == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (db *DB) stopCheckpointer() {
	if c := db.checkpointer; c != nil {
		close(c.stop)
		<-c.exited
		db.checkpointer = nil
	}
}
