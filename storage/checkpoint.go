package storage

import (
	"context"
	"time"
)

// Checkpoints copy the WAL back into the database file. SQLite runs them in
// the commit that crosses wal_autocheckpoint pages, so by default the one
// writer connection stopped every thousand pages to copy pages and fsync,
// and every queued write waited. A background checkpointer on a read
// connection does the copying now (PASSIVE: it never blocks the writer or
// readers); the writer's own automatic checkpoint stays as a fallback at
// writerAutoCheckpoint pages, when little is left to copy.
const (
	checkpointEvery      = 250 * time.Millisecond
	writerAutoCheckpoint = 8000 // pages (4 KiB): in the writer's DSN
)

type checkpointer struct {
	stop   chan struct{}
	exited chan struct{}
}

func (db *DB) startCheckpointer() {
	c := &checkpointer{stop: make(chan struct{}), exited: make(chan struct{})}
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
				db.checkpoint()
			}
		}
	}()
}

// checkpoint copies what the WAL holds into the database file, as far as
// readers allow. A failure is left to the next round or the fallback.
func (db *DB) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var busy, logFrames, copied int
	_ = db.Read.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &copied)
}

func (db *DB) stopCheckpointer() {
	if c := db.checkpointer; c != nil {
		close(c.stop)
		<-c.exited
		db.checkpointer = nil
	}
}
