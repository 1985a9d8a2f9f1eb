package cases

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Handover list directions.
const (
	DirectionIncoming = "incoming"
	DirectionOutgoing = "outgoing"
)

// HandoverFilter selects handovers of the actor's organisation.
type HandoverFilter struct {
	Direction string // "", incoming or outgoing
	State     string // "" or one state
	Overdue   bool   // only overdue ones
	Partner   string // the other organisation's slug
	Mine      bool   // incoming: assigned to me or not yet assigned; outgoing: sent by me
	MinAge    int    // only handovers sent at least this many days ago
	Limit     int
}

// Validate checks the filter's own values: the direction and the state.
func (f HandoverFilter) Validate() error {
	var problems []FieldError
	switch f.Direction {
	case "", DirectionIncoming, DirectionOutgoing:
	default:
		problems = append(problems, FieldError{Field: "direction", Tag: "unknown", Param: f.Direction})
	}
	if f.State != "" && !ValidState(f.State) {
		problems = append(problems, FieldError{Field: "state", Tag: "unknown", Param: f.State})
	}
	return InvalidOrNil(problems)
}

// HandoverList is a page of handovers with counts over all that match the
// direction and partner (not the state, overdue, age or limit), so a
// coordinator sees at a glance what is waiting.
type HandoverList struct {
	Handovers []*Handover    `json:"handovers"`
	Counts    map[string]int `json:"counts"`
	Overdue   int            `json:"overdue"`
	Total     int            `json:"total"`
}

// Assignee is a user of the actor's organisation who can take a handover.
type Assignee struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// HandoverQuery is a list of handovers as the store reads it: the filter
// resolved to IDs, with the clock for the overdue rule. The store returns
// them in review order: overdue first, then the other open ones (urgent
// first, oldest first), then closed ones (latest change first).
type HandoverQuery struct {
	OrganisationID int64
	Directions     []string // incoming, outgoing, or both
	PartnerID      int64    // 0: any
	MineUserID     int64    // 0: anyone's; incoming: assigned to this user or nobody; outgoing: sent by them
	State          string   // "": any
	Overdue        bool
	SentBefore     *time.Time // only handovers sent at or before
	Limit          int
	Now            time.Time
}

// HandoverPage is what the store found: a page of records and, over all
// that match the directions, partner and "mine" (not the state, overdue,
// age or limit), the counts per state and the number overdue; Total counts
// all that match the whole query.
type HandoverPage struct {
	Records []*HandoverRecord
	Counts  map[string]int
	Overdue int
	Total   int
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
	// The resident must be a record of the sender's organisation.
	r, err := tx.Residents().Resident(ctx, actor.OrganisationID, in.ResidentID)
	if ErrorCode(err) == ENOTFOUND {
		return "", FieldInvalid("resident_id", "unknown_resident", "")
	} else if err != nil {
		return "", err
	}
	limits, err := tx.Handovers().HandoverLimits(ctx, res.to.ID)
	if err != nil {
		return "", err
	}
	now := tx.Now()
	h := &HandoverRecord{
		ID: uuid.NewString(), State: StateRequested,
		From: Party{Organisation: actor.OrganisationSlug, Programme: res.fromProgramme, Worker: actor.Username},
		To:   Party{Organisation: res.to.Slug, Programme: res.toProgramme}, FromOrganisationID: actor.OrganisationID,
		ToOrganisationID: res.to.ID, SenderID: actor.UserID, FromResidentID: r.ID, Topics: in.Topics,
		Question: in.Question, Urgency: in.Urgency, PreferredContactWay: in.PreferredContactWay,
		PreferredContactTime: in.PreferredContactTime, Shared: copyOf(r, in.Story, in.Consent.Scope),
		Consent: ConsentRecord{Consent: Consent{Given: true, How: in.Consent.How,
			At: consentAt.UTC().Truncate(time.Millisecond), RecordedBy: actor.Username, Scope: in.Consent.Scope},
			RecordedByID: actor.UserID},
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
			if next, err := h.checkMove(ActionReceive, actor); err == nil {
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
		return tx.Audit(AuditRecord{Actor: actor, Action: "read", Entity: "handover", EntityID: h.ID})
	})
	return out, err
}

// MaxHandovers is the most handovers one list returns.
const MaxHandovers = 500

// Find lists the organisation's handovers in review order, with counts per
// state over the direction, partner and "mine" choice.
func (s *HandoverService) Find(ctx context.Context, actor Actor, f HandoverFilter) (*HandoverList, error) {
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return nil, err
	}
	now := s.store.Now()
	q := HandoverQuery{OrganisationID: actor.OrganisationID, State: f.State, Overdue: f.Overdue, Limit: f.Limit, Now: now,
		Directions: []string{DirectionIncoming, DirectionOutgoing}}
	err = f.Validate()
	if f.Partner != "" {
		if o, ok := ref.Organisation(f.Partner); ok {
			q.PartnerID = o.ID
		} else {
			err = MergeInvalid(err, FieldInvalid("partner", "unknown", f.Partner))
		}
	}
	if err != nil {
		return nil, err
	}
	if f.Direction != "" {
		q.Directions = []string{f.Direction}
	}
	if q.Limit <= 0 || q.Limit > MaxHandovers {
		q.Limit = 100
	}
	if f.Mine {
		q.MineUserID = actor.UserID
	}
	if f.MinAge > 0 {
		before := now.AddDate(0, 0, -f.MinAge)
		q.SentBefore = &before
	}
	page, err := s.store.View(ctx).Handovers().FindHandovers(ctx, q)
	if err != nil {
		return nil, err
	}
	list := &HandoverList{Handovers: make([]*Handover, 0, len(page.Records)), Counts: page.Counts,
		Overdue: page.Overdue, Total: page.Total}
	for _, h := range page.Records {
		list.Handovers = append(list.Handovers, h.viewFor(actor, now))
	}
	return list, s.store.Update(ctx, func(_ context.Context, tx Tx) error {
		return tx.Audit(AuditRecord{Actor: actor, Action: "list", Entity: "handover",
			Detail: "results=" + strconv.Itoa(len(list.Handovers))})
	})
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
