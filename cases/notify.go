package cases

import (
	"slices"
	"strconv"
	"time"
)

// Notifications: nothing about a handover should go unseen. Each event of a
// handover (it arrived, it moved, a deadline nears or passed) is decided
// once, and each of its recipients gets a notice in the app and, by their
// preference, a mail. The rules of who hears what are here; the service
// (notify_service.go) records them in the transaction of the event.

// Notice kinds: what happened.
const (
	NoticeArrived        = "arrived"          // a handover for my organisation (or team) arrived
	NoticeAccepted       = "accepted"         // my handover was accepted
	NoticeContacted      = "contacted"        // ... the first contact was made
	NoticeCompleted      = "completed"        // ... it was closed with an outcome
	NoticeDeclined       = "declined"         // ... it was declined
	NoticeAssigned       = "assigned"         // a handover was assigned to me
	NoticeAcceptDueSoon  = "accept_due_soon"  // one working day left to accept
	NoticeContactDueSoon = "contact_due_soon" // one working day left to make contact
	NoticeAcceptOverdue  = "accept_overdue"   // not accepted in time
	NoticeContactOverdue = "contact_overdue"  // no contact in time
	NoticeRedirectPrompt = "redirect_prompt"  // overdue for days: the sender may send it elsewhere
	// A handover called back, or its consent withdrawn: the receiver stops
	// working on it (and, for consent, can no longer see the shared data).
	NoticeWithdrawn        = "withdrawn"
	NoticeConsentWithdrawn = "consent_withdrawn"
)

// NoticeKinds lists every kind.
var NoticeKinds = []string{NoticeArrived, NoticeAccepted, NoticeContacted, NoticeCompleted, NoticeDeclined,
	NoticeAssigned, NoticeAcceptDueSoon, NoticeContactDueSoon, NoticeAcceptOverdue, NoticeContactOverdue,
	NoticeRedirectPrompt, NoticeWithdrawn, NoticeConsentWithdrawn}

// Unread groups, as GET /api/v1/me and the menu count them.
const (
	GroupIncoming = "incoming_handovers" // incoming handovers that want me: new, assigned, nearly due
	GroupOutcomes = "outcomes"           // what became of the handovers I sent
	GroupOverdue  = "overdue"            // handovers past a deadline, and prompts to redirect
)

// NoticeGroup is the unread group a kind counts in.
func NoticeGroup(kind string) string {
	switch kind {
	case NoticeAccepted, NoticeContacted, NoticeCompleted, NoticeDeclined, NoticeWithdrawn, NoticeConsentWithdrawn:
		return GroupOutcomes
	case NoticeAcceptOverdue, NoticeContactOverdue, NoticeRedirectPrompt:
		return GroupOverdue
	}
	return GroupIncoming
}

// Unread counts a user's unread notices by group.
type Unread struct {
	IncomingHandovers int `json:"incoming_handovers"`
	Outcomes          int `json:"outcomes"`
	Overdue           int `json:"overdue"`
}

// Total is the number of unread notices.
func (u Unread) Total() int { return u.IncomingHandovers + u.Outcomes + u.Overdue }

// UnreadOf sums unread counts per kind into their groups.
func UnreadOf(byKind map[string]int) Unread {
	var u Unread
	for kind, n := range byKind {
		switch NoticeGroup(kind) {
		case GroupOutcomes:
			u.Outcomes += n
		case GroupOverdue:
			u.Overdue += n
		default:
			u.IncomingHandovers += n
		}
	}
	return u
}

// Notice is one notification of one user, as the app lists it: what
// happened to which handover, between which organisations. It names no
// resident.
type Notice struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	HandoverID string    `json:"handover_id"`
	At         time.Time `json:"at"`
	Read       bool      `json:"read"`

	Event              string `json:"-"`
	UserID             int64  `json:"-"`
	FromOrganisationID int64  `json:"-"`
	ToOrganisationID   int64  `json:"-"`
	// The handover's deadlines as they are now.
	AcceptBy, ContactBy time.Time `json:"-"`
	// Text is what happened, in Dutch and in English (the sentences of
	// the mails): filled in by NotifyService.Notices.
	Text [2]string `json:"-"`
}

// Deadline is the deadline a reminder or overdue notice is about.
func (n Notice) Deadline() time.Time {
	switch n.Kind {
	case NoticeAcceptDueSoon, NoticeAcceptOverdue:
		return n.AcceptBy
	case NoticeContactDueSoon, NoticeContactOverdue:
		return n.ContactBy
	}
	return time.Time{}
}

// noticeKindOfMove is the notice a move gives the other side.
var noticeKindOfMove = map[string]string{
	ActionAccept: NoticeAccepted, ActionContact: NoticeContacted, ActionComplete: NoticeCompleted,
	ActionDecline: NoticeDeclined, ActionWithdraw: NoticeWithdrawn, ActionWithdrawConsent: NoticeConsentWithdrawn,
}

// eventKey names an event of a handover once and for all: the outbox and
// the notices keep one row per (event, recipient).
func eventKey(handoverID, kind string, detail ...string) string {
	key := "h:" + handoverID + ":" + kind
	for _, d := range detail {
		key += ":" + d
	}
	return key
}

// Escalation is a step a handover's running deadline has reached.
type Escalation struct {
	Kind     string
	Deadline time.Time
	// Detail makes the event key: the deadline, so a deadline moved by new
	// limits escalates again.
	Detail string
}

// DueSoonAt is when a reminder for deadline goes out: at the start of its
// last working day (deadlines are the end of a working day), so the
// receiver has that one working day left.
func DueSoonAt(deadline time.Time) time.Time { return startOfDay(deadline.Add(-time.Millisecond)) }

// RedirectPromptAt is when the sender is prompted to redirect a handover
// past deadline: once it has been overdue for n whole working days,
// counted as the deadlines count them.
func RedirectPromptAt(deadline time.Time, n int) time.Time {
	return AddWorkdays(deadline.Add(-time.Millisecond), n)
}

// Escalations lists the steps a handover in state has reached at now for
// its running deadline (accept while not accepted, contact while accepted
// and not contacted): a reminder from DueSoonAt until the deadline, overdue
// from the deadline, and the redirect prompt from RedirectPromptAt. Closed
// and contacted handovers escalate no further.
func Escalations(state string, acceptBy, contactBy, now time.Time, promptDays int) []Escalation {
	var deadline time.Time
	var soon, overdue, which string
	switch {
	case slices.Contains(AcceptDeadlineStates, state):
		deadline, soon, overdue, which = acceptBy, NoticeAcceptDueSoon, NoticeAcceptOverdue, "accept"
	case slices.Contains(ContactDeadlineStates, state):
		deadline, soon, overdue, which = contactBy, NoticeContactDueSoon, NoticeContactOverdue, "contact"
	default:
		return nil
	}
	at := strconv.FormatInt(deadline.UnixMilli(), 10)
	var out []Escalation
	if now.Before(deadline) {
		if !now.Before(DueSoonAt(deadline)) {
			out = append(out, Escalation{Kind: soon, Deadline: deadline, Detail: at})
		}
		return out
	}
	out = append(out, Escalation{Kind: overdue, Deadline: deadline, Detail: at})
	if promptDays > 0 && !now.Before(RedirectPromptAt(deadline, promptDays)) {
		out = append(out, Escalation{Kind: NoticeRedirectPrompt, Deadline: deadline, Detail: which + ":" + at})
	}
	return out
}

// Recipients decides who hears of an event of kind about h: from the
// receiving organisation's accounts and the sender's. Only active
// accounts hear anything, each once.
//   - arrived: the addressees (see addressees);
//   - assigned: the assignee;
//   - accept_due_soon, contact_due_soon: the assignee (a handover may be
//     assigned before it is accepted), else the receiving coordinators;
//   - accepted, contacted, completed, declined, redirect_prompt: the sender;
//   - accept_overdue, contact_overdue: the receiving coordinators and the sender;
//   - withdrawn: who works on it at the receiver (the assignee, else the
//     addressees);
//   - consent_withdrawn: those, and the sender (either side may record it;
//     the one who did is told nothing).
func Recipients(kind string, h *HandoverRecord, receiving []*User, sender *User) []*User {
	var out []*User
	switch kind {
	case NoticeArrived:
		out = addressees(h, receiving)
	case NoticeAssigned:
		out = byID(receiving, h.AssigneeID)
	case NoticeAcceptDueSoon, NoticeContactDueSoon:
		if out = byID(receiving, h.AssigneeID); len(out) == 0 {
			out = coordinators(receiving)
		}
	case NoticeAccepted, NoticeContacted, NoticeCompleted, NoticeDeclined, NoticeRedirectPrompt:
		out = []*User{sender}
	case NoticeAcceptOverdue, NoticeContactOverdue:
		out = append(coordinators(receiving), sender)
	case NoticeWithdrawn:
		out = workingOn(h, receiving)
	case NoticeConsentWithdrawn:
		out = append(workingOn(h, receiving), sender)
	}
	seen := map[int64]bool{}
	return slices.DeleteFunc(out, func(u *User) bool {
		drop := u == nil || !u.Active || seen[u.ID]
		if u != nil {
			seen[u.ID] = true
		}
		return drop
	})
}

// addressees are who a new handover is for: the workers of the team (the
// receiving programme) it names, else the receiving coordinators, else
// everyone of the receiving organisation who takes handovers; a live
// organisation always has someone.
func addressees(h *HandoverRecord, receiving []*User) []*User {
	var takers, team []*User
	for _, u := range receiving {
		if !u.TakesHandovers() {
			continue
		}
		takers = append(takers, u)
		if h.To.Programme != "" && u.Programme == h.To.Programme && u.Has(RoleWorker) {
			team = append(team, u)
		}
	}
	if len(team) > 0 {
		return team
	}
	if c := coordinators(receiving); len(c) > 0 {
		return c
	}
	return takers
}

// workingOn are who work on h at the receiver: its assignee, else its
// addressees.
func workingOn(h *HandoverRecord, receiving []*User) []*User {
	if out := byID(receiving, h.AssigneeID); len(out) > 0 {
		return out
	}
	return addressees(h, receiving)
}

// coordinators are the active coordinators among users, else everyone
// who takes handovers (an organisation without a coordinator still hears).
func coordinators(users []*User) []*User {
	var out, takers []*User
	for _, u := range users {
		if u.TakesHandovers() {
			takers = append(takers, u)
			if u.Has(RoleCoordinator) {
				out = append(out, u)
			}
		}
	}
	if len(out) == 0 {
		return takers
	}
	return out
}

func byID(users []*User, id int64) []*User {
	for _, u := range users {
		if u.ID == id && id != 0 && u.TakesHandovers() {
			return []*User{u}
		}
	}
	return nil
}

// Has reports whether the user holds role.
func (u *User) Has(role string) bool { return slices.Contains(u.Roles, role) }

// LiveOrganisations are the organisations, by ID, with an active account
// that can take a handover: only those are offered as partners, because a
// handover to any other would never be read.
func LiveOrganisations(users []*User) map[int64]bool {
	out := map[int64]bool{}
	for _, u := range users {
		if u.TakesHandovers() {
			out[u.OrganisationID] = true
		}
	}
	return out
}
