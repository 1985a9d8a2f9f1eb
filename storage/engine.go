package storage

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
)

// An engine is what differs between SQLite and PostgreSQL beneath the
// repositories, which are one set for both: how the pools open and
// migrate, how a write transaction becomes the only writer, and the few
// hints and chores only one of them has. sqlite.go and postgres.go
// implement it; nothing outside this package knows which one runs.
type engine interface {
	// open opens the writer's pool (one connection) and the readers'
	// pool on a database migrated to the newest schema.
	open(ctx context.Context) (write, read *sql.DB, err error)
	// lockWrites makes tx, just begun, the database's only writer until
	// it ends, across every process that writes it.
	lockWrites(ctx context.Context, tx *sql.Tx) error
	// indexedBy is " INDEXED BY index" where the planner needs telling.
	indexedBy(index string) string
	// walFile reports whether the database keeps a WAL file that the
	// checkpointer copies back (checkpoint.go).
	walFile() bool
	// bulk prepares the writer connection for a bulk load and returns
	// what ends it: the load is made up, so it needs no durability
	// meanwhile; after it, counters (sequences) follow the rows written.
	bulk(ctx context.Context, write *sql.DB) (done func(context.Context) error, err error)
}

// engineFor picks the engine of dsn: a postgres:// (or postgresql://) URL,
// else a SQLite file path.
func engineFor(dsn string) (engine, error) {
	if isServerURL(dsn) {
		return newPostgres(dsn)
	}
	return newSQLite(dsn)
}

func isServerURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// FilePath is the file the database of dsn lives in, and false for a
// database on a server (a postgres:// URL), which has no file beside which
// to keep anything.
func FilePath(dsn string) (string, bool) {
	if isServerURL(dsn) {
		return "", false
	}
	return dsn, true
}

// Describe names the database of dsn for messages and logs: the path, or
// the URL without its password.
func Describe(dsn string) string {
	if !isServerURL(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
