// Package storage implements the store of package cases on an embedded
// SQLite file (modernc.org/sqlite, no cgo) or on PostgreSQL (pgx), with one
// set of repositories for both: transactions, one writer with group commit,
// prepared statements, migrations, the incremental reach counters, and the
// mechanics of each engine (sqlite.go, postgres.go). It stores; the use
// cases in package cases decide.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/buurtbrug/buurtbrug/cases"
)

// migrations holds one set per engine, migrations/sqlite and
// migrations/postgres, with the same versions.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// DB is the database: the writer's pool of one connection, so writes queue
// in Go (writer.go), and a pool of read-only connections. It implements
// cases.Store.
type DB struct {
	// Write and Read are the pools; outside this package only tests and
	// bulk tools use them directly.
	Write *sql.DB
	Read  *sql.DB
	// Clock is the time source; tests replace it.
	Clock func() time.Time
	// OnBatch, when set, hears the size of every batch the writer commits
	// (metrics). Set it before the first write.
	OnBatch func(size int)

	engine       engine
	ref          referenceCache
	auditKey     []byte    // keys the audit chain (audit.go)
	stmts        stmtCache // statements prepared once on the writer connection
	writer       *writer   // runs the transactions of Update, batching them (writer.go)
	checkpointer *checkpointer
	mailQueued   chan struct{} // a signal after each commit that queued mail (outbox.go)
}

var _ cases.Store = (*DB)(nil)

// Open opens the database of dsn, a SQLite file path (created if needed)
// or a postgres:// URL, and migrates it to the newest schema.
func Open(ctx context.Context, dsn string) (*DB, error) {
	eng, err := engineFor(dsn)
	if err != nil {
		return nil, err
	}
	write, read, err := eng.open(ctx)
	if err != nil {
		return nil, err
	}
	db := &DB{Write: write, Read: read, Clock: time.Now, engine: eng, mailQueued: make(chan struct{}, 1)}
	if err := db.stmts.prepare(write, hotStatements); err != nil {
		read.Close()
		write.Close()
		return nil, err
	}
	db.ref.src = read
	db.ref.checked.Store(time.Now().UnixNano())
	if err := db.ref.load(ctx, read); err != nil {
		db.stmts.close()
		read.Close()
		write.Close()
		return nil, err
	}
	db.startWriter()
	if eng.walFile() {
		db.startCheckpointer()
	}
	return db, nil
}

func migrate(ctx context.Context, db *sql.DB, dialect goose.Dialect, dir string, opts ...goose.ProviderOption) error {
	provider, err := goose.NewProvider(dialect, db, mustSub(migrations, dir), opts...)
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
	// head is the audit chain's last hash as this transaction left it,
	// shared by the use cases batched in it (audit.go).
	head *chainHead
}

// chainHead is the audit chain's last hash, once a transaction has read or
// written it: while the transaction holds the writer's lock nobody else
// appends, so the next line chains to it without reading it again. A use
// case undone to its savepoint forgets it.
type chainHead struct {
	hash  string
	known bool
}

var _ cases.Tx = (*Tx)(nil)

func (db *DB) newTx(sqlTx *sql.Tx, bound map[string]*sql.Stmt, head *chainHead) *Tx {
	if head == nil {
		head = &chainHead{}
	}
	return &Tx{Tx: sqlTx, db: db, now: db.Now(), bound: bound, head: head}
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
