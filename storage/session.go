package storage

import (
	"context"
	"database/sql"
	"errors"
	"sync/atomic"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// SessionStore keeps server-side sessions and failed logins.
type SessionStore struct{ db *DB }

// NewSessionStore returns the store.
func NewSessionStore(db *DB) *SessionStore { return &SessionStore{db: db} }

// StoredSession is one session row.
type StoredSession struct {
	TokenHash  string
	UserID     int64
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// Create stores a session.
func (s *SessionStore) Create(ctx context.Context, sess StoredSession) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, sess.TokenHash, sess.UserID, sess.CSRFToken, cases.FormatTime(sess.CreatedAt),
			cases.FormatTime(sess.LastSeenAt), cases.FormatTime(sess.ExpiresAt))
		return err
	})
}

// Find returns the session with this token hash, or ENOTFOUND.
func (s *SessionStore) Find(ctx context.Context, tokenHash string) (*StoredSession, error) {
	var sess StoredSession
	var created, seen, expires string
	err := s.db.Read.QueryRowContext(ctx, `SELECT token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = ?`, tokenHash).Scan(&sess.TokenHash, &sess.UserID, &sess.CSRFToken, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("session")
	} else if err != nil {
		return nil, err
	}
	sess.CreatedAt, _ = cases.ParseTime(created)
	sess.LastSeenAt, _ = cases.ParseTime(seen)
	sess.ExpiresAt, _ = cases.ParseTime(expires)
	return &sess, nil
}

// Touch records activity on a session.
func (s *SessionStore) Touch(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.db.Write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`,
		cases.FormatTime(at), tokenHash)
	return err
}

// Delete ends a session.
func (s *SessionStore) Delete(ctx context.Context, tokenHash string) error {
	defer s.db.sessionsChanged()
	_, err := s.db.Write.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// Generation changes whenever, in this process, a session is deleted or a
// user's account changes (deactivation, password, roles). A cache of
// sessions and their users must drop what it read under an older
// generation. Changes by another process on the same file (the `user
// password` command) are not seen: such a cache must also expire quickly.
func (s *SessionStore) Generation() uint64 { return s.db.sessionGen.n.Load() }

// generation is a change counter; see SessionStore.Generation.
type generation struct{ n atomic.Uint64 }

// sessionsChanged moves the generation on. Call it after the change is
// committed (defer), so a reader that saw the old rows also saw the old
// generation.
func (db *DB) sessionsChanged() { db.sessionGen.n.Add(1) }

// DeleteExpired removes sessions past their absolute expiry or idle since
// before idleSince, and failed logins older than failuresBefore.
func (s *SessionStore) DeleteExpired(ctx context.Context, now, idleSince, failuresBefore time.Time) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`,
			cases.FormatTime(now), cases.FormatTime(idleSince)); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM login_failures WHERE at < ?`, cases.FormatTime(failuresBefore))
		return err
	})
}

// RecordFailure notes a failed login.
func (s *SessionStore) RecordFailure(ctx context.Context, username, address string, at time.Time) error {
	_, err := s.db.Write.ExecContext(ctx, `INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?)`,
		username, address, cases.FormatTime(at))
	return err
}

// CountFailures counts failed logins since the given time, by username and by address.
func (s *SessionStore) CountFailures(ctx context.Context, username, address string, since time.Time) (byUser, byAddress int, err error) {
	err = s.db.Read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM login_failures WHERE username = ? AND at >= ?),
		(SELECT COUNT(*) FROM login_failures WHERE address = ? AND at >= ?)`,
		username, cases.FormatTime(since), address, cases.FormatTime(since)).Scan(&byUser, &byAddress)
	return byUser, byAddress, err
}

// ClearFailures forgets the failures of a username after a good login.
func (s *SessionStore) ClearFailures(ctx context.Context, username string) error {
	_, err := s.db.Write.ExecContext(ctx, `DELETE FROM login_failures WHERE username = ?`, username)
	return err
}
