package cases

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
)

// The moves of a handover. Each runs in one transaction: load (ENOTFOUND
// for a third organisation), check the move (ENOTALLOWED or EFORBIDDEN, and
// the guards of checkMove), then apply, which validates its input and
// changes the record; the change is saved and audited together.

// moveFunc changes h for one move; next is the state it leads to. It
// returns the detail of the audit line.
type moveFunc func(ctx context.Context, tx Tx, h *HandoverRecord, next string) (detail string, err error)

func (s *HandoverService) move(ctx context.Context, actor Actor, id, action string, apply moveFunc) (*Handover, error) {
	var out *Handover
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		h, err := tx.Handovers().Handover(ctx, actor.OrganisationID, id)
		if err != nil {
			return err
		}
		next, err := h.checkMove(action, actor, tx.Now())
		if err != nil {
			return err
		}
		detail, err := apply(ctx, tx, h, next)
		if err != nil {
			return err
		}
		was := h.State
		if next != was {
			h.State = next
			h.reached(next, tx.Now())
		}
		h.UpdatedAt = tx.Now()
		if err := tx.Handovers().SaveHandover(ctx, h); err != nil {
			return err
		}
		if err := s.notify.handoverMoved(ctx, tx, actor, h, action); err != nil {
			return err
		}
		if detail != "" {
			detail = " " + detail
		}
		out = h.viewFor(actor, tx.Now())
		return tx.Audit(AuditRecord{Actor: actor, Action: action, Entity: "handover", EntityID: h.ID,
			Detail: "state=" + was + "->" + next + detail})
	})
	return out, err
}

// Accept takes a handover on and assigns a receiving worker (default: the
// actor). The receiving organisation gets its own record of the resident,
// holding only the shared fields, linked to the same person.
func (s *HandoverService) Accept(ctx context.Context, actor Actor, id string, in AcceptInput) (*Handover, error) {
	return s.move(ctx, actor, id, ActionAccept, func(ctx context.Context, tx Tx, h *HandoverRecord, _ string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		username := in.Assignee
		if username == "" {
			username = actor.Username
		}
		u, err := assignee(ctx, tx, h.ToOrganisationID, username)
		if err != nil {
			return "", err
		}
		sent, err := tx.Residents().Resident(ctx, h.FromOrganisationID, h.FromResidentID)
		if err != nil {
			return "", err
		}
		record, err := s.residents.insert(ctx, tx, actor, uuid.NewString(), h.receiverRecord(tx.Now()), sent.PersonID)
		if err != nil {
			return "", err
		}
		h.AssigneeID, h.To.Worker, h.To.WorkerName, h.ToResidentID = u.ID, u.Username, u.DisplayName, record.ID
		if h.ReceivedAt == nil {
			now := tx.Now()
			h.ReceivedAt = &now
		}
		return "assignee=" + u.Username + " resident=" + record.ID, nil
	})
}

// Reassign gives a handover to a receiving worker (the receiving
// coordinator's task): before acceptance, so the worker finds it as theirs,
// or after, to hand it on. Assigning an unopened handover marks it received.
func (s *HandoverService) Reassign(ctx context.Context, actor Actor, id string, in AcceptInput) (*Handover, error) {
	return s.move(ctx, actor, id, ActionReassign, func(ctx context.Context, tx Tx, h *HandoverRecord, _ string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		if in.Assignee == "" {
			return "", FieldInvalid("assignee", "required", "")
		}
		u, err := assignee(ctx, tx, h.ToOrganisationID, in.Assignee)
		if err != nil {
			return "", err
		}
		h.AssigneeID, h.To.Worker, h.To.WorkerName = u.ID, u.Username, u.DisplayName
		return "assignee=" + u.Username, nil
	})
}

// RecordFirstContact records the first real contact with the resident and
// logs it as a contact of the receiving organisation's programme.
func (s *HandoverService) RecordFirstContact(ctx context.Context, actor Actor, id string, in ContactedInput) (*Handover, error) {
	return s.move(ctx, actor, id, ActionContact, func(ctx context.Context, tx Tx, h *HandoverRecord, _ string) (string, error) {
		at, err := in.Validate(tx.Now(), h.RequestedAt)
		if err != nil {
			return "", err
		}
		at = at.UTC().Truncate(time.Millisecond)
		contactID, err := s.logFirstContact(ctx, tx, actor, h, at, in)
		if err != nil {
			return "", err
		}
		h.FirstContact = &FirstContact{At: at, How: in.How, Note: in.Note, ContactID: contactID}
		return "how=" + in.How + " contact=" + contactID, nil
	})
}

// firstContactProgramme is the receiving programme a first contact counts
// for: the one the handover names, else the assignee's, else the
// recorder's, else the organisation's first; "" when it runs none.
func firstContactProgramme(ctx context.Context, tx Tx, ref *Reference, h *HandoverRecord, actor Actor) (string, error) {
	if h.To.Programme != "" {
		return h.To.Programme, nil
	}
	for _, uid := range []int64{h.AssigneeID, actor.UserID} {
		if uid == 0 {
			continue
		}
		u, err := tx.Users().UserByID(ctx, uid)
		if err != nil {
			return "", err
		}
		if _, ok := ref.Programme(u.Programme); ok && u.OrganisationID == h.ToOrganisationID {
			return u.Programme, nil
		}
	}
	programmes := ref.ProgrammesOf(h.ToOrganisationID)
	if len(programmes) == 0 {
		return "", nil
	}
	return slices.MinFunc(programmes, func(a, b Programme) int { return int(a.ID - b.ID) }).Slug, nil
}

// logFirstContact writes the contact of a first contact for the receiving
// organisation: its programme (firstContactProgramme), the receiver's
// record, the handover's topics, counted in the given neighbourhood or the
// record's. An organisation without any programme logs no contact ("").
func (s *HandoverService) logFirstContact(ctx context.Context, tx Tx, actor Actor, h *HandoverRecord,
	at time.Time, in ContactedInput) (string, error) {
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return "", err
	}
	programme, err := firstContactProgramme(ctx, tx, ref, h, actor)
	if err != nil || programme == "" {
		return "", err
	}
	hood := in.Neighbourhood
	if hood != "" {
		if _, ok := ref.Term(ListNeighbourhoods, hood); !ok {
			return "", FieldInvalid("neighbourhood", "unknown", hood)
		}
	} else if h.ToResidentID != "" {
		r, err := tx.Residents().Resident(ctx, h.ToOrganisationID, h.ToResidentID)
		if err != nil {
			return "", err
		}
		hood = r.Neighbourhood
	}
	if hood == "" {
		// The consent did not cover the neighbourhood and the receiver's
		// record has none: counting needs one, so the receiving worker
		// names it.
		return "", FieldInvalid("neighbourhood", "neighbourhood_unknown", "")
	}
	kind := ContactKindFor(in.How)
	if _, ok := ref.Term(ListKinds, kind); !ok {
		return "", FieldInvalid("how", "unknown", in.How)
	}
	c := &Contact{
		ID: uuid.NewString(), Programme: programme, OccurredAt: at, Neighbourhood: hood, Kind: kind,
		ResidentID: h.ToResidentID, Topics: h.Topics, Outcomes: []string{}, Note: in.Note, Version: 1,
		OrganisationID: actor.OrganisationID, WorkerID: actor.UserID, CreatedAt: tx.Now(), UpdatedAt: tx.Now(),
	}
	if res, err := tx.Contacts().InsertContact(ctx, c); err != nil {
		return "", err
	} else if !res.Inserted {
		return "", Errorf(EINTERNAL, "internal")
	}
	return c.ID, tx.Audit(AuditRecord{Actor: actor, Action: "create", Entity: "contact", EntityID: c.ID,
		Detail: "handover=" + h.ID})
}

// Complete closes a handover with an outcome and a note back.
func (s *HandoverService) Complete(ctx context.Context, actor Actor, id string, in CompleteInput) (*Handover, error) {
	return s.move(ctx, actor, id, ActionComplete, func(ctx context.Context, _ Tx, h *HandoverRecord, _ string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		ref, err := s.store.View(ctx).Reference(ctx)
		if err != nil {
			return "", err
		}
		if _, ok := ref.Term(ListOutcomes, in.Outcome); !ok {
			return "", FieldInvalid("outcome", "unknown", in.Outcome)
		}
		h.Outcome, h.CompletionNote = in.Outcome, in.Note
		return "outcome=" + in.Outcome, nil
	})
}

// simple is a move that validates its input and changes fields of h
// (returning the audit detail), with nothing else to read or write.
func simple(validate func() error, change func(h *HandoverRecord, now time.Time) string) moveFunc {
	return func(_ context.Context, tx Tx, h *HandoverRecord, _ string) (string, error) {
		if err := validate(); err != nil {
			return "", err
		}
		return change(h, tx.Now()), nil
	}
}

// Decline refuses a handover with a reason; the sender may redirect it.
func (s *HandoverService) Decline(ctx context.Context, actor Actor, id string, in DeclineInput) (*Handover, error) {
	return s.move(ctx, actor, id, ActionDecline, simple(in.Validate, func(h *HandoverRecord, _ time.Time) string {
		h.DeclineReason, h.DeclineNote = in.Reason, in.Note
		return "reason=" + in.Reason
	}))
}

// Withdraw calls an open handover back. Once accepted, the receiver's
// record made for it loses its purpose: the end reaches the receiver as a
// withdrawn consent does (applyConsentEnd).
func (s *HandoverService) Withdraw(ctx context.Context, actor Actor, id string, in WithdrawInput) (*Handover, error) {
	return s.move(ctx, actor, id, ActionWithdraw, func(ctx context.Context, tx Tx, h *HandoverRecord, _ string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		h.WithdrawReason = in.Reason
		if h.ToResidentID == "" {
			return "", nil
		}
		return "", applyConsentEnd(ctx, tx, h, ErasedHandoverWithdrawn)
	})
}

// WithdrawConsent records that the resident withdrew consent: the shared
// copy is erased at once, an open handover is withdrawn, and the end
// reaches the receiver at once (applyConsentEnd).
func (s *HandoverService) WithdrawConsent(ctx context.Context, actor Actor, id string, in ConsentWithdrawInput) (*Handover, error) {
	return s.move(ctx, actor, id, ActionWithdrawConsent, func(ctx context.Context, tx Tx, h *HandoverRecord, _ string) (string, error) {
		if err := in.Validate(); err != nil {
			return "", err
		}
		now := tx.Now()
		h.Consent.WithdrawnAt, h.Consent.WithdrawnBy, h.Consent.WithdrawnByID = &now, actor.Username, actor.UserID
		h.Consent.WithdrawalNote = in.Note
		h.Shared = SharedCopy{}
		return "", applyConsentEnd(ctx, tx, h, ErasedConsentWithdrawn)
	})
}

// RenewConsent records that the resident renewed a consent that is running
// out or ran out: it lasts the sending organisation's period from the
// renewal. A consent whose end already reached the receiver is renewed for
// what the handover still holds; the receiver's erased record stays erased.
func (s *HandoverService) RenewConsent(ctx context.Context, actor Actor, id string, in ConsentRenewInput) (*Handover, error) {
	return s.move(ctx, actor, id, ActionRenewConsent, func(ctx context.Context, tx Tx, h *HandoverRecord, _ string) (string, error) {
		at, err := in.Validate(tx.Now())
		if err != nil {
			return "", err
		}
		privacy, err := privacyOf(ctx, tx.Privacy(), h.FromOrganisationID)
		if err != nil {
			return "", err
		}
		h.Consent.How, h.Consent.RenewedAt = in.How, &at
		h.Consent.ValidUntil = at.AddDate(0, privacy.ConsentMonths, 0)
		h.Consent.ReachedReceiverAt = nil
		return "how=" + in.How + " valid_until=" + FormatTime(h.Consent.ValidUntil), nil
	})
}

// Redirect sends the resident of a declined handover to another partner: a
// new handover linked to the first, with consent of its own. It answers the
// new handover.
func (s *HandoverService) Redirect(ctx context.Context, actor Actor, id string, in RedirectInput) (*Handover, error) {
	var newID string
	_, err := s.move(ctx, actor, id, ActionRedirect, func(ctx context.Context, tx Tx, h *HandoverRecord, _ string) (string, error) {
		if in.To == h.To.Organisation {
			return "", FieldInvalid("to", "same_partner", in.To)
		}
		first := h.View(SideSender, tx.Now())
		var err error
		if newID, err = s.create(ctx, tx, actor, in.Input(first, h.FromResidentID, first.From.Programme), h.ID); err != nil {
			return "", err
		}
		h.RedirectedTo = newID
		return "to=" + in.To + " handover=" + newID, nil
	})
	if err != nil {
		return nil, err
	}
	h, err := s.store.View(ctx).Handovers().Handover(ctx, actor.OrganisationID, newID)
	if err != nil {
		return nil, err
	}
	return h.viewFor(actor, s.store.Now()), nil
}
