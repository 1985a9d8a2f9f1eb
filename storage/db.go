// Package storage implements the services of package cases on an embedded
// SQLite database (modernc.org/sqlite, no cgo).
package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"net/url"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/buurtbrug/buurtbrug/cases"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the database: one writer connection, so writes queue in Go instead
// of failing on SQLite's lock, and a small pool of read-only connections that
// WAL lets read while the writer writes.
type DB struct {
	Write *sql.DB
	Read  *sql.DB
	// Now is the clock; tests replace it to control time.
	Now func() time.Time
	// Secret keys the person pseudonyms.
	Secret []byte

	// sessionGen changes whenever sessions end or their users change, so
	// caches of sessions know to drop their entries (see SessionStore.Generation).
	sessionGen generation
	// stmts are statements prepared once on the writer connection.
	stmts stmtCache
	// writer runs the transactions of inTx, batching them (see writer.go).
	writer *writer
	// checkpointer copies the WAL into the file off the writer's path.
	checkpointer *checkpointer
}

// pragmas are in the DSN so that every pooled connection gets them.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-16000)")
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
func Open(ctx context.Context, path string, secret []byte) (*DB, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("storage: a file path is required (WAL needs a file)")
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
	db := &DB{Write: write, Read: read, Now: time.Now, Secret: secret}
	if err := db.stmts.prepare(write, hotStatements); err != nil {
		read.Close()
		write.Close()
		return nil, err
	}
	db.startWriter()
	db.startCheckpointer()
	return db, nil
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

// Close closes both pools.
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

// Tx is a write transaction (BEGIN IMMEDIATE) that carries one fixed now,
// so every row written by one use case has the same timestamp.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
	// bound are the hot statements bound to this transaction so far
	// (prepared.go); use cases batched in one transaction share them.
	bound map[string]*sql.Stmt
}

// BeginTx starts a write transaction.
func (db *DB) BeginTx(ctx context.Context) (*Tx, error) {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, db: db, now: db.Now().UTC().Truncate(time.Millisecond), bound: map[string]*sql.Stmt{}}, nil
}

// inTx runs fn in a write transaction, committing when it returns nil. fn
// may share the transaction with other use cases (see writer.go): it runs in
// a savepoint of its own, and inTx returns only after the commit.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.writer != nil {
		return db.submit(ctx, fn)
	}
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// audit appends one line to the audit log inside tx.
func (tx *Tx) audit(actor cases.Actor, action, entity, entityID, detail string) error {
	_, err := tx.execPrepared(auditInsert,
		cases.FormatTime(tx.now), nullInt(actor.UserID), actor.Username, nullInt(actor.OrganisationID),
		action, entity, entityID, detail)
	return err
}

const auditInsert = `INSERT INTO audit_log (at, user_id, username, organisation_id, action, entity, entity_id, detail)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

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
