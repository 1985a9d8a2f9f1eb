package cases

import (
	"context"
	"errors"
	"time"
)

// MailSender hands one mail to a mail server (cmd/internal/mailer speaks
// SMTP). Its errors say, as a *MailError, whether the server refused the
// mail for good and whether it may have taken it after all.
type MailSender interface {
	Send(ctx context.Context, m OutgoingMail) error
}

// MailError is a failed send, classified.
type MailError struct {
	// Permanent: the server refused this mail for good (a 5xx reply before
	// it took the message); trying again cannot help.
	Permanent bool
	// Uncertain: the whole message went out but no answer came back, so
	// the server may have accepted it; sending again could deliver it twice.
	Uncertain bool
	Err       error
}

func (e *MailError) Error() string { return e.Err.Error() }
func (e *MailError) Unwrap() error { return e.Err }

// MailDelivery sends the outbox, at most once per (event, recipient):
//
//   - a mail is claimed (state sending, committed) before it is handed to
//     the server, and marked sent when the server accepted it;
//   - a failure before the server took the message puts it back to pending
//     with a back-off that doubles (Backoff … MaxBackoff), until GiveUp
//     after its creation, when it fails; a permanent refusal fails at once;
//   - a send that may have been accepted (the answer to the message got
//     lost) and a claim left behind by a crash (older than Lease) become
//     uncertain: never sent again, shown to administrators. The notice in
//     the app stays either way, so the event is not lost.
//
// It runs in the mail worker, outside any user's request; a mail server
// that hangs holds up the worker only (the sender has its own timeouts).
type MailDelivery struct {
	store      Store
	Backoff    time.Duration
	MaxBackoff time.Duration
	GiveUp     time.Duration
	Lease      time.Duration
	Batch      int
}

// NewMailDelivery returns the delivery with its defaults.
func NewMailDelivery(store Store) *MailDelivery {
	return &MailDelivery{store: store, Backoff: 30 * time.Second, MaxBackoff: 30 * time.Minute,
		GiveUp: 72 * time.Hour, Lease: 10 * time.Minute, Batch: 50}
}

// maxErrorText bounds the last error kept with a mail.
const maxErrorText = 500

// DeliverDue sends the mails that are due, one by one, and answers how
// many the server accepted. After a failure that is not the mail's own
// (the server is down), it stops: the rest would fail alike.
func (d *MailDelivery) DeliverDue(ctx context.Context, sender MailSender) (int, error) {
	now := d.store.Now()
	if err := d.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		_, err := tx.Outbox().ForgetClaims(ctx, now.Add(-d.Lease))
		return err
	}); err != nil {
		return 0, err
	}
	due, err := d.store.View(ctx).Outbox().DueMails(ctx, now, d.Batch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range due {
		if ctx.Err() != nil {
			break
		}
		claimed := false
		if err := d.store.Update(ctx, func(ctx context.Context, tx Tx) error {
			var err error
			claimed, err = tx.Outbox().ClaimMail(ctx, m.ID, tx.Now())
			return err
		}); err != nil {
			return sent, err
		}
		if !claimed {
			continue
		}
		m.Attempts++
		state, at, msg := d.outcome(m, sender.Send(ctx, m), d.store.Now())
		// The outcome is written even when the worker is being stopped.
		if err := d.store.Update(context.WithoutCancel(ctx), func(ctx context.Context, tx Tx) error {
			return tx.Outbox().FinishMail(ctx, m.ID, state, at, msg)
		}); err != nil {
			return sent, err
		}
		switch state {
		case MailSent:
			sent++
		case MailPending:
			return sent, nil
		}
	}
	return sent, nil
}

// outcome is what a send's result makes of m at now: its state, the time
// that goes with it (sent at, or the next attempt) and the error kept.
func (d *MailDelivery) outcome(m OutgoingMail, err error, now time.Time) (string, time.Time, string) {
	if err == nil {
		return MailSent, now, ""
	}
	msg := err.Error()
	if len(msg) > maxErrorText {
		msg = msg[:maxErrorText]
	}
	var me *MailError
	errors.As(err, &me)
	switch {
	case me != nil && me.Uncertain:
		return MailUncertain, now, msg
	case me != nil && me.Permanent, now.Sub(m.CreatedAt) >= d.GiveUp:
		return MailFailed, now, msg
	}
	return MailPending, now.Add(d.backoff(m.Attempts)), msg
}

// backoff is the wait after the n-th failed attempt.
func (d *MailDelivery) backoff(n int) time.Duration {
	b := d.Backoff
	for i := 1; i < n && b < d.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.MaxBackoff)
}

// MailFilter is a page of the outbox.
type MailFilter struct {
	Cursor string
	Limit  int // 0: MailPageSize.Default
}

// MailKey is a mail's place in the outbox page: newest first.
type MailKey struct {
	CreatedAt time.Time
	ID        int64
}

// MailQuery is a page of the outbox as the store reads it.
type MailQuery struct {
	After *MailKey
	Limit int
}

// MailResult is what the store found: up to Limit mails after the key and
// how many there are in all.
type MailResult struct {
	Mails []OutgoingMail
	Total int
}

// MailList is one page of the outbox.
type MailList struct {
	Mails      []OutgoingMail
	NextCursor string
	Total      int
	Offset     int
}

// Mails lists a page of the outbox, newest first, for administrators:
// where each mail stands. A page size over the maximum or a foreign cursor
// is EINVALID naming it.
func (d *MailDelivery) Mails(ctx context.Context, actor Actor, f MailFilter) (*MailList, error) {
	if !actor.Has(RoleAdmin) {
		return nil, Errorf(EFORBIDDEN, "forbidden")
	}
	limit, problems := MailPageSize.Of(f.Limit)
	cur, err := ParseCursor(f.Cursor, 2)
	q := MailQuery{}
	if err == nil && cur != nil {
		q.After = &MailKey{}
		if q.After.CreatedAt, err = cur.keyTime(0); err == nil {
			q.After.ID, err = cur.keyInt(1)
		}
	}
	if err := MergeInvalid(problems, err); err != nil {
		return nil, err
	}
	q.Limit = limit + 1 // one more tells whether a next page exists
	res, err := d.store.View(ctx).Outbox().FindMails(ctx, q)
	if err != nil {
		return nil, err
	}
	list := &MailList{Mails: res.Mails, Total: res.Total, Offset: offsetOf(cur)}
	list.Mails, list.NextCursor = pageOf(list.Mails, limit, list.Offset, func(last OutgoingMail) []string {
		return []string{FormatTime(last.CreatedAt), itoa64(last.ID)}
	})
	return list, nil
}
