package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// tokens stores the monitor tokens: only a SHA-256 of each secret.
type tokens struct{ conn }

func (t tokens) Tokens(ctx context.Context) ([]cases.ReachToken, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT t.id, t.name, t.created_at, COALESCE(u.username, ''),
		COALESCE(t.last_used_at, ''), COALESCE(t.revoked_at, '')
		FROM reach_tokens t LEFT JOIN users u ON u.id = t.created_by ORDER BY t.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cases.ReachToken{}
	for rows.Next() {
		var tok cases.ReachToken
		var created, used, revoked string
		if err := rows.Scan(&tok.ID, &tok.Name, &created, &tok.CreatedBy, &used, &revoked); err != nil {
			return nil, err
		}
		tok.CreatedAt = mustTime(created)
		tok.LastUsedAt, tok.RevokedAt = optTime(used), optTime(revoked)
		out = append(out, tok)
	}
	return out, rows.Err()
}

func (t tokens) LiveToken(ctx context.Context, hash string) (*cases.ReachToken, error) {
	var tok cases.ReachToken
	var created, used string
	err := t.q.QueryRowContext(ctx, `SELECT id, name, created_at, COALESCE(last_used_at, '')
		FROM reach_tokens WHERE token_hash = ? AND revoked_at IS NULL`, hash).Scan(&tok.ID, &tok.Name, &created, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("reach_token")
	} else if err != nil {
		return nil, err
	}
	tok.CreatedAt, tok.LastUsedAt = mustTime(created), optTime(used)
	return &tok, nil
}

func (t tokens) InsertToken(ctx context.Context, tok *cases.StoredToken, by int64) error {
	return t.q.QueryRowContext(ctx, `INSERT INTO reach_tokens (name, token_hash, created_by, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, tok.Name, tok.Hash, nullInt(by), cases.FormatTime(tok.CreatedAt)).Scan(&tok.ID)
}

func (t tokens) RevokeToken(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := t.q.ExecContext(ctx, `UPDATE reach_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		cases.FormatTime(at), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (t tokens) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := t.q.ExecContext(ctx, `UPDATE reach_tokens SET last_used_at = ? WHERE id = ?`, cases.FormatTime(at), id)
	return err
}
