package cases

import (
	"context"
	"slices"
	"strings"
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

// OpenState reports whether a handover in state still waits for someone.
func OpenState(state string) bool {
	return state == StateRequested || state == StateReceived || state == StateAccepted || state == StateContacted
}

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
	ActionReassign        = "reassign"         // the receiving coordinator assigns another worker
)

// HandoverActions lists every action.
var HandoverActions = []string{ActionReceive, ActionAccept, ActionContact, ActionComplete, ActionDecline,
	ActionWithdraw, ActionWithdrawConsent, ActionRedirect, ActionReassign}

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

	{StateReceived, ActionAccept, StateAccepted, receiver, staff},
	{StateReceived, ActionDecline, StateDeclined, receiver, staff},
	{StateReceived, ActionWithdraw, StateWithdrawn, sender, staff},
	{StateReceived, ActionWithdrawConsent, StateWithdrawn, bothSides, staff},

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

// Consent scope: the fields of the sender's record the receiver may see.
const (
	ScopeName          = "name"
	ScopePhone         = "phone"
	ScopeBirthDate     = "birth_date"
	ScopeNeighbourhood = "neighbourhood"
	ScopeStory         = "story"
)

// ConsentScopes lists the scope keys in display order.
var ConsentScopes = []string{ScopeName, ScopePhone, ScopeBirthDate, ScopeNeighbourhood, ScopeStory}

// Values of the small closed lists of a handover.
var (
	Urgencies         = []string{"normal", "urgent"}
	ConsentWays       = []string{"verbal", "written"}
	ContactWays       = []string{"phone", "home-visit", "drop-in", "via-sender"}
	FirstContactWays  = []string{"joint-visit", "phone-introduction", "drop-in", "home-visit"}
	DeclineReasons    = []string{"no_capacity", "not_eligible", "could_not_reach", "resident_declined", "other"}
	firstContactKinds = map[string]string{
		// A first contact is logged as a contact of the receiving
		// programme; its kind (reference data) follows from how it was made.
		"joint-visit": "huisbezoek", "phone-introduction": "telefoon", "drop-in": "spreekuur", "home-visit": "huisbezoek",
	}
)

// ContactKindFor returns the contact kind slug a first contact made in way
// is logged as.
func ContactKindFor(way string) string { return firstContactKinds[way] }

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
func (l *HandoverLimits) Validate() error { return invalidOrNil(validateStruct(l)) }

// Deadlines returns when a handover sent at sent must be accepted and
// contacted under these limits.
func (l HandoverLimits) Deadlines(sent time.Time) (acceptBy, contactBy time.Time) {
	return AddWorkdays(sent, l.AcceptDays), AddWorkdays(sent, l.ContactDays)
}

// Overdue reports whether a handover in state is past a deadline at now:
// not yet accepted after acceptBy, or accepted but not yet contacted after
// contactBy. Closed handovers and contacted ones are never overdue. The SQL
// of the review mirrors this rule.
func Overdue(state string, acceptBy, contactBy, now time.Time) bool {
	switch state {
	case StateRequested, StateReceived:
		return !now.Before(acceptBy)
	case StateAccepted:
		return !now.Before(contactBy)
	}
	return false
}

// Party is one side of a handover as shown: organisation and programme
// slugs and, where known, the worker's username.
type Party struct {
	Organisation string `json:"organisation"`
	Programme    string `json:"programme,omitempty"`
	Worker       string `json:"worker,omitempty"`
}

// SharedName is the resident's name as shared.
type SharedName struct {
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
}

// Shared holds the fields of the sender's record that the consent covers.
// Exactly the consented keys are present in its JSON; after consent is
// withdrawn it is empty.
type Shared struct {
	Name          *SharedName `json:"name,omitempty"`
	Phone         *string     `json:"phone,omitempty"`
	BirthDate     *string     `json:"birth_date,omitempty"`
	Neighbourhood *string     `json:"neighbourhood,omitempty"`
	Story         *string     `json:"story,omitempty"`
}

// Consent is the record of the resident's consent to the handover.
type Consent struct {
	Given          bool       `json:"given"`
	How            string     `json:"how"`
	At             time.Time  `json:"at"`
	RecordedBy     string     `json:"recorded_by"`
	Scope          []string   `json:"scope"`
	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawnBy    string     `json:"withdrawn_by,omitempty"`
	WithdrawalNote string     `json:"withdrawal_note,omitempty"`
}

// Covers reports whether the consent, still in force, covers scope key.
func (c Consent) Covers(key string) bool {
	return c.WithdrawnAt == nil && slices.Contains(c.Scope, key)
}

// FirstContact is the first real contact the receiver made.
type FirstContact struct {
	At        time.Time `json:"at"`
	How       string    `json:"how"`
	Note      string    `json:"note,omitempty"`       // the receiver's own note; not shown to the sender
	ContactID string    `json:"contact_id,omitempty"` // the contact logged for the receiving programme
}

// Handover is one handover as one side sees it. The receiver never sees the
// sender's record, its other contacts or notes: only Shared.
type Handover struct {
	ID        string `json:"id"`
	State     string `json:"state"`
	Direction string `json:"direction"` // "outgoing" for the sender, "incoming" for the receiver
	From      Party  `json:"from"`
	To        Party  `json:"to"`
	// ResidentID is the viewer's own record: the sender's record for the
	// sender, the record made on acceptance for the receiver.
	ResidentID           string        `json:"resident_id,omitempty"`
	Topics               []string      `json:"topics"`
	Question             string        `json:"question"`
	Urgency              string        `json:"urgency"`
	PreferredContactWay  string        `json:"preferred_contact_way,omitempty"`
	PreferredContactTime string        `json:"preferred_contact_time,omitempty"`
	Consent              Consent       `json:"consent"`
	Shared               Shared        `json:"shared"`
	Assignee             string        `json:"assignee,omitempty"`
	FirstContact         *FirstContact `json:"first_contact,omitempty"`
	Outcome              string        `json:"outcome,omitempty"`
	CompletionNote       string        `json:"completion_note,omitempty"` // the note back to the sender
	DeclineReason        string        `json:"decline_reason,omitempty"`
	DeclineNote          string        `json:"decline_note,omitempty"`
	WithdrawReason       string        `json:"withdraw_reason,omitempty"`
	RedirectedFrom       string        `json:"redirected_from,omitempty"`
	RedirectedTo         string        `json:"redirected_to,omitempty"`

	RequestedAt time.Time  `json:"requested_at"`
	ReceivedAt  *time.Time `json:"received_at,omitempty"`
	AcceptedAt  *time.Time `json:"accepted_at,omitempty"`
	ContactedAt *time.Time `json:"contacted_at,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	DeclinedAt  *time.Time `json:"declined_at,omitempty"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
	AcceptBy    time.Time  `json:"accept_by"`
	ContactBy   time.Time  `json:"contact_by"`
	Overdue     bool       `json:"overdue"`

	FromOrganisationID int64 `json:"-"`
	ToOrganisationID   int64 `json:"-"`
	AssigneeID         int64 `json:"-"`
	SenderID           int64 `json:"-"`
}

// Side returns the side actor is on, or "" for a third organisation.
func (h *Handover) Side(actor Actor) string {
	switch actor.OrganisationID {
	case h.FromOrganisationID:
		return SideSender
	case h.ToOrganisationID:
		return SideReceiver
	}
	return ""
}

// HandoverInput sends a handover. Consent is required and must be given.
type HandoverInput struct {
	ResidentID           string        `json:"resident_id" validate:"required,uuid"`
	Programme            string        `json:"programme" validate:"omitempty,slug"`
	To                   string        `json:"to" validate:"required,slug"`
	ToProgramme          string        `json:"to_programme" validate:"omitempty,slug"`
	Topics               []string      `json:"topics" validate:"required,min=1,max=12,unique,dive,slug"`
	Question             string        `json:"question" validate:"required,max=500,plaintext"`
	Story                string        `json:"story" validate:"max=4000,plaintext"`
	Urgency              string        `json:"urgency" validate:"omitempty,oneof=normal urgent"`
	PreferredContactWay  string        `json:"preferred_contact_way" validate:"omitempty,oneof=phone home-visit drop-in via-sender"`
	PreferredContactTime string        `json:"preferred_contact_time" validate:"max=200,plaintext"`
	Consent              *ConsentInput `json:"consent" validate:"required"`
}

// ConsentInput records the resident's consent: given (must be true), how,
// when (RFC 3339, default now) and which fields the receiver may see.
type ConsentInput struct {
	Given bool     `json:"given"`
	How   string   `json:"how" validate:"required,oneof=verbal written"`
	At    string   `json:"at" validate:"omitempty,max=40"`
	Scope []string `json:"scope" validate:"max=5,unique,dive,oneof=name phone birth_date neighbourhood story"`
}

// HandoverRules are what validation needs from outside: the clock and how
// old a recorded consent may be.
type HandoverRules struct {
	Now    time.Time
	Window time.Duration
}

// Normalise trims the texts and fills defaults.
func (in *HandoverInput) Normalise() {
	in.ResidentID = strings.ToLower(trim(in.ResidentID))
	in.Question = trim(in.Question)
	in.Story = trimRight(in.Story)
	in.PreferredContactTime = trim(in.PreferredContactTime)
	if in.Urgency == "" {
		in.Urgency = "normal"
	}
}

// Validate checks the input against the rules that need no database and
// returns when consent was given. Without given consent nothing may be
// shared: consent.given is the first thing checked.
func (in *HandoverInput) Validate(rules HandoverRules) (time.Time, error) {
	fields := validateStruct(in)
	consentAt := rules.Now
	if in.Consent != nil {
		if !in.Consent.Given {
			fields = append([]FieldError{{Field: "consent.given", Tag: "consent_required"}}, fields...)
		}
		at, problem := checkConsentAt(in.Consent.At, rules)
		if problem != nil && !hasField(fields, problem.Field) {
			fields = append(fields, *problem)
		}
		consentAt = at
		if strings.TrimSpace(in.Story) != "" && !slices.Contains(in.Consent.Scope, ScopeStory) && !hasField(fields, "story") {
			fields = append(fields, FieldError{Field: "story", Tag: "story_without_consent"})
		}
		if in.PreferredContactWay == "phone" && !slices.Contains(in.Consent.Scope, ScopePhone) &&
			!hasField(fields, "preferred_contact_way") {
			fields = append(fields, FieldError{Field: "preferred_contact_way", Tag: "phone_not_shared"})
		}
	}
	return consentAt, invalidOrNil(fields)
}

// checkConsentAt parses when consent was given: not in the future, not
// older than the window.
func checkConsentAt(s string, rules HandoverRules) (time.Time, *FieldError) {
	if s == "" {
		return rules.Now, nil
	}
	at, err := time.Parse(time.RFC3339, s)
	switch {
	case err != nil:
		return time.Time{}, &FieldError{Field: "consent.at", Tag: "rfc3339"}
	case at.After(rules.Now.Add(MaxClockSkew)):
		return at, &FieldError{Field: "consent.at", Tag: "future"}
	case at.Before(rules.Now.Add(-rules.Window)):
		return at, &FieldError{Field: "consent.at", Tag: "too_old", Param: itoa(int(rules.Window.Hours() / 24))}
	}
	return at, nil
}

// ConsentWindow is how long before sending a consent may have been given.
const ConsentWindow = 30 * 24 * time.Hour

// AcceptInput accepts a handover, assigning a receiving worker (default:
// the actor). Reassigning uses it too.
type AcceptInput struct {
	Assignee string `json:"assignee" validate:"omitempty,max=64,username"`
}

// Validate checks the input.
func (in *AcceptInput) Validate() error {
	in.Assignee = strings.ToLower(trim(in.Assignee))
	return invalidOrNil(validateStruct(in))
}

// ContactedInput records the first real contact: when (default now) and how.
// The note stays with the receiver.
//
// Neighbourhood is optional: the contact logged for the receiving programme
// is counted in the resident's neighbourhood, taken from the receiver's
// record when this is empty (it must be given when neither the consent nor
// the record names one).
type ContactedInput struct {
	At            string `json:"at" validate:"omitempty,max=40"`
	How           string `json:"how" validate:"required,oneof=joint-visit phone-introduction drop-in home-visit"`
	Note          string `json:"note" validate:"max=4000,plaintext"`
	Neighbourhood string `json:"neighbourhood" validate:"omitempty,slug"`
}

// Validate checks the input; the contact may not be in the future, nor
// before the handover was sent, nor older than the contact window.
func (in *ContactedInput) Validate(now, sent time.Time) (time.Time, error) {
	in.Note = trimRight(in.Note)
	fields := validateStruct(in)
	at := now
	if in.At != "" && !hasField(fields, "at") {
		t, err := time.Parse(time.RFC3339, in.At)
		switch {
		case err != nil:
			fields = append(fields, FieldError{Field: "at", Tag: "rfc3339"})
		case t.After(now.Add(MaxClockSkew)):
			fields = append(fields, FieldError{Field: "at", Tag: "future"})
		case t.Before(sent.Add(-MaxClockSkew)):
			fields = append(fields, FieldError{Field: "at", Tag: "before_handover"})
		case t.Before(now.Add(-DefaultContactWindow)):
			fields = append(fields, FieldError{Field: "at", Tag: "too_old", Param: itoa(int(DefaultContactWindow.Hours() / 24))})
		}
		at = t
	}
	return at, invalidOrNil(fields)
}

// CompleteInput closes a handover with an outcome slug and a note back to
// the sender.
type CompleteInput struct {
	Outcome string `json:"outcome" validate:"required,slug"`
	Note    string `json:"note" validate:"max=2000,plaintext"`
}

// Validate checks the input.
func (in *CompleteInput) Validate() error {
	in.Note = trimRight(in.Note)
	return invalidOrNil(validateStruct(in))
}

// DeclineInput refuses a handover; "other" needs a note saying why.
type DeclineInput struct {
	Reason string `json:"reason" validate:"required,oneof=no_capacity not_eligible could_not_reach resident_declined other"`
	Note   string `json:"note" validate:"max=2000,plaintext"`
}

// Validate checks the input. The reasons are also accepted as written in
// words ("no capacity").
func (in *DeclineInput) Validate() error {
	in.Reason = strings.ReplaceAll(strings.ToLower(trim(in.Reason)), " ", "_")
	in.Note = trimRight(in.Note)
	fields := validateStruct(in)
	if in.Reason == "other" && trim(in.Note) == "" && !hasField(fields, "note") {
		fields = append(fields, FieldError{Field: "note", Tag: "note_for_other"})
	}
	return invalidOrNil(fields)
}

// WithdrawInput calls a handover back.
type WithdrawInput struct {
	Reason string `json:"reason" validate:"required,max=500,plaintext"`
}

// Validate checks the input.
func (in *WithdrawInput) Validate() error {
	in.Reason = trim(in.Reason)
	return invalidOrNil(validateStruct(in))
}

// ConsentWithdrawInput records that the resident withdrew consent.
type ConsentWithdrawInput struct {
	Note string `json:"note" validate:"max=500,plaintext"`
}

// Validate checks the input.
func (in *ConsentWithdrawInput) Validate() error {
	in.Note = trim(in.Note)
	return invalidOrNil(validateStruct(in))
}

// RedirectInput sends a declined handover's resident to another partner.
// The new handover takes the resident, topics, question, story and
// preferences of the first unless given here, and needs consent of its own:
// consent is given for one receiver.
type RedirectInput struct {
	To                   string        `json:"to" validate:"required,slug"`
	ToProgramme          string        `json:"to_programme" validate:"omitempty,slug"`
	Topics               []string      `json:"topics" validate:"omitempty,min=1,max=12,unique,dive,slug"`
	Question             *string       `json:"question" validate:"omitempty,max=500,plaintext"`
	Story                *string       `json:"story" validate:"omitempty,max=4000,plaintext"`
	Urgency              string        `json:"urgency" validate:"omitempty,oneof=normal urgent"`
	PreferredContactWay  *string       `json:"preferred_contact_way" validate:"omitempty,oneof=phone home-visit drop-in via-sender"`
	PreferredContactTime *string       `json:"preferred_contact_time" validate:"omitempty,max=200,plaintext"`
	Consent              *ConsentInput `json:"consent" validate:"required"`
}

// Input returns the new handover's input: first's values where r gives none.
func (r *RedirectInput) Input(first *Handover, residentID, programme string) HandoverInput {
	in := HandoverInput{
		ResidentID: residentID, Programme: programme, To: r.To, ToProgramme: r.ToProgramme,
		Topics: first.Topics, Question: first.Question, Urgency: first.Urgency,
		PreferredContactWay: first.PreferredContactWay, PreferredContactTime: first.PreferredContactTime,
		Consent: r.Consent,
	}
	// The first story travels on only when the new consent covers it.
	if first.Shared.Story != nil && r.Consent != nil && slices.Contains(r.Consent.Scope, ScopeStory) {
		in.Story = *first.Shared.Story
	}
	if len(r.Topics) > 0 {
		in.Topics = r.Topics
	}
	set(&in.Question, r.Question)
	set(&in.Story, r.Story)
	set(&in.PreferredContactWay, r.PreferredContactWay)
	set(&in.PreferredContactTime, r.PreferredContactTime)
	if r.Urgency != "" {
		in.Urgency = r.Urgency
	}
	return in
}

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

// HandoverService sends, moves and reads handovers. Every method is scoped:
// only the sending and the receiving organisation see a handover; anyone
// else gets ENOTFOUND.
type HandoverService interface {
	CreateHandover(ctx context.Context, actor Actor, in HandoverInput) (*Handover, error)
	FindHandovers(ctx context.Context, actor Actor, filter HandoverFilter) (*HandoverList, error)
	// FindHandoverByID reads one handover; the first read by the receiving
	// organisation marks it received.
	FindHandoverByID(ctx context.Context, actor Actor, id string) (*Handover, error)
	AcceptHandover(ctx context.Context, actor Actor, id string, in AcceptInput) (*Handover, error)
	RecordFirstContact(ctx context.Context, actor Actor, id string, in ContactedInput) (*Handover, error)
	CompleteHandover(ctx context.Context, actor Actor, id string, in CompleteInput) (*Handover, error)
	DeclineHandover(ctx context.Context, actor Actor, id string, in DeclineInput) (*Handover, error)
	WithdrawHandover(ctx context.Context, actor Actor, id string, in WithdrawInput) (*Handover, error)
	WithdrawConsent(ctx context.Context, actor Actor, id string, in ConsentWithdrawInput) (*Handover, error)
	RedirectHandover(ctx context.Context, actor Actor, id string, in RedirectInput) (*Handover, error)
	ReassignHandover(ctx context.Context, actor Actor, id string, in AcceptInput) (*Handover, error)
	// Partners lists the organisations the actor's organisation can hand over to.
	Partners(ctx context.Context, actor Actor) ([]Organisation, error)
	// Assignees lists who in the actor's organisation can take a handover.
	Assignees(ctx context.Context, actor Actor) ([]Assignee, error)
}

// HandoverLimitsService reads and sets the deadlines of receiving
// organisations (an administrator's task).
type HandoverLimitsService interface {
	// AllHandoverLimits returns every organisation's deadlines by slug, the
	// defaults for those that set none.
	AllHandoverLimits(ctx context.Context) (map[string]HandoverLimits, error)
	SetHandoverLimits(ctx context.Context, actor Actor, organisation string, l HandoverLimits) error
}
