package storage

import (
	"errors"
	"regexp"

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

// constraintColumn finds "users.username" in SQLite's "UNIQUE constraint
// failed: users.username".
var constraintColumn = regexp.MustCompile(`constraint failed: ([a-z_]+\.[a-z_]+)`)

// domainError maps the driver's errors to domain errors, in this one place:
// a duplicate to EINVALID on its field (or ECONFLICT), a missing reference
// to ECONFLICT, a busy or read-only database to EUNAVAILABLE. Anything else
// passes unchanged (an internal error).
func domainError(err error) error {
	var e *sqlite.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		if m := constraintColumn.FindStringSubmatch(e.Error()); m != nil && uniqueFields[m[1]] != "" {
			field := uniqueFields[m[1]]
			return cases.FieldInvalid(field, "taken", "")
		}
		return cases.Errorf(cases.ECONFLICT, "duplicate")
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return cases.Errorf(cases.ECONFLICT, "reference_missing")
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return cases.Errorf(cases.EUNAVAILABLE, "busy")
	case sqlite3.SQLITE_READONLY:
		return cases.Errorf(cases.EUNAVAILABLE, "read_only")
	}
	return err
}
