package cases

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// Handover limits: working days within which the receiving organisation
// accepts a handover and makes the first contact, both counted from the
// moment it was sent.
const (
	DefaultAcceptDays  = 5
	DefaultContactDays = 10
)

// HandoverLimits are one receiving organisation's deadlines in working days.
type HandoverLimits struct {
	AcceptDays  int `json:"accept_days" validate:"min=1,max=60"`
	ContactDays int `json:"contact_days" validate:"min=1,max=120,gtefield=AcceptDays"`
}

// DefaultHandoverLimits apply to an organisation that set none.
var DefaultHandoverLimits = HandoverLimits{AcceptDays: DefaultAcceptDays, ContactDays: DefaultContactDays}

// Validate checks the limits.
func (l *HandoverLimits) Validate() error { return InvalidOrNil(validateStruct(l)) }

// Deadlines returns when a handover sent at sent must be accepted and
// contacted under these limits.
func (l HandoverLimits) Deadlines(sent time.Time) (acceptBy, contactBy time.Time) {
	return AddWorkdays(sent, l.AcceptDays), AddWorkdays(sent, l.ContactDays)
}

// Overdue reports whether a handover in state is past a deadline at now:
// in an AcceptDeadlineStates state at or after acceptBy, or in a
// ContactDeadlineStates state at or after contactBy. Closed handovers and
// contacted ones are never overdue. Storage's SQL is built from the same
// state lists and compares the same way (deadline <= now).
func Overdue(state string, acceptBy, contactBy, now time.Time) bool {
	switch {
	case slices.Contains(AcceptDeadlineStates, state):
		return !now.Before(acceptBy)
	case slices.Contains(ContactDeadlineStates, state):
		return !now.Before(contactBy)
	}
	return false
}

// setLimits stores org's deadlines, gives its open handovers the new ones
// and audits the change.
func setLimits(ctx context.Context, tx Tx, actor Actor, org Organisation, l HandoverLimits) error {
	if err := tx.Handovers().SetHandoverLimits(ctx, org.ID, l); err != nil {
		return err
	}
	open, err := tx.Handovers().OpenHandoversTo(ctx, org.ID)
	if err != nil {
		return err
	}
	for _, h := range open {
		h.AcceptBy, h.ContactBy = l.Deadlines(h.RequestedAt)
		if err := tx.Handovers().SaveHandover(ctx, h); err != nil {
			return err
		}
	}
	return tx.Audit(AuditRecord{Actor: actor, Action: "set_limits", Entity: "organisation", EntityID: org.Slug,
		Detail: "accept_days=" + strconv.Itoa(l.AcceptDays) + " contact_days=" + strconv.Itoa(l.ContactDays)})
}
