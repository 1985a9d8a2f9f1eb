package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// sqliteEngine is an embedded SQLite file (modernc.org/sqlite, no cgo): one
// writer connection, so writes queue in Go instead of failing on SQLite's
// lock, and a small pool of read-only connections that WAL lets read while
// the writer writes.
type sqliteEngine struct{ path string }

func newSQLite(path string) (engine, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("storage: a file path or a postgres:// URL is required (WAL needs a file)")
	}
	return sqliteEngine{path}, nil
}

// sqliteDSN puts the pragmas in the DSN, so that every pooled connection
// gets them.
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-16000)")
	// An erased value is overwritten, not left in a free page of the file.
	q.Add("_pragma", "secure_delete(ON)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// A fallback: checkpoints run in the background (checkpoint.go).
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutoCheckpoint))
	}
	return "file:" + path + "?" + q.Encode()
}

func (e sqliteEngine) open(ctx context.Context) (write, read *sql.DB, err error) {
	// The file holds case notes: only its owner may read it. SQLite gives
	// the WAL and shared-memory files the database file's mode.
	if err := createPrivate(e.path); err != nil {
		return nil, nil, err
	}
	write, err = sql.Open("sqlite", sqliteDSN(e.path, false))
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := migrate(ctx, write, goose.DialectSQLite3, "migrations/sqlite"); err != nil {
		write.Close()
		return nil, nil, err
	}
	read, err = sql.Open("sqlite", sqliteDSN(e.path, true))
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	return write, read, nil
}

// createPrivate creates the database file with mode 0600 when it does not
// exist yet.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	} else if err != nil {
		return err
	}
	return f.Close()
}

// lockWrites: the writer's transactions begin IMMEDIATE (in its DSN),
// which takes SQLite's write lock.
func (sqliteEngine) lockWrites(context.Context, *sql.Tx) error { return nil }

func (sqliteEngine) indexedBy(index string) string { return " INDEXED BY " + index }

func (sqliteEngine) walFile() bool { return true }

// bulk turns off syncing and gives the one writer connection a large cache
// for the index inserts, until done.
func (sqliteEngine) bulk(ctx context.Context, write *sql.DB) (func(context.Context) error, error) {
	for _, pragma := range []string{"PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144"} {
		if _, err := write.ExecContext(ctx, pragma); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context) error {
		for _, pragma := range []string{"PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -16000"} {
			if _, err := write.ExecContext(ctx, pragma); err != nil {
				return err
			}
		}
		return nil
	}, nil
}
