package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// outbox stores the mails of notifications until the mail worker has sent
// them (cases.MailDelivery decides their states).
type outbox struct{ conn }

// inserted reports whether an INSERT ... ON CONFLICT DO NOTHING wrote its row.
func inserted(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (o outbox) EnqueueMail(ctx context.Context, m cases.OutgoingMail) (bool, error) {
	ok, err := inserted(o.q.ExecContext(ctx, `INSERT INTO mail_outbox (event, user_id, to_address, subject, body,
		created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event, user_id) DO NOTHING`,
		m.Event, m.UserID, m.To, m.Subject, m.Body, cases.FormatTime(m.CreatedAt), cases.FormatTime(m.NextAttemptAt)))
	if ok {
		o.tx.mailQueued = true
	}
	return ok, err
}

func (o outbox) ClaimMail(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := o.q.ExecContext(ctx, `UPDATE mail_outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1
		WHERE id = ? AND state = 'pending'`, cases.FormatTime(at), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (o outbox) FinishMail(ctx context.Context, id int64, state string, at time.Time, lastError string) error {
	t := cases.FormatTime(at)
	var sentAt any
	next := sql.NullString{}
	switch state {
	case cases.MailSent:
		sentAt = t
	case cases.MailPending:
		next = sql.NullString{String: t, Valid: true}
	}
	_, err := o.q.ExecContext(ctx, `UPDATE mail_outbox SET state = ?, sent_at = COALESCE(?, sent_at),
		next_attempt_at = COALESCE(?, next_attempt_at), claimed_at = NULL, last_error = ? WHERE id = ? AND state = 'sending'`,
		state, sentAt, next, lastError, id)
	return err
}

func (o outbox) ForgetClaims(ctx context.Context, claimedBefore time.Time) (int, error) {
	res, err := o.q.ExecContext(ctx, `UPDATE mail_outbox SET state = 'uncertain', claimed_at = NULL,
		last_error = 'the server stopped while sending: maybe sent, not sent again'
		WHERE state = 'sending' AND claimed_at < ?`, cases.FormatTime(claimedBefore))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

const mailSelect = `SELECT id, event, user_id, to_address, subject, body, created_at, state, attempts, next_attempt_at,
	COALESCE(sent_at, ''), last_error FROM mail_outbox `

func (o outbox) mails(ctx context.Context, query string, args ...any) ([]cases.OutgoingMail, error) {
	rows, err := o.q.QueryContext(ctx, mailSelect+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cases.OutgoingMail{}
	for rows.Next() {
		var m cases.OutgoingMail
		var created, next, sent string
		if err := rows.Scan(&m.ID, &m.Event, &m.UserID, &m.To, &m.Subject, &m.Body, &created, &m.State, &m.Attempts,
			&next, &sent, &m.LastError); err != nil {
			return nil, err
		}
		m.CreatedAt, m.NextAttemptAt, m.SentAt = mustTime(created), mustTime(next), optTime(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}

func (o outbox) Mails(ctx context.Context, limit int) ([]cases.OutgoingMail, error) {
	return o.mails(ctx, `ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
}

func (o outbox) FindMails(ctx context.Context, q cases.MailQuery) (*cases.MailResult, error) {
	res := &cases.MailResult{}
	if err := o.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_outbox`).Scan(&res.Total); err != nil {
		return nil, err
	}
	where, args := ``, []any{}
	if k := q.After; k != nil {
		at := cases.FormatTime(k.CreatedAt)
		where, args = `WHERE created_at < ? OR (created_at = ? AND id < ?) `, []any{at, at, k.ID}
	}
	mails, err := o.mails(ctx, where+`ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, err
	}
	res.Mails = mails
	return res, nil
}

func (o outbox) DueMails(ctx context.Context, now time.Time, limit int) ([]cases.OutgoingMail, error) {
	return o.mails(ctx, `WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
		cases.FormatTime(now), limit)
}
