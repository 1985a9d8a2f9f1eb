package cases

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ContactService logs and reads contacts, scoped to the actor's
// organisation: every worker and coordinator of an organisation reads its
// contacts; only the author corrects one, within the correction window;
// a coordinator voids.
type ContactService struct {
	store Store
	// Window is how old a newly logged contact may be.
	Window time.Duration
}

// NewContactService returns the service with the default window.
func NewContactService(store Store) *ContactService {
	return &ContactService{store: store, Window: DefaultContactWindow}
}

// Create stores a new contact, or returns the stored one when its ID was
// seen before (created = false): a tablet retrying after a lost answer.
func (s *ContactService) Create(ctx context.Context, actor Actor, in ContactInput) (*Contact, bool, error) {
	at, verr := in.Validate(ContactRules{Now: s.store.Now(), Window: s.Window})
	c := &Contact{
		ID: strings.ToLower(in.ID), Programme: in.Programme, Worker: actor.Username,
		OccurredAt: at.UTC().Truncate(time.Millisecond), Neighbourhood: in.Neighbourhood, Kind: in.Kind,
		ResidentID: strings.ToLower(in.ResidentID), Anonymous: in.Anonymous, Topics: in.Topics,
		Outcomes: in.Outcomes, Note: in.Note, Version: 1, OrganisationID: actor.OrganisationID,
		WorkerID: actor.UserID,
	}
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := MergeInvalid(verr, c.checkReference(ref)); err != nil {
		// A retry of a stored contact must succeed even when its time has
		// since left the window: look before refusing.
		if stored, ferr := s.read(ctx, actor, c.ID); ferr == nil {
			return stored, false, nil
		}
		return nil, false, err
	}
	c.Topics, c.Outcomes = sorted(c.Topics), sorted(c.Outcomes)
	created := false
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		c.CreatedAt, c.UpdatedAt = tx.Now(), tx.Now()
		res, err := tx.Contacts().InsertContact(ctx, c)
		switch {
		case err != nil:
			return err
		case res.Inserted:
			created = true
			return tx.Audit(AuditRecord{Actor: actor, Action: "create", Entity: "contact", EntityID: c.ID,
				IDs: residentIDs(c.ResidentID)})
		case res.Owner == actor.OrganisationID:
			return nil // a retry: answered with the stored contact below
		case res.Owner != 0:
			return FieldInvalid("id", "taken", "")
		}
		return FieldInvalid("resident_id", "unknown_resident", "")
	})
	if err != nil {
		return nil, false, err
	}
	if !created {
		stored, err := s.read(ctx, actor, c.ID)
		return stored, false, err
	}
	return c, true, nil
}

// sorted answers lists the way a read (and so a retry) does.
func sorted(list []string) []string {
	out := slices.Clone(list)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return out
}

// checkReference names every field whose slug the reference data lacks; a
// programme must be one the actor's organisation runs.
func (c *Contact) checkReference(ref *Reference) error {
	var problems []FieldError
	if p, ok := ref.Programme(c.Programme); !ok || p.OrganisationID != c.OrganisationID {
		problems = append(problems, FieldError{Field: "programme", Tag: "unknown", Param: c.Programme})
	}
	if _, ok := ref.Term(ListNeighbourhoods, c.Neighbourhood); !ok {
		problems = append(problems, FieldError{Field: "neighbourhood", Tag: "unknown", Param: c.Neighbourhood})
	}
	if _, ok := ref.Term(ListKinds, c.Kind); !ok {
		problems = append(problems, FieldError{Field: "kind", Tag: "unknown", Param: c.Kind})
	}
	problems = append(problems, ref.unknownSlugs("topics", ListTopics, c.Topics)...)
	problems = append(problems, ref.unknownSlugs("outcomes", ListOutcomes, c.Outcomes)...)
	return InvalidOrNil(problems)
}

// read is ByID without its audit line (the caller writes one).
func (s *ContactService) read(ctx context.Context, actor Actor, id string) (*Contact, error) {
	v := s.store.View(ctx)
	c, err := v.Contacts().Contact(ctx, actor.OrganisationID, id)
	if err != nil {
		return nil, err
	}
	c.History, err = v.Contacts().ContactHistory(ctx, c.ID)
	return c, err
}

// ByID reads one contact of the organisation with its history and what
// the actor may do with it; the read is audited (its note is about a
// person).
func (s *ContactService) ByID(ctx context.Context, actor Actor, id string) (*Contact, error) {
	c, err := s.read(ctx, actor, id)
	if err != nil {
		return nil, refused(ctx, s.store, actor, "contact", id, err)
	}
	c.Can = c.movesFor(actor, s.store.Now())
	return c, audit(ctx, s.store, AuditRecord{Actor: actor, Action: "read", Entity: "contact", EntityID: c.ID,
		IDs: residentIDs(c.ResidentID)})
}

// contactIDs names the contacts of a list, and their residents, for an
// audit line.
func contactIDs(list []*Contact) []AuditID {
	var out []AuditID
	for _, c := range list {
		out = append(out, AuditID{Kind: "contact", ID: c.ID})
		out = append(out, residentIDs(c.ResidentID)...)
	}
	return out
}

// Correct applies an author's correction, keeping the old version.
func (s *ContactService) Correct(ctx context.Context, actor Actor, id string, patch ContactPatch) (*Contact, error) {
	var next Contact
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		c, err := tx.Contacts().Contact(ctx, actor.OrganisationID, id)
		if err != nil {
			return err
		}
		if err := CanCorrect(c, actor, tx.Now()); err != nil {
			return err
		}
		if err := patch.Validate(ContactRules{Now: tx.Now(), Window: s.Window}); err != nil {
			return err
		}
		if patch.Version != nil && *patch.Version != c.Version {
			return Errorf(ECONFLICT, "contact_stale", c.Version)
		}
		next = patch.Apply(*c)
		ref, err := s.store.View(ctx).Reference(ctx)
		if err != nil {
			return err
		}
		if err := next.checkReference(ref); err != nil {
			return err
		}
		next.Topics, next.Outcomes = sorted(next.Topics), sorted(next.Outcomes)
		next.Version, next.UpdatedAt = c.Version+1, tx.Now()
		if err := tx.Contacts().CorrectContact(ctx, &next, c.version(actor, tx.Now())); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "correct", Entity: "contact", EntityID: c.ID, IDs: residentIDs(c.ResidentID),
			Detail: "version=" + strconv.Itoa(next.Version)})
	})
	if err != nil {
		return nil, refused(ctx, s.store, actor, "contact", id, err)
	}
	next.History, err = s.store.View(ctx).Contacts().ContactHistory(ctx, next.ID)
	return &next, err
}

// version is c as an earlier version, changed by actor at now.
func (c *Contact) version(actor Actor, now time.Time) ContactVersion {
	return ContactVersion{Version: c.Version, ChangedAt: now, ChangedBy: actor.Username, ChangedByID: actor.UserID,
		Programme: c.Programme, OccurredAt: c.OccurredAt, Neighbourhood: c.Neighbourhood, Kind: c.Kind,
		Topics: c.Topics, Outcomes: c.Outcomes, Note: c.Note}
}

// Void marks a contact void: it no longer counts but stays stored.
func (s *ContactService) Void(ctx context.Context, actor Actor, id string, in VoidInput) (*Contact, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *Contact
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		c, err := tx.Contacts().Contact(ctx, actor.OrganisationID, id)
		if err != nil {
			return err
		}
		switch {
		case c.VoidedAt != nil:
			return Errorf(ECONFLICT, "contact_voided")
		case c.ResidentErased:
			// The person still counts as counted before the erasure.
			return Errorf(ECONFLICT, "resident_erased")
		}
		now := tx.Now()
		c.VoidedAt, c.VoidedBy, c.VoidReason, c.UpdatedAt = &now, actor.UserID, in.Reason, now
		if err := tx.Contacts().VoidContact(ctx, c); err != nil {
			return err
		}
		out = c
		return tx.Audit(AuditRecord{Actor: actor, Action: "void", Entity: "contact", EntityID: c.ID,
			IDs: residentIDs(c.ResidentID)})
	})
	return out, refused(ctx, s.store, actor, "contact", id, err)
}
