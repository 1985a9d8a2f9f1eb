// Package storage implements the store of package cases on an embedded
// SQLite database (modernc.org/sqlite, no cgo): repositories, transactions
// and the SQLite mechanics (pragmas, one writer with group commit, prepared
// statements, background checkpoints, migrations, the incremental reach
// counters). It stores; the use cases in package cases decide.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/buurtbrug/buurtbrug/cases"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the database: one writer connection, so writes queue in Go instead
// of failing on SQLite's lock, and a small pool of read-only connections
// that WAL lets read while the writer writes. It implements cases.Store.
type DB struct {
	// Write and Read are the connections; outside this package only tests
	// and bulk tools use them directly.
	Write *sql.DB
	Read  *sql.DB
	// Clock is the time source; tests replace it.
	Clock func() time.Time
	// OnBatch, when set, hears the size of every batch the writer commits
	// (metrics). Set it before the first write.
	OnBatch func(size int)

	ref          referenceCache
	auditKey     []byte    // keys the audit chain (audit.go)
	stmts        stmtCache // statements prepared once on the writer connection
	writer       *writer   // runs the transactions of Update, batching them (writer.go)
	checkpointer *checkpointer
	mailQueued   chan struct{} // a signal after each commit that queued mail (outbox.go)
}

var _ cases.Store = (*DB)(nil)

// pragmas are in the DSN so that every pooled connection gets them.
func dsn(path string, readOnly bool) string {
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

// Open opens (creating if needed) the database at path and migrates it to
// the newest schema.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("storage: a file path is required (WAL needs a file)")
	}
	// The file holds case notes: only its owner may read it. SQLite gives
	// the WAL and shared-memory files the database file's mode.
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	write, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(4)
	read.SetMaxIdleConns(4)
	db := &DB{Write: write, Read: read, Clock: time.Now, mailQueued: make(chan struct{}, 1)}
	if err := db.stmts.prepare(write, hotStatements); err != nil {
		read.Close()
		write.Close()
		return nil, err
	}
	if err := db.ref.load(ctx, read); err != nil {
		db.stmts.close()
		read.Close()
		write.Close()
		return nil, err
	}
	db.startWriter()
	db.startCheckpointer()
	return db, nil
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

func migrate(ctx context.Context, db *sql.DB) error {
	provider, err := goose.NewProvider(goose.DialectSQLite3, db, mustSub(migrations, "migrations"))
	if err != nil {
		return fmt.Errorf("storage: migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	return nil
}

// Close lets queued writes finish and closes both pools.
func (db *DB) Close() error {
	db.stopWriter()
	db.stopCheckpointer()
	db.stmts.close()
	rerr := db.Read.Close()
	if err := db.Write.Close(); err != nil {
		return err
	}
	return rerr
}

// Now is the store's clock, to the millisecond as stored.
func (db *DB) Now() time.Time { return db.Clock().UTC().Truncate(time.Millisecond) }

type txKey struct{}

// Update runs fn in a write transaction and commits when it returns nil.
// A ctx that already carries a transaction of db joins it: fn then runs
// in that transaction, and commits or fails with it. Otherwise fn is queued
// for the one writer, which may commit it together with other use cases
// (writer.go); Update returns after the commit that holds fn's rows.
func (db *DB) Update(ctx context.Context, fn func(ctx context.Context, tx cases.Tx) error) error {
	if tx, ok := ctx.Value(txKey{}).(*Tx); ok && tx.db == db {
		return fn(ctx, tx)
	}
	err := db.submit(ctx, func(tx *Tx) error {
		if err := fn(context.WithValue(ctx, txKey{}, tx), tx); err != nil {
			return err
		}
		return tx.settle()
	})
	return domainError(err)
}

// View reads on the read pool, or in the transaction ctx carries.
func (db *DB) View(ctx context.Context) cases.View {
	if tx, ok := ctx.Value(txKey{}).(*Tx); ok && tx.db == db {
		return tx.conn()
	}
	return conn{db: db, q: db.Read}
}

// Tx is a write transaction (BEGIN IMMEDIATE) that carries one fixed now,
// so every row written by one use case has the same timestamp.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
	// bound are the hot statements bound to this transaction so far
	// (prepared.go); use cases batched in one transaction share them.
	bound map[string]*sql.Stmt
	// countsStale is set by writes the reach counters follow (contacts,
	// residents); settle folds them in before the use case ends.
	countsStale bool
	// referenceChanged is set by writes to reference data; the cache is
	// reloaded after the commit.
	referenceChanged bool
	// erased is set by erasures; the WAL is emptied after the commit.
	erased bool
	// mailQueued is set when mail was put in the outbox; the mail worker
	// is woken after the commit.
	mailQueued bool
}

var _ cases.Tx = (*Tx)(nil)

func (db *DB) newTx(sqlTx *sql.Tx, bound map[string]*sql.Stmt) *Tx {
	return &Tx{Tx: sqlTx, db: db, now: db.Now(), bound: bound}
}

// Now is the transaction's one fixed time.
func (tx *Tx) Now() time.Time { return tx.now }

// settle brings derived data up to date with what the use case wrote, in
// its own transaction.
func (tx *Tx) settle() error {
	if !tx.countsStale {
		return nil
	}
	tx.countsStale = false
	return tx.refreshReach()
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// MailQueued signals, after a commit that put mail in the outbox, that the
// mail worker has something to send; signals coalesce.
func (db *DB) MailQueued() <-chan struct{} { return db.mailQueued }

// committed runs after the commit that holds tx's writes.
func (tx *Tx) committed() {
	if tx.erased {
		tx.db.scrubWAL()
	}
	if tx.mailQueued {
		select {
		case tx.db.mailQueued <- struct{}{}:
		default: // a signal is pending already
		}
	}
	if tx.referenceChanged {
		// A failed reload leaves the old lists; the next change or restart
		// loads them again.
		_ = tx.db.ref.load(context.Background(), tx.db.Read)
	}
}
