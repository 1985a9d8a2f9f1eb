package cases

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults of the notifications.
const (
	// DefaultRedirectAfter is how many working days a handover is overdue
	// before its sender is prompted to send the resident elsewhere.
	DefaultRedirectAfter = 3
	// DigestTime is when, on working days, the daily digests go out
	// (Europe/Amsterdam).
	DigestTime = 7*time.Hour + 30*time.Minute
)

// NotifyService decides and records the notifications of handover events,
// answers the unread counts, and runs the working-day escalations and the
// daily digests. Every event is recorded in the transaction of the change
// it is about; mails go to the outbox there too and are sent afterwards
// (MailDelivery), so a slow mail server never slows a request.
type NotifyService struct {
	store Store
	// Mail writes mails to the outbox: an SMTP server is configured, or the
	// demo shows the mails it would send. Without it the app part runs only.
	Mail bool
	// BaseURL starts the links in mails ("https://buurtbrug.example.nl").
	BaseURL string
	// RedirectAfter: see DefaultRedirectAfter; 0 prompts never.
	RedirectAfter int
}

// NewNotifyService returns the service with the defaults.
func NewNotifyService(store Store) *NotifyService {
	return &NotifyService{store: store, RedirectAfter: DefaultRedirectAfter, BaseURL: "http://127.0.0.1:8080"}
}

// event is one event about a handover, to be told to its recipients.
type event struct {
	kind     string
	key      string
	h        *HandoverRecord
	deadline time.Time
	actor    *Actor // who caused it, told nothing; nil for the escalation job
}

// record decides event ev once: the notices of its recipients and, by each
// one's preference, a mail now or in the next digest.
func (n *NotifyService) record(ctx context.Context, tx Tx, ev event) error {
	fresh, err := tx.Notices().InsertEvent(ctx, ev.key, ev.h.ID, ev.kind, tx.Now())
	if err != nil || !fresh {
		return err
	}
	receiving, err := tx.Users().Users(ctx, ev.h.ToOrganisationID)
	if err != nil {
		return err
	}
	sender, err := tx.Users().UserByID(ctx, ev.h.SenderID)
	if err != nil {
		return err
	}
	ref, err := n.store.View(ctx).Reference(ctx)
	if err != nil {
		return err
	}
	for _, u := range Recipients(ev.kind, ev.h, receiving, sender) {
		if ev.actor != nil && u.ID == ev.actor.UserID {
			continue // the one who did it knows
		}
		mail := n.Mail && u.Email != ""
		digest := mail && u.MailPreference == MailDigest
		fresh, err := tx.Notices().InsertNotice(ctx, Notice{Event: ev.key, UserID: u.ID, Kind: ev.kind,
			HandoverID: ev.h.ID, At: tx.Now()}, digest)
		if err != nil {
			return err
		}
		if !fresh || !mail || u.MailPreference != MailImmediate {
			continue
		}
		subject, body := noticeMail(n.facts(ref, ev.kind, ev.h.ID, ev.h.FromOrganisationID, ev.h.ToOrganisationID,
			ev.deadline, u), n.base())
		if _, err := tx.Outbox().EnqueueMail(ctx, OutgoingMail{Event: ev.key, UserID: u.ID, To: u.Email,
			Subject: subject, Body: body, CreatedAt: tx.Now(), NextAttemptAt: tx.Now()}); err != nil {
			return err
		}
	}
	return nil
}

func (n *NotifyService) base() string { return strings.TrimRight(n.BaseURL, "/") }

// facts are what the mail about a notice for u may say.
func (n *NotifyService) facts(ref *Reference, kind, handoverID string, from, to int64, deadline time.Time, u *User) mailFacts {
	name := func(id int64) string {
		if o, ok := ref.OrganisationByID(id); ok {
			return o.Name
		}
		return "?"
	}
	return mailFacts{Kind: kind, From: name(from), To: name(to), ToSender: u.OrganisationID == from,
		Deadline: deadline, Prompt: n.RedirectAfter, Link: n.base() + "/handovers/" + handoverID}
}

// handoverSent tells the addressees of a new handover that it arrived.
func (n *NotifyService) handoverSent(ctx context.Context, tx Tx, actor Actor, h *HandoverRecord) error {
	return n.record(ctx, tx, event{kind: NoticeArrived, key: eventKey(h.ID, NoticeArrived), h: h, actor: &actor})
}

// handoverMoved tells the sender what became of their handover, and an
// assignee other than the actor that it is theirs now.
func (n *NotifyService) handoverMoved(ctx context.Context, tx Tx, actor Actor, h *HandoverRecord, action string) error {
	if kind, ok := noticeKindOfMove[action]; ok {
		if err := n.record(ctx, tx, event{kind: kind, key: eventKey(h.ID, kind), h: h, actor: &actor}); err != nil {
			return err
		}
	}
	if action == ActionAccept || action == ActionReassign {
		key := eventKey(h.ID, NoticeAssigned, itoa64(h.AssigneeID), itoa64(tx.Now().UnixMilli()))
		return n.record(ctx, tx, event{kind: NoticeAssigned, key: key, h: h, actor: &actor})
	}
	return nil
}

// handoverOpened: a handover its addressee opened is no longer unread for them.
func (n *NotifyService) handoverOpened(ctx context.Context, tx Tx, actor Actor, h *HandoverRecord) error {
	_, err := tx.Notices().MarkNoticesRead(ctx, actor.UserID, h.ID, tx.Now())
	return err
}

// Unread counts the actor's unread notices by group.
func (n *NotifyService) Unread(ctx context.Context, actor Actor) (Unread, error) {
	byKind, err := n.store.View(ctx).Notices().UnreadNotices(ctx, actor.UserID)
	if err != nil {
		return Unread{}, err
	}
	return UnreadOf(byKind), nil
}

// NoticeFilter is a page of the actor's notices.
type NoticeFilter struct {
	Cursor string
	Limit  int // 0: NoticePageSize.Default
}

// NoticeKey is a notice's place in the list: unread first, newest first.
type NoticeKey struct {
	Read bool
	At   time.Time
	ID   int64
}

// NoticeQuery is a page of one user's notices as the store reads it. AsOf
// is when the list's first page was read: "read" means read by then, so a
// notice read while someone pages keeps its place (it was shown unread, or
// will be) instead of coming round again among the read ones. The store
// reports Notice.Read as of AsOf too.
type NoticeQuery struct {
	UserID int64
	After  *NoticeKey
	AsOf   time.Time
	Limit  int
}

// NoticeResult is what the store found: up to Limit notices after the key
// and how many the user has in all.
type NoticeResult struct {
	Notices []Notice
	Total   int
}

// NoticeList is one page of notices.
type NoticeList struct {
	Notices    []Notice
	NextCursor string
	Total      int
	Offset     int
}

// Notices lists a page of the actor's notices, unread first, newest
// first, with their text. A page size over the maximum or a foreign
// cursor is EINVALID naming it.
func (n *NotifyService) Notices(ctx context.Context, actor Actor, f NoticeFilter) (*NoticeList, error) {
	q := NoticeQuery{UserID: actor.UserID, AsOf: n.store.Now()}
	limit, problems := NoticePageSize.Of(f.Limit)
	cur, err := ParseCursor(f.Cursor, 4)
	if err == nil && cur != nil {
		k := &NoticeKey{Read: cur.Key[0] == "1"}
		if cur.Key[0] != "0" && cur.Key[0] != "1" {
			err = FieldInvalid("cursor", "cursor", "")
		}
		if err == nil {
			k.At, err = cur.keyTime(1)
		}
		if err == nil {
			k.ID, err = cur.keyInt(2)
		}
		if err == nil {
			q.AsOf, err = cur.keyTime(3)
		}
		q.After = k
	}
	if err := MergeInvalid(problems, err); err != nil {
		return nil, err
	}
	q.Limit = limit + 1 // one more tells whether a next page exists
	v := n.store.View(ctx)
	res, err := v.Notices().FindNotices(ctx, q)
	if err != nil {
		return nil, err
	}
	list := &NoticeList{Notices: res.Notices, Total: res.Total, Offset: offsetOf(cur)}
	list.Notices, list.NextCursor = pageOf(list.Notices, limit, list.Offset, func(last Notice) []string {
		read := "0"
		if last.Read {
			read = "1"
		}
		return []string{read, FormatTime(last.At), itoa64(last.ID), FormatTime(q.AsOf)}
	})
	ref, err := v.Reference(ctx)
	if err != nil {
		return nil, err
	}
	u := &User{OrganisationID: actor.OrganisationID}
	for i, no := range list.Notices {
		f := n.facts(ref, no.Kind, no.HandoverID, no.FromOrganisationID, no.ToOrganisationID, no.Deadline(), u)
		nl, en := f.lines()
		list.Notices[i].Text = [2]string{nl, en}
	}
	return list, nil
}

// MarkAllRead marks every notice of the actor read.
func (n *NotifyService) MarkAllRead(ctx context.Context, actor Actor) error {
	return n.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		_, err := tx.Notices().MarkNoticesRead(ctx, actor.UserID, "", tx.Now())
		return err
	})
}

// Escalate records every escalation the open handovers have reached now
// (Escalations): reminders one working day before a deadline, overdue
// notices, redirect prompts. Each is decided once, however often this runs;
// the server runs it every minute. The search reads outside any write
// transaction; only handovers with something new are written, each looked
// at again in the transaction (it may have moved meanwhile). It answers
// how many escalations it recorded.
func (n *NotifyService) Escalate(ctx context.Context) (int, error) {
	now := n.store.Now()
	// A reminder starts at most one calendar day (25 hours across a clock
	// change) before its deadline.
	open, decided, err := n.store.View(ctx).Notices().HandoversNearDeadline(ctx, now.Add(25*time.Hour))
	if err != nil {
		return 0, err
	}
	var due []*HandoverRecord
	for _, h := range open {
		if len(n.newEscalations(h, now, decided)) > 0 {
			due = append(due, h)
		}
	}
	recorded := 0
	// In small transactions, so a first run over many old handovers never
	// holds the one writer long.
	for chunk := range slices.Chunk(due, escalationBatch) {
		done := 0
		err := n.store.Update(ctx, func(ctx context.Context, tx Tx) error {
			done = 0
			for _, old := range chunk {
				h, err := tx.Handovers().Handover(ctx, old.ToOrganisationID, old.ID)
				if err != nil {
					return err
				}
				for _, e := range n.newEscalations(h, tx.Now(), decided) {
					if err := n.record(ctx, tx, event{kind: e.Kind, key: eventKey(h.ID, e.Kind, e.Detail), h: h,
						deadline: e.Deadline}); err != nil {
						return err
					}
					done++
				}
			}
			return nil
		})
		if err != nil {
			return recorded, err
		}
		recorded += done
	}
	return recorded, nil
}

// escalationBatch is how many handovers one transaction of Escalate
// escalates.
const escalationBatch = 25

// newEscalations are the escalations h has reached at now that are not
// decided yet.
func (n *NotifyService) newEscalations(h *HandoverRecord, now time.Time, decided map[string]bool) []Escalation {
	var out []Escalation
	for _, e := range Escalations(h.State, h.AcceptBy, h.ContactBy, now, n.RedirectAfter) {
		if !decided[eventKey(h.ID, e.Kind, e.Detail)] {
			out = append(out, e)
		}
	}
	return out
}

// DigestCut is the digest time of now's day in Amsterdam, and whether the
// day's digests are due at now: on a working day, from DigestTime on. A
// digest holds the notices from before the cut; later ones wait for the
// next working day's.
func DigestCut(now time.Time) (time.Time, bool) {
	cut := startOfDay(now).Add(DigestTime)
	return cut, IsWorkday(now) && !now.Before(cut)
}

// SendDigests writes, when digests are due, one mail per user with what
// still waits for them unread from before today's digest time (notices read
// in the meantime are left out). A second run the same day writes nothing:
// the digest is one event per user and day. If the server was down at
// 07:30, the digests go out when it is back. It answers how many it wrote.
func (n *NotifyService) SendDigests(ctx context.Context) (int, error) {
	cut, due := DigestCut(n.store.Now())
	if !n.Mail || !due {
		return 0, nil
	}
	written := 0
	err := n.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		written = 0
		users, err := tx.Notices().DigestUsers(ctx, cut)
		if err != nil {
			return err
		}
		ref, err := n.store.View(ctx).Reference(ctx)
		if err != nil {
			return err
		}
		day := tx.Now().In(Amsterdam).Format(time.DateOnly)
		for _, id := range users {
			ok, err := n.digest(ctx, tx, ref, id, day, cut)
			if err != nil {
				return err
			}
			if ok {
				written++
			}
		}
		return nil
	})
	return written, err
}

// digest writes user id's digest of day, if anything unread from before
// cut waits.
func (n *NotifyService) digest(ctx context.Context, tx Tx, ref *Reference, id int64, day string, cut time.Time) (bool, error) {
	u, err := tx.Users().UserByID(ctx, id)
	if err != nil {
		return false, err
	}
	waiting, err := tx.Notices().DigestNotices(ctx, id, cut)
	if err != nil {
		return false, err
	}
	ids := make([]int64, 0, len(waiting))
	var items []mailFacts
	for _, w := range waiting {
		ids = append(ids, w.ID)
		if !w.Read {
			items = append(items, n.facts(ref, w.Kind, w.HandoverID, w.FromOrganisationID, w.ToOrganisationID, w.Deadline(), u))
		}
	}
	if err := tx.Notices().MarkDigested(ctx, ids); err != nil {
		return false, err
	}
	if len(items) == 0 || !u.Active || u.Email == "" || u.MailPreference == MailOff {
		return false, nil
	}
	subject, body := digestMail(items, n.base())
	return tx.Outbox().EnqueueMail(ctx, OutgoingMail{Event: "digest:" + day, UserID: u.ID, To: u.Email,
		Subject: subject, Body: body, CreatedAt: tx.Now(), NextAttemptAt: tx.Now()})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// liveOrNot refuses a handover to an organisation nobody would read it at
// (LiveOrganisations): 422 on "to", naming the partner.
func liveOrNot(ctx context.Context, tx Tx, to Organisation) error {
	users, err := tx.Users().Users(ctx, to.ID)
	if err != nil {
		return err
	}
	if !LiveOrganisations(users)[to.ID] {
		return FieldInvalid("to", "not_live", to.Name)
	}
	return nil
}

// SendsMail reports whether notifications go out by mail on this server.
func (n *NotifyService) SendsMail() bool { return n.Mail }
