package cases

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Handover list directions.
const (
	DirectionIncoming = "incoming"
	DirectionOutgoing = "outgoing"
)

// Assignee is a user of the actor's organisation who can take a handover.
type Assignee struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// HandoverService sends, moves and reads handovers. Every use case is
// scoped: only the sending and the receiving organisation see a handover;
// anyone else gets ENOTFOUND. The moves are in handover_moves.go.
type HandoverService struct {
	store     Store
	residents *ResidentService
	contacts  *ContactService
	notify    *NotifyService
}

// NewHandoverService returns the service; it makes receivers' records and
// first contacts through residents and contacts, and tells whom it
// concerns through notify.
func NewHandoverService(store Store, residents *ResidentService, contacts *ContactService, notify *NotifyService) *HandoverService {
	return &HandoverService{store: store, residents: residents, contacts: contacts, notify: notify}
}

// Create sends a handover. Without given consent nothing is written.
func (s *HandoverService) Create(ctx context.Context, actor Actor, in HandoverInput) (*Handover, error) {
	var out *Handover
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		id, err := s.create(ctx, tx, actor, in, "")
		if err != nil {
			return err
		}
		h, err := tx.Handovers().Handover(ctx, actor.OrganisationID, id)
		if err != nil {
			return err
		}
		out = h.viewFor(actor, tx.Now())
		return nil
	})
	return out, err
}

// resolved are the reference values of a new handover.
type resolved struct {
	fromProgramme string
	to            Organisation
	toProgramme   string
}

// resolve checks the slugs of a new handover, naming each unknown one. The
// sender's programme defaults to the actor's own.
func resolve(ref *Reference, actor Actor, in *HandoverInput) (resolved, error) {
	out := resolved{fromProgramme: actor.Programme}
	var problems []FieldError
	if in.Programme != "" {
		if p, ok := ref.Programme(in.Programme); !ok || p.OrganisationID != actor.OrganisationID {
			problems = append(problems, FieldError{Field: "programme", Tag: "unknown", Param: in.Programme})
		} else {
			out.fromProgramme = p.Slug
		}
	}
	to, ok := ref.Organisation(in.To)
	switch {
	case !ok || !to.ReceivesHandovers:
		problems = append(problems, FieldError{Field: "to", Tag: "unknown", Param: in.To})
	case to.ID == actor.OrganisationID:
		problems = append(problems, FieldError{Field: "to", Tag: "own_organisation"})
	default:
		out.to = to
	}
	if in.ToProgramme != "" {
		if p, ok := ref.Programme(in.ToProgramme); !ok || p.OrganisationID != to.ID {
			problems = append(problems, FieldError{Field: "to_programme", Tag: "unknown", Param: in.ToProgramme})
		} else {
			out.toProgramme = p.Slug
		}
	}
	problems = append(problems, ref.unknownSlugs("topics", ListTopics, in.Topics)...)
	return out, InvalidOrNil(problems)
}

// create validates and writes a new handover inside tx and returns its ID.
// redirectedFrom links it to a declined handover.
func (s *HandoverService) create(ctx context.Context, tx Tx, actor Actor, in HandoverInput, redirectedFrom string) (string, error) {
	in.Normalise()
	// The consent gate comes first in the answer; unknown slugs are named
	// with it, so a user sees every wrong field at once.
	consentAt, verr := in.Validate(HandoverRules{Now: tx.Now(), Window: ConsentWindow})
	reference, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return "", err
	}
	res, rerr := resolve(reference, actor, &in)
	if rerr == nil {
		rerr = liveOrNot(ctx, tx, res.to)
	}
	if err := MergeInvalid(verr, rerr); err != nil {
		return "", err
	}
	// The resident must be a record of the sender's organisation; a record
	// merged into another is sent as that one.
	r, err := tx.Residents().Resident(ctx, actor.OrganisationID, in.ResidentID)
	if err == nil && r.MergedInto != "" {
		r, err = tx.Residents().Resident(ctx, actor.OrganisationID, r.MergedInto)
	}
	if ErrorCode(err) == ENOTFOUND {
		return "", FieldInvalid("resident_id", "unknown_resident", "")
	} else if err != nil {
		return "", err
	}
	// One open handover of a record to a partner at a time: a second would
	// have the partner call the resident twice. Only the organisation's own
	// handovers of its own record are looked at.
	if open, err := tx.Handovers().OpenHandoverOf(ctx, actor.OrganisationID, r.ID, res.to.ID); err != nil {
		return "", err
	} else if open != "" {
		return "", FieldInvalid("resident_id", "handover_open", res.to.Name)
	}
	limits, err := tx.Handovers().HandoverLimits(ctx, res.to.ID)
	if err != nil {
		return "", err
	}
	privacy, err := privacyOf(ctx, tx.Privacy(), actor.OrganisationID)
	if err != nil {
		return "", err
	}
	now := tx.Now()
	consentAt = consentAt.UTC().Truncate(time.Millisecond)
	h := &HandoverRecord{
		ID: uuid.NewString(), State: StateRequested,
		From: Party{Organisation: actor.OrganisationSlug, Programme: res.fromProgramme, Worker: actor.Username},
		To:   Party{Organisation: res.to.Slug, Programme: res.toProgramme}, FromOrganisationID: actor.OrganisationID,
		ToOrganisationID: res.to.ID, SenderID: actor.UserID, FromResidentID: r.ID, Topics: in.Topics,
		Question: in.Question, Urgency: in.Urgency, PreferredContactWay: in.PreferredContactWay,
		PreferredContactTime: in.PreferredContactTime, Shared: copyOf(r, in.Story, in.Consent.Scope),
		Consent: ConsentRecord{Consent: Consent{Given: true, How: in.Consent.How, At: consentAt,
			ValidUntil: consentAt.AddDate(0, privacy.ConsentMonths, 0), RecordedBy: actor.Username,
			Scope: in.Consent.Scope}, RecordedByID: actor.UserID},
		RedirectedFrom: redirectedFrom,
		HandoverTimes:  HandoverTimes{RequestedAt: now, UpdatedAt: now},
	}
	h.AcceptBy, h.ContactBy = limits.Deadlines(now)
	if err := tx.Handovers().InsertHandover(ctx, h); err != nil {
		return "", err
	}
	if err := s.notify.handoverSent(ctx, tx, actor, h); err != nil {
		return "", err
	}
	detail := "to=" + in.To + " scope=" + strings.Join(in.Consent.Scope, ",")
	if redirectedFrom != "" {
		detail += " redirected_from=" + redirectedFrom
	}
	return h.ID, tx.Audit(AuditRecord{Actor: actor, Action: "create", Entity: "handover", EntityID: h.ID, Detail: detail})
}

// ByID reads one handover. The first time someone of the receiving
// organisation opens it, it becomes received. Every read is audited.
func (s *HandoverService) ByID(ctx context.Context, actor Actor, id string) (*Handover, error) {
	var out *Handover
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		h, err := tx.Handovers().Handover(ctx, actor.OrganisationID, id)
		if err != nil {
			return err
		}
		if h.State == StateRequested && h.Side(actor) == SideReceiver {
			if next, err := h.checkMove(ActionReceive, actor, tx.Now()); err == nil {
				h.State, h.UpdatedAt = next, tx.Now()
				h.reached(next, tx.Now())
				if err := tx.Handovers().SaveHandover(ctx, h); err != nil {
					return err
				}
				if err := tx.Audit(AuditRecord{Actor: actor, Action: ActionReceive, Entity: "handover", EntityID: h.ID,
					Detail: "state=" + StateRequested + "->" + next}); err != nil {
					return err
				}
			}
		}
		if err := s.notify.handoverOpened(ctx, tx, actor, h); err != nil {
			return err
		}
		out = h.viewFor(actor, tx.Now())
		return tx.Audit(AuditRecord{Actor: actor, Action: "read", Entity: "handover", EntityID: h.ID,
			IDs: residentIDs(out.ResidentID)})
	})
	return out, refused(ctx, s.store, actor, "handover", id, err)
}

// Partners lists the organisations the actor's organisation can hand over to.
func (s *HandoverService) Partners(ctx context.Context, actor Actor) ([]Organisation, error) {
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return nil, err
	}
	return ref.Partners(actor.OrganisationID), nil
}

// Assignees lists who in the actor's organisation can take a handover, by
// display name.
func (s *HandoverService) Assignees(ctx context.Context, actor Actor) ([]Assignee, error) {
	users, err := s.store.View(ctx).Users().Users(ctx, actor.OrganisationID)
	if err != nil {
		return nil, err
	}
	var out []Assignee
	for _, u := range users {
		if u.TakesHandovers() {
			out = append(out, Assignee{Username: u.Username, DisplayName: u.DisplayName})
		}
	}
	slices.SortStableFunc(out, func(a, b Assignee) int { return strings.Compare(a.DisplayName, b.DisplayName) })
	return out, nil
}

// assignee finds who may take a handover of organisation orgID by
// username, or refuses the field.
func assignee(ctx context.Context, tx Tx, orgID int64, username string) (*User, error) {
	u, err := tx.Users().UserByUsername(ctx, username)
	switch {
	case ErrorCode(err) == ENOTFOUND || (err == nil && (u.OrganisationID != orgID || !u.TakesHandovers())):
		return nil, FieldInvalid("assignee", "unknown_assignee", username)
	case err != nil:
		return nil, err
	}
	return u, nil
}

// AllLimits returns every organisation's deadlines by slug, the defaults
// for those that set none.
func (s *HandoverService) AllLimits(ctx context.Context) (map[string]HandoverLimits, error) {
	v := s.store.View(ctx)
	ref, err := v.Reference(ctx)
	if err != nil {
		return nil, err
	}
	set, err := v.Handovers().AllHandoverLimits(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]HandoverLimits, len(ref.Organisations))
	for _, o := range ref.Organisations {
		l, ok := set[o.ID]
		if !ok {
			l = DefaultHandoverLimits
		}
		out[o.Slug] = l
	}
	return out, nil
}

// SetLimits changes a receiving organisation's deadlines (an
// administrator's task). The open handovers it receives get the new
// deadlines, counted from when each was sent.
func (s *HandoverService) SetLimits(ctx context.Context, actor Actor, organisation string, l HandoverLimits) error {
	if !actor.Has(RoleAdmin) {
		return Errorf(EFORBIDDEN, "forbidden")
	}
	if err := l.Validate(); err != nil {
		return err
	}
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return err
	}
	org, ok := ref.Organisation(organisation)
	if !ok {
		return FieldInvalid("organisation", "unknown", organisation)
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		return setLimits(ctx, tx, actor, org, l)
	})
}
