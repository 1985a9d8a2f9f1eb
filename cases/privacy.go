package cases

import (
	"context"
	"strings"
	"time"
)

// The rules of residents' rights and of consent that ends: what erasing a
// record takes with it, and what reaches the receiver when the sender's
// consent is withdrawn or runs out.

// DefaultRetentionMonths is how long a record without any activity is kept
// unless its organisation sets otherwise.
const DefaultRetentionMonths = 24

// DefaultPrivacy are the settings of an organisation that set none.
var DefaultPrivacy = PrivacySettings{RetentionMonths: DefaultRetentionMonths, ConsentMonths: DefaultConsentMonths}

// Validate checks the settings.
func (s *PrivacySettings) Validate() error { return InvalidOrNil(validateStruct(s)) }

// privacyOf returns the settings of one organisation.
func privacyOf(ctx context.Context, r PrivacyReader, orgID int64) (PrivacySettings, error) {
	all, err := r.PrivacySettings(ctx)
	if err != nil {
		return PrivacySettings{}, err
	}
	if s, ok := all[orgID]; ok {
		return s, nil
	}
	return DefaultPrivacy, nil
}

// Reasons an erasure is recorded with when nobody typed one.
const (
	ErasedConsentWithdrawn = "consent_withdrawn"
	ErasedConsentExpired   = "consent_expired"
	// The sender called back a handover the receiver had accepted: the
	// consent was for this handover, so its purpose ended.
	ErasedHandoverWithdrawn = "handover_withdrawn"
	ErasedRetention         = "retention"
	ErasedCopy              = "copy_of_erased_record"
)

// eraseRecord erases record id of organisation orgID, the records merged
// into it, and what was copied from it: the records partners made of it on
// accepting a handover, unless
// a partner recorded its own legal ground for keeping its record. Each
// erasure is audited in the organisation that held the record.
func eraseRecord(ctx context.Context, tx Tx, actor Actor, orgID int64, id, reason string) error {
	sent, err := tx.Handovers().HandoversOfResident(ctx, orgID, id)
	if err != nil {
		return err
	}
	// Records merged into this one kept their fields as they were.
	merged, err := tx.Residents().MergedInto(ctx, orgID, id)
	if err != nil {
		return err
	}
	for _, r := range append(merged, &Resident{ID: id}) {
		if err := tx.Residents().EraseResident(ctx, r.ID, tx.Now()); err != nil {
			return err
		}
		if err := tx.Audit(AuditRecord{Actor: actorIn(actor, orgID), Action: "erase", Entity: "resident", EntityID: r.ID,
			Detail: "reason=" + reason}); err != nil {
			return err
		}
	}
	for _, h := range sent {
		if h.FromResidentID != id || h.ToResidentID == "" || h.ToResidentErased || h.Consent.ReceiverOwnGround {
			continue
		}
		if err := tx.Residents().EraseResident(ctx, h.ToResidentID, tx.Now()); err != nil {
			return err
		}
		if err := tx.Audit(AuditRecord{Actor: actorIn(actor, h.ToOrganisationID), Action: "erase", Entity: "resident",
			EntityID: h.ToResidentID, Detail: "reason=" + ErasedCopy + " handover=" + h.ID}); err != nil {
			return err
		}
	}
	return nil
}

// actorIn is actor as an audit line of organisation orgID names it: an
// erasure that reaches a partner's copy is recorded in the partner's audit,
// by the system on the actor's behalf.
func actorIn(actor Actor, orgID int64) Actor {
	if orgID == actor.OrganisationID {
		return actor
	}
	return Actor{Username: System.Username, OrganisationID: orgID, Address: actor.Address}
}

// applyConsentEnd makes the end of a consent (withdrawn, run out, or its
// handover called back: reason) reach the receiver: its record made on
// acceptance is erased, unless it recorded its own legal ground for it.
// The receiver's view already shows nothing of the sender once the consent
// has ended (HandoverRecord.View); the sender's view shows when the end
// reached the receiver. The caller saves h.
func applyConsentEnd(ctx context.Context, tx Tx, h *HandoverRecord, reason string) error {
	if h.ToResidentID != "" && !h.ToResidentErased && !h.Consent.ReceiverOwnGround {
		if err := tx.Residents().EraseResident(ctx, h.ToResidentID, tx.Now()); err != nil {
			return err
		}
		h.ToResidentErased = true
		if err := tx.Audit(AuditRecord{Actor: Actor{Username: System.Username, OrganisationID: h.ToOrganisationID},
			Action: "erase", Entity: "resident", EntityID: h.ToResidentID,
			Detail: "reason=" + reason + " handover=" + h.ID}); err != nil {
			return err
		}
	}
	now := tx.Now()
	h.Consent.ReachedReceiverAt = &now
	return nil
}

// ConsentRenewInput records that the resident renewed their consent.
type ConsentRenewInput struct {
	How string `json:"how" validate:"required,oneof=verbal written"`
	At  string `json:"at" validate:"omitempty,max=40"`
}

// Validate checks the input and returns when the consent was renewed: not
// in the future, no older than ConsentWindow.
func (in *ConsentRenewInput) Validate(now time.Time) (time.Time, error) {
	in.How = strings.TrimSpace(in.How)
	fields := validateStruct(in)
	at, problem := checkConsentAt(strings.TrimSpace(in.At), HandoverRules{Now: now, Window: ConsentWindow})
	if problem != nil && !hasField(fields, "at") {
		problem.Field = "at"
		fields = append(fields, *problem)
	}
	return at.UTC().Truncate(time.Millisecond), InvalidOrNil(fields)
}

// ReasonInput gives the reason of an erasure.
type ReasonInput struct {
	Reason string `json:"reason" validate:"required,max=500,plaintext"`
}

// Validate checks the reason.
func (in *ReasonInput) Validate() error {
	in.Reason = trim(in.Reason)
	return InvalidOrNil(validateStruct(in))
}

// OwnGroundInput records the receiving organisation's own legal ground for
// a record it got through a handover.
type OwnGroundInput struct {
	Ground string `json:"ground" validate:"required,max=500,plaintext"`
}

// Validate checks the ground.
func (in *OwnGroundInput) Validate() error {
	in.Ground = trim(in.Ground)
	return InvalidOrNil(validateStruct(in))
}
