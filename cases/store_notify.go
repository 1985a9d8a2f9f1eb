package cases

import (
	"context"
	"time"
)

// The repositories of notifications, the mail outbox and the partner
// directory (issue 12), beside those of store.go.

// NoticeReader reads a user's notices and what the escalation job needs.
type NoticeReader interface {
	// UnreadNotices counts userID's unread notices by kind.
	UnreadNotices(ctx context.Context, userID int64) (map[string]int, error)
	// FindNotices reads a page of a user's notices, unread first, newest
	// first (then by ID, newest first), after q.After, with their total.
	FindNotices(ctx context.Context, q NoticeQuery) (*NoticeResult, error)
	// DigestNotices lists userID's notices from before the given time that
	// wait for a digest, oldest first.
	DigestNotices(ctx context.Context, userID int64, before time.Time) ([]Notice, error)
	// DigestUsers lists the users with notices from before the given time
	// that wait for a digest.
	DigestUsers(ctx context.Context, before time.Time) ([]int64, error)
	// HandoversNearDeadline lists the open handovers whose running deadline
	// (accept or contact) is at or before until, and the events already
	// decided for them.
	HandoversNearDeadline(ctx context.Context, until time.Time) ([]*HandoverRecord, map[string]bool, error)
}

// NoticeRepo writes events and notices.
type NoticeRepo interface {
	NoticeReader
	// InsertEvent records that event was decided; false when it was already.
	InsertEvent(ctx context.Context, event, handoverID, kind string, at time.Time) (bool, error)
	// InsertNotice gives n to its user; false when they had it already.
	// digest marks it as waiting for the user's daily digest.
	InsertNotice(ctx context.Context, n Notice, digest bool) (bool, error)
	// MarkNoticesRead marks userID's unread notices of one handover (""
	// all) read at at, and answers how many.
	MarkNoticesRead(ctx context.Context, userID int64, handoverID string, at time.Time) (int, error)
	// MarkDigested takes notices out of the digest queue.
	MarkDigested(ctx context.Context, ids []int64) error
}

// Mail states in the outbox.
const (
	MailPending   = "pending"   // waits to be sent (again)
	MailSending   = "sending"   // handed to the SMTP server right now
	MailSent      = "sent"      // the SMTP server accepted it
	MailFailed    = "failed"    // refused for good, or given up
	MailUncertain = "uncertain" // a crash while sending: maybe sent, never sent again
)

// OutgoingMail is one mail of the outbox: one recipient of one event.
type OutgoingMail struct {
	ID            int64      `json:"id"`
	Event         string     `json:"event"`
	UserID        int64      `json:"-"`
	To            string     `json:"to"`
	Subject       string     `json:"subject"`
	Body          string     `json:"body"`
	CreatedAt     time.Time  `json:"created_at"`
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
}

// OutboxReader reads the outbox.
type OutboxReader interface {
	// Mails lists the newest mails.
	Mails(ctx context.Context, limit int) ([]OutgoingMail, error)
	// FindMails reads a page of the outbox, newest first (then by ID),
	// after q.After, with how many mails there are in all.
	FindMails(ctx context.Context, q MailQuery) (*MailResult, error)
	// DueMails lists pending mails whose next attempt is due at now, oldest first.
	DueMails(ctx context.Context, now time.Time, limit int) ([]OutgoingMail, error)
}

// OutboxRepo writes the outbox.
type OutboxRepo interface {
	OutboxReader
	// EnqueueMail adds m, pending; false when its (event, user) is there.
	EnqueueMail(ctx context.Context, m OutgoingMail) (bool, error)
	// ClaimMail moves a pending mail to sending and counts the attempt;
	// false when it was not pending (another worker took it).
	ClaimMail(ctx context.Context, id int64, at time.Time) (bool, error)
	// FinishMail sets a sending mail's state: sent (at), pending again
	// (next attempt at), failed or uncertain, with the last error.
	FinishMail(ctx context.Context, id int64, state string, at time.Time, lastError string) error
	// ForgetClaims turns mails claimed before the given time and still
	// sending into uncertain ones, and answers how many.
	ForgetClaims(ctx context.Context, claimedBefore time.Time) (int, error)
}

// PartnerReader reads the directory.
type PartnerReader interface {
	// PartnerServices lists every entry, by organisation and order.
	PartnerServices(ctx context.Context) ([]PartnerService, error)
}

// PartnerRepo writes the directory.
type PartnerRepo interface {
	PartnerReader
	// SavePartnerService inserts or replaces s (by its ID) with its topics
	// and hours; by names the editor.
	SavePartnerService(ctx context.Context, s *PartnerService, by string) error
	// DeletePartnerService removes an entry of organisation orgID; false
	// when it has none with id.
	DeletePartnerService(ctx context.Context, orgID int64, id string) (bool, error)
}
