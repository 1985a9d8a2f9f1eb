package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// sessions stores server-side sessions and failed logins.
type sessions struct{ conn }

func (s sessions) Session(ctx context.Context, tokenHash string) (*cases.StoredSession, error) {
	var sess cases.StoredSession
	var created, seen, expires string
	err := s.q.QueryRowContext(ctx, `SELECT token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at
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

// AuthGeneration is read on every authenticated request, from the
// database each time: a change made by another process (the command line,
// a second server) must count at once, and one row by its key costs little
// beside the request.
func (s sessions) AuthGeneration(ctx context.Context) (int64, error) {
	var n int64
	err := s.q.QueryRowContext(ctx, `SELECT n FROM auth_generation WHERE id = 1`).Scan(&n)
	return n, err
}

func (s sessions) CountFailures(ctx context.Context, username, address string, pairSince, since time.Time) (cases.FailureCounts, error) {
	var f cases.FailureCounts
	var last string
	err := s.q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM login_failures WHERE username = ?1 AND address = ?2 AND at >= ?3),
		(SELECT COALESCE(MAX(at), '') FROM login_failures WHERE username = ?1 AND address = ?2 AND at >= ?3),
		(SELECT COUNT(*) FROM login_failures WHERE username = ?1 AND at >= ?4),
		(SELECT COUNT(*) FROM login_failures WHERE address = ?2 AND at >= ?4)`,
		username, address, cases.FormatTime(pairSince), cases.FormatTime(since)).Scan(&f.Pair, &last, &f.User, &f.Address)
	if last != "" {
		f.PairLast = mustTime(last)
	}
	return f, err
}

func (s sessions) InsertSession(ctx context.Context, sess cases.StoredSession) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, sess.TokenHash, sess.UserID, sess.CSRFToken, cases.FormatTime(sess.CreatedAt),
		cases.FormatTime(sess.LastSeenAt), cases.FormatTime(sess.ExpiresAt))
	return err
}

func (s sessions) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := s.q.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, cases.FormatTime(at), tokenHash)
	return err
}

func (s sessions) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

func (s sessions) DeleteUserSessions(ctx context.Context, userID int64, keep string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keep)
	return err
}

func (s sessions) DeleteExpired(ctx context.Context, expiresBefore, idleSince, failuresBefore time.Time) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`,
		cases.FormatTime(expiresBefore), cases.FormatTime(idleSince)); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `DELETE FROM login_failures WHERE at < ?`, cases.FormatTime(failuresBefore))
	return err
}

func (s sessions) RecordFailure(ctx context.Context, username, address string, at time.Time) (int64, error) {
	var id int64
	err := s.q.QueryRowContext(ctx, `INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?) RETURNING id`,
		username, address, cases.FormatTime(at)).Scan(&id)
	return id, err
}

func (s sessions) ForgetFailure(ctx context.Context, id int64) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM login_failures WHERE id = ?`, id)
	return err
}

func (s sessions) ClearFailures(ctx context.Context, username, address string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM login_failures WHERE username = ? AND (? = '' OR address = ?)`,
		username, address, address)
	return err
}

func (s sessions) CountSessions(ctx context.Context) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n)
	return n, err
}
