package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// settings stores the deployment's own key/value settings.
type settings struct{ conn }

func (c conn) Settings() cases.SettingReader { return settings{c} }

func (tx *Tx) Settings() cases.SettingRepo { return settings{tx.conn()} }

func (s settings) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (s settings) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// CheckWritable writes the time of the check, through the writer: a
// database that cannot be written (a read-only file, a full disk) fails
// here instead of on a user's first write.
func (db *DB) CheckWritable(ctx context.Context) error {
	return db.Update(ctx, func(ctx context.Context, tx cases.Tx) error {
		return tx.Settings().SetSetting(ctx, "checked_writable_at", cases.FormatTime(tx.Now()))
	})
}

// SetNow moves the transaction's fixed time. Only the loader of made-up demo
// history uses it, to write a past inside one transaction.
func (tx *Tx) SetNow(t time.Time) { tx.now = t.UTC().Truncate(time.Millisecond) }
