package storage

import (
	"errors"
	"regexp"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/buurtbrug/buurtbrug/cases"
)

// uniqueFields names the input field of each unique column, so that a
// duplicate answers like any other invalid field.
var uniqueFields = map[string]string{
	"users.username":      "username",
	"organisations.slug":  "slug",
	"programmes.slug":     "slug",
	"neighbourhoods.slug": "slug",
	"topics.slug":         "slug",
	"outcomes.slug":       "slug",
	"contact_kinds.slug":  "slug",
}

// domainError maps the drivers' errors to domain errors, in this one place
// and alike for both engines: a duplicate to EINVALID on its field (or
// ECONFLICT), a missing reference to ECONFLICT, a busy, locked or
// read-only database (and, on PostgreSQL, a deadlock or serialization
// failure that outlived its retries) to EUNAVAILABLE. Anything else passes
// unchanged (an internal error).
func domainError(err error) error {
	var se *sqlite.Error
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return sqliteError(se, err)
	case errors.As(err, &pe):
		return postgresError(pe, err)
	}
	return err
}

// taken is the answer to a duplicate of column ("users.username").
func taken(column string) error {
	if field := uniqueFields[column]; field != "" {
		return cases.FieldInvalid(field, "taken", "")
	}
	return cases.Errorf(cases.ECONFLICT, "duplicate")
}

// sqliteColumn finds "users.username" in SQLite's "UNIQUE constraint
// failed: users.username".
var sqliteColumn = regexp.MustCompile(`constraint failed: ([a-z_]+\.[a-z_]+)`)

func sqliteError(e *sqlite.Error, err error) error {
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		column := ""
		if m := sqliteColumn.FindStringSubmatch(e.Error()); m != nil {
			column = m[1]
		}
		return taken(column)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return cases.Errorf(cases.ECONFLICT, "reference_missing")
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return cases.Errorf(cases.EUNAVAILABLE, "busy")
	case sqlite3.SQLITE_READONLY:
		return cases.Errorf(cases.EUNAVAILABLE, "read_only")
	}
	return err
}

// postgresKey finds "username" in PostgreSQL's detail "Key (username)=(x)
// already exists."
var postgresKey = regexp.MustCompile(`^Key \(([a-z_]+)\)=`)

// PostgreSQL's SQLSTATEs that domainError and retryable tell apart.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgSerializationFailed = "40001"
	pgDeadlock            = "40P01"
	pgLockNotAvailable    = "55P03"
	pgReadOnly            = "25006"
	pgTooManyConnections  = "53300"
	pgShuttingDown        = "57P01"
	pgCannotConnectNow    = "57P03"
)

func postgresError(e *pgconn.PgError, err error) error {
	switch e.Code {
	case pgUniqueViolation:
		column := ""
		if m := postgresKey.FindStringSubmatch(e.Detail); m != nil {
			column = e.TableName + "." + m[1]
		}
		return taken(column)
	case pgForeignKeyViolation:
		return cases.Errorf(cases.ECONFLICT, "reference_missing")
	case pgSerializationFailed, pgDeadlock, pgLockNotAvailable, pgTooManyConnections, pgShuttingDown,
		pgCannotConnectNow:
		return cases.Errorf(cases.EUNAVAILABLE, "busy")
	case pgReadOnly:
		return cases.Errorf(cases.EUNAVAILABLE, "read_only")
	}
	return err
}

// retryable reports whether err undid a PostgreSQL transaction that may
// well succeed when run again: a deadlock or a serialization failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == pgSerializationFailed || pe.Code == pgDeadlock)
}
