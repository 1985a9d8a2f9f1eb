package storage

import (
	"context"
	"database/sql"
	"errors"
	"sync"
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

// AuthGeneration is asked on every authenticated request. Outside a
// transaction it is served from memory for up to authGenerationTTL, which
// bounds how long a change made by another process goes unseen; a change
// committed by this process drops the remembered value at once (Tx.committed).
func (s sessions) AuthGeneration(ctx context.Context) (int64, error) {
	var epoch uint64
	if s.tx == nil {
		var n int64
		var ok bool
		if n, epoch, ok = s.db.authGen.get(); ok {
			return n, nil
		}
	}
	var n int64
	if err := s.q.QueryRowContext(ctx, `SELECT n FROM auth_generation WHERE id = 1`).Scan(&n); err != nil {
		return 0, err
	}
	if s.tx == nil {
		s.db.authGen.put(n, epoch)
	}
	return n, nil
}

// authGenerationTTL is how long the auth generation read from the database
// is believed without asking again.
const authGenerationTTL = 200 * time.Millisecond

// authGenCache remembers the last auth generation read. Its epoch moves
// on when a commit drops the value, so that a read begun before that commit
// cannot put its older value back.
type authGenCache struct {
	mu    sync.Mutex
	n     int64
	until time.Time // on the process's monotonic clock
	epoch uint64
}

func (c *authGenCache) get() (n int64, epoch uint64, fresh bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, c.epoch, time.Now().Before(c.until)
}

func (c *authGenCache) put(n int64, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch == c.epoch && n >= c.n {
		c.n, c.until = n, time.Now().Add(authGenerationTTL)
	}
}

// forget makes the next read ask the database.
func (c *authGenCache) forget() {
	c.mu.Lock()
	c.until = time.Time{}
	c.epoch++
	c.mu.Unlock()
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
	s.tx.authChanged = true
	_, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

func (s sessions) DeleteUserSessions(ctx context.Context, userID int64, keep string) error {
	s.tx.authChanged = true
	_, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keep)
	return err
}

func (s sessions) DeleteExpired(ctx context.Context, expiresBefore, idleSince, failuresBefore time.Time) error {
	s.tx.authChanged = true
	if _, err := s.q.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`,
		cases.FormatTime(expiresBefore), cases.FormatTime(idleSince)); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `DELETE FROM login_failures WHERE at < ?`, cases.FormatTime(failuresBefore))
	return err
}

func (s sessions) RecordFailure(ctx context.Context, username, address string, at time.Time) (int64, error) {
	res, err := s.q.ExecContext(ctx, `INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?)`,
		username, address, cases.FormatTime(at))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
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
