// Package cases holds Buurtbrug's domain: the types, rules and use cases of
// outreach contacts, residents and their organisations. It knows nothing of
// HTTP or SQL; storage implements the services declared here and handlers
// speak HTTP on top of them.
package cases

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. Handlers map each to one HTTP status in one place.
const (
	ECONFLICT     = "conflict"     // the request clashes with the current state
	EFORBIDDEN    = "forbidden"    // the actor may not do this
	EINTERNAL     = "internal"     // a bug or an unavailable dependency
	EINVALID      = "invalid"      // the input breaks a rule; Fields says which
	ENOTFOUND     = "not_found"    // absent, or outside the actor's organisation
	ETOOMANY      = "too_many"     // throttled
	EUNAUTHORIZED = "unauthorized" // not logged in, or wrong credentials
	ETOOLARGE     = "too_large"    // request body over the limit
	EBADREQUEST   = "bad_request"  // unreadable request (malformed JSON, wrong types)
	EGONE         = "gone"         // no longer available
	ENOTALLOWED   = "not_allowed"  // a state machine forbids the move
	ECANCELED     = "canceled"     // the client went away before the answer
	EUNAVAILABLE  = "unavailable"  // the database is busy or read-only; try again later
)

// Error is a domain error. Message is a translation key with Args filled in by
// the presentation layer; Fields names each offending input field.
type Error struct {
	Code    string
	Message string
	Args    []any
	Fields  []FieldError
	// RetryAfter, when set, is how long a throttled caller should wait.
	RetryAfter time.Duration
}

// FieldError says why one input field was rejected. Tag is a rule name that
// is translated for the user ("required", "max", "unknown", "future", ...).
// Cause keeps the validator's own error, so its translations can be used.
type FieldError struct {
	Field string
	Tag   string
	Param string
	Cause error
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%s %s)", e.Code, e.Message, e.Fields[0].Field, e.Fields[0].Tag)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns a domain error with a message key and arguments.
func Errorf(code, message string, args ...any) *Error {
	return &Error{Code: code, Message: message, Args: args}
}

// Invalid returns an EINVALID error for the given field problems.
func Invalid(fields ...FieldError) *Error {
	return &Error{Code: EINVALID, Message: "invalid_input", Fields: fields}
}

// FieldInvalid is shorthand for one field problem.
func FieldInvalid(field, tag, param string) *Error {
	return Invalid(FieldError{Field: field, Tag: tag, Param: param})
}

// ErrorCode returns the code of a domain error, EINTERNAL for any other error
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// NotFound is the error for a record that is absent or belongs to another
// organisation: both answer the same, so existence is not revealed.
func NotFound(what string) *Error {
	return Errorf(ENOTFOUND, "not_found", what)
}

// MergeInvalid joins the field problems of two errors, so a user sees every
// wrong field at once. A non-EINVALID error wins as it is.
func MergeInvalid(a, b error) error {
	var ea, eb *Error
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case !errors.As(a, &ea) || ea.Code != EINVALID:
		return a
	case !errors.As(b, &eb) || eb.Code != EINVALID:
		return b
	}
	fields := append([]FieldError{}, ea.Fields...)
	for _, f := range eb.Fields {
		if !hasField(fields, f.Field) {
			fields = append(fields, f)
		}
	}
	return Invalid(fields...)
}
