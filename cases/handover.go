package cases

import (
	"slices"
	"time"
)

// A warm handover passes a resident from one partner organisation to another,
// only with the resident's consent, with the question and the story attached,
// and with the loop closed: the sender sees when it arrived, who took it,
// when the first real contact was made and what came of it.

// Handover states.
const (
	StateRequested = "requested" // sent; the receiving organisation has not opened it yet
	StateReceived  = "received"  // opened by someone of the receiving organisation
	StateAccepted  = "accepted"  // taken on, with a receiving worker assigned
	StateContacted = "contacted" // the first real contact with the resident was made
	StateCompleted = "completed" // closed with an outcome
	StateDeclined  = "declined"  // refused by the receiver, with a reason
	StateWithdrawn = "withdrawn" // called back by the sender, or consent withdrawn
)

// HandoverStates lists the states in the order of the process.
var HandoverStates = []string{StateRequested, StateReceived, StateAccepted, StateContacted,
	StateCompleted, StateDeclined, StateWithdrawn}

// ValidState reports whether s names a state.
func ValidState(s string) bool { return slices.Contains(HandoverStates, s) }

// The state sets. Storage builds its SQL filters (and its partial indexes
// name the same lists) from these, so a rule about open or closed handovers
// is written here only.
var (
	// OpenStates still wait for someone.
	OpenStates = []string{StateRequested, StateReceived, StateAccepted, StateContacted}
	// ClosedStates are final.
	ClosedStates = []string{StateCompleted, StateDeclined, StateWithdrawn}
	// AcceptDeadlineStates are open and not yet accepted: the accept
	// deadline runs.
	AcceptDeadlineStates = []string{StateRequested, StateReceived}
	// ContactDeadlineStates are accepted and not yet contacted: the contact
	// deadline runs.
	ContactDeadlineStates = []string{StateAccepted}
)

// OpenState reports whether a handover in state still waits for someone.
func OpenState(state string) bool { return slices.Contains(OpenStates, state) }

// Handover actions: the moves of the state machine.
const (
	ActionReceive         = "receive"          // automatic: first opened by the receiving organisation
	ActionAccept          = "accept"           // POST /accept
	ActionContact         = "contact"          // POST /contacted
	ActionComplete        = "complete"         // POST /complete
	ActionDecline         = "decline"          // POST /decline
	ActionWithdraw        = "withdraw"         // POST /withdraw
	ActionWithdrawConsent = "withdraw_consent" // POST /consent/withdraw
	ActionRedirect        = "redirect"         // POST /redirect: a new, linked handover to another partner
	ActionReassign        = "reassign"         // the receiving coordinator assigns a worker, before or after acceptance
	ActionRenewConsent    = "renew_consent"    // POST /consent/renew: the sender records a renewed consent
)

// HandoverActions lists every action.
var HandoverActions = []string{ActionReceive, ActionAccept, ActionContact, ActionComplete, ActionDecline,
	ActionWithdraw, ActionWithdrawConsent, ActionRedirect, ActionReassign, ActionRenewConsent}

// Sides of a handover. The actor's side follows from their organisation.
const (
	SideSender   = "sender"
	SideReceiver = "receiver"
)

// Move is one row of the state machine: in state From, action Action leads
// to state To, and may be done by someone of one of Sides holding one of
// Roles.
type Move struct {
	From, Action, To string
	Sides            []string
	Roles            []string
}

var (
	staff     = []string{RoleWorker, RoleCoordinator}
	coordOnly = []string{RoleCoordinator}
	sender    = []string{SideSender}
	receiver  = []string{SideReceiver}
	bothSides = []string{SideSender, SideReceiver}
)

// HandoverMoves is the state machine. Any (state, action) pair not listed is
// refused with ENOTALLOWED (409) naming the current state; a listed pair done
// by the wrong side or role is refused with EFORBIDDEN (403).
//
// Consent can be withdrawn in every state, on either side (a resident may
// tell either partner): an open handover becomes withdrawn, a closed one
// keeps its state, and in all cases the shared fields are erased.
var HandoverMoves = []Move{
	{StateRequested, ActionReceive, StateReceived, receiver, staff},
	{StateRequested, ActionAccept, StateAccepted, receiver, staff},
	{StateRequested, ActionDecline, StateDeclined, receiver, staff},
	{StateRequested, ActionWithdraw, StateWithdrawn, sender, staff},
	{StateRequested, ActionWithdrawConsent, StateWithdrawn, bothSides, staff},
	{StateRequested, ActionReassign, StateReceived, receiver, coordOnly},

	{StateReceived, ActionAccept, StateAccepted, receiver, staff},
	{StateReceived, ActionDecline, StateDeclined, receiver, staff},
	{StateReceived, ActionWithdraw, StateWithdrawn, sender, staff},
	{StateReceived, ActionWithdrawConsent, StateWithdrawn, bothSides, staff},
	{StateReceived, ActionReassign, StateReceived, receiver, coordOnly},

	{StateAccepted, ActionContact, StateContacted, receiver, staff},
	{StateAccepted, ActionDecline, StateDeclined, receiver, staff},
	{StateAccepted, ActionReassign, StateAccepted, receiver, coordOnly},
	{StateAccepted, ActionWithdraw, StateWithdrawn, sender, staff},
	{StateAccepted, ActionWithdrawConsent, StateWithdrawn, bothSides, staff},

	{StateContacted, ActionComplete, StateCompleted, receiver, staff},
	{StateContacted, ActionReassign, StateContacted, receiver, coordOnly},
	{StateContacted, ActionWithdraw, StateWithdrawn, sender, staff},
	{StateContacted, ActionWithdrawConsent, StateWithdrawn, bothSides, staff},

	{StateCompleted, ActionWithdrawConsent, StateCompleted, bothSides, staff},

	{StateDeclined, ActionRedirect, StateDeclined, sender, staff},
	{StateDeclined, ActionWithdrawConsent, StateDeclined, bothSides, staff},

	{StateWithdrawn, ActionWithdrawConsent, StateWithdrawn, bothSides, staff},

	// The sender renews a consent that is running out or ran out; the
	// state stays. A withdrawn consent is not renewed (checkMove): the
	// resident gives a new one for a new handover.
	{StateRequested, ActionRenewConsent, StateRequested, sender, staff},
	{StateReceived, ActionRenewConsent, StateReceived, sender, staff},
	{StateAccepted, ActionRenewConsent, StateAccepted, sender, staff},
	{StateContacted, ActionRenewConsent, StateContacted, sender, staff},
	{StateCompleted, ActionRenewConsent, StateCompleted, sender, staff},
}

// NextState returns the state that action leads to from state when done by
// actor on side, or the error that refuses the move:
//   - ENOTALLOWED "handover_not_allowed.<state>" with Args {state, action}
//     when the state machine has no such move;
//   - EFORBIDDEN "handover_forbidden.<sender_only|receiver_only|coordinator_only>"
//     with Args {action, side} when the move exists but not for this actor.
func NextState(state, action string, actor Actor, side string) (string, error) {
	i := slices.IndexFunc(HandoverMoves, func(m Move) bool { return m.From == state && m.Action == action })
	if i < 0 {
		return "", Errorf(ENOTALLOWED, "handover_not_allowed."+state, state, action)
	}
	m := HandoverMoves[i]
	switch {
	case !slices.Contains(m.Sides, side) && slices.Equal(m.Sides, sender):
		return "", Errorf(EFORBIDDEN, "handover_forbidden.sender_only", action, side)
	case !slices.Contains(m.Sides, side):
		return "", Errorf(EFORBIDDEN, "handover_forbidden.receiver_only", action, side)
	case !slices.ContainsFunc(m.Roles, actor.Has) && slices.Equal(m.Roles, coordOnly):
		return "", Errorf(EFORBIDDEN, "handover_forbidden.coordinator_only", action, side)
	case !slices.ContainsFunc(m.Roles, actor.Has):
		return "", Errorf(EFORBIDDEN, "forbidden")
	}
	return m.To, nil
}

// checkMove is NextState for a stored handover: the state machine, and the
// guards that depend on more than the state (consent withdrawn once, a
// declined handover redirected once). It returns the state the move leads to.
func (h *HandoverRecord) checkMove(action string, actor Actor, now time.Time) (string, error) {
	next, err := NextState(h.State, action, actor, h.Side(actor))
	if err != nil {
		return "", err
	}
	switch {
	case action == ActionWithdrawConsent && h.Consent.WithdrawnAt != nil:
		return "", Errorf(ECONFLICT, "consent_already_withdrawn")
	case action == ActionRedirect && h.RedirectedTo != "":
		return "", Errorf(ECONFLICT, "handover_already_redirected")
	case action == ActionRenewConsent && h.Consent.WithdrawnAt != nil:
		return "", Errorf(ECONFLICT, "consent_withdrawn")
	case h.Consent.Expired(now) && !endedConsentMoves[action]:
		return "", Errorf(ECONFLICT, "consent_expired")
	}
	return next, nil
}

// endedConsentMoves may be made while the consent has run out: the sender
// renews or withdraws it, either side records its withdrawal, and opening
// the handover still marks it received.
var endedConsentMoves = map[string]bool{ActionRenewConsent: true, ActionWithdraw: true,
	ActionWithdrawConsent: true, ActionReceive: true, ActionDecline: true}

// Actions lists the moves actor may make on h now, for the screens: exactly
// the moves the use cases would accept (receiving happens by opening).
func (h *HandoverRecord) Actions(actor Actor, now time.Time) map[string]bool {
	out := map[string]bool{}
	for _, action := range HandoverActions {
		if _, err := h.checkMove(action, actor, now); err == nil && action != ActionReceive {
			out[action] = true
		}
	}
	return out
}
