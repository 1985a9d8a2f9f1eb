package cases

import (
	"slices"
	"time"
)

// Party is one side of a handover as shown: organisation and programme
// slugs and, where known, the worker's username and display name.
type Party struct {
	Organisation string `json:"organisation"`
	Programme    string `json:"programme,omitempty"`
	Worker       string `json:"worker,omitempty"`
	WorkerName   string `json:"worker_name,omitempty"`
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

// Consent is the record of the resident's consent to the handover. It ends
// at ValidUntil unless renewed, or when withdrawn; an ended consent covers
// nothing.
type Consent struct {
	Given          bool       `json:"given"`
	How            string     `json:"how"`
	At             time.Time  `json:"at"`
	RecordedBy     string     `json:"recorded_by"`
	Scope          []string   `json:"scope"`
	ValidUntil     time.Time  `json:"valid_until"`
	RenewedAt      *time.Time `json:"renewed_at,omitempty"`
	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawnBy    string     `json:"withdrawn_by,omitempty"`
	WithdrawalNote string     `json:"withdrawal_note,omitempty"`
	// ReachedReceiverAt is when the consent's end reached the receiver: what
	// came from the sender erased there, the receiver's record erased (or
	// kept on its own ground: ReceiverOwnGround).
	ReachedReceiverAt *time.Time `json:"reached_receiver_at,omitempty"`
	ReceiverOwnGround bool       `json:"receiver_own_ground,omitempty"`
}

// InForce reports whether the consent holds at now: not withdrawn and not
// past its end.
func (c Consent) InForce(now time.Time) bool {
	return c.WithdrawnAt == nil && (c.ValidUntil.IsZero() || now.Before(c.ValidUntil))
}

// Expired reports whether the consent ran out (without being withdrawn).
func (c Consent) Expired(now time.Time) bool { return c.WithdrawnAt == nil && !c.InForce(now) }

// Covers reports whether the consent, in force at now, covers scope key.
func (c Consent) Covers(key string, now time.Time) bool {
	return c.InForce(now) && slices.Contains(c.Scope, key)
}

// DefaultConsentMonths is how long a consent lasts unless the sending
// organisation sets otherwise.
const DefaultConsentMonths = 12

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

	HandoverTimes
	Overdue bool `json:"overdue"`
	// Moves are the moves the viewer may make now (HandoverRecord.Actions).
	Moves map[string]bool `json:"-"`

	FromOrganisationID int64 `json:"-"`
	ToOrganisationID   int64 `json:"-"`
	AssigneeID         int64 `json:"-"`
	SenderID           int64 `json:"-"`
}

// Side returns the side actor is on, or "" for a third organisation.
func (h *Handover) Side(actor Actor) string {
	return sideOf(actor, h.FromOrganisationID, h.ToOrganisationID)
}

func sideOf(actor Actor, from, to int64) string {
	switch actor.OrganisationID {
	case from:
		return SideSender
	case to:
		return SideReceiver
	}
	return ""
}

// HandoverTimes are when a handover reached each state, and its deadlines.
type HandoverTimes struct {
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
}

// reached records that the handover entered state at now.
func (t *HandoverTimes) reached(state string, now time.Time) {
	at := &now
	switch state {
	case StateReceived:
		t.ReceivedAt = at
	case StateAccepted:
		t.AcceptedAt = at
	case StateContacted:
		t.ContactedAt = at
	case StateCompleted:
		t.CompletedAt = at
	case StateDeclined:
		t.DeclinedAt = at
	case StateWithdrawn:
		t.WithdrawnAt = at
	}
}

// SharedCopy is the copy of the sender's record made when a handover is
// sent: only the fields the consent covers are set (nil: not shared, or
// erased since).
type SharedCopy struct {
	GivenName, FamilyName, Phone, BirthDate, Neighbourhood, Story *string
}

// ConsentRecord is the consent as stored, with who recorded and withdrew it.
type ConsentRecord struct {
	Consent
	RecordedByID, WithdrawnByID int64
}

// HandoverRecord is a handover as stored: everything either side may ever
// see, and more. View alone decides what one side sees.
type HandoverRecord struct {
	ID    string
	State string
	// From and To: the organisations' and programmes' slugs; From.Worker is
	// the sender's username, To.Worker the assignee's.
	From, To                             Party
	FromOrganisationID, ToOrganisationID int64
	SenderID, AssigneeID                 int64
	FromResidentID, ToResidentID         string
	// ToResidentErased: the receiver's record is erased (its holder's
	// request, retention, or the sender's consent ending).
	ToResidentErased bool
	// FromResidentErased: the sender's record is erased, and with it the
	// handover's texts and shared copy.
	FromResidentErased           bool
	Topics                       []string
	Question, Urgency            string
	PreferredContactWay          string
	PreferredContactTime         string
	Shared                       SharedCopy
	Consent                      ConsentRecord
	FirstContact                 *FirstContact
	Outcome, CompletionNote      string
	DeclineReason, DeclineNote   string
	WithdrawReason               string
	RedirectedFrom, RedirectedTo string
	HandoverTimes
	// Seq orders handovers of the same moment (the store's row number);
	// list cursors carry it.
	Seq int64
}

// Side returns the side actor is on, or "" for a third organisation.
func (h *HandoverRecord) Side(actor Actor) string {
	return sideOf(actor, h.FromOrganisationID, h.ToOrganisationID)
}

// View is the handover as side sees it at now. Both sides see the shared
// fields the consent, still in force, covers, and nothing else of the
// resident; the first contact's note and contact stay with the receiver;
// each side sees its own resident record only.
func (h *HandoverRecord) View(side string, now time.Time) *Handover {
	v := &Handover{
		ID: h.ID, State: h.State, From: h.From, To: h.To, Topics: h.Topics, Question: h.Question,
		Urgency: h.Urgency, PreferredContactWay: h.PreferredContactWay, PreferredContactTime: h.PreferredContactTime,
		Consent: h.Consent.Consent, Assignee: h.To.Worker, Outcome: h.Outcome, CompletionNote: h.CompletionNote,
		DeclineReason: h.DeclineReason, DeclineNote: h.DeclineNote, WithdrawReason: h.WithdrawReason,
		RedirectedFrom: h.RedirectedFrom, RedirectedTo: h.RedirectedTo, HandoverTimes: h.HandoverTimes,
		Overdue:            Overdue(h.State, h.AcceptBy, h.ContactBy, now),
		FromOrganisationID: h.FromOrganisationID, ToOrganisationID: h.ToOrganisationID,
		AssigneeID: h.AssigneeID, SenderID: h.SenderID,
	}
	v.Consent.Given = true
	v.Consent.Scope = append([]string{}, h.Consent.Scope...)
	if v.Topics == nil {
		v.Topics = []string{}
	}
	switch side {
	case SideSender:
		v.Direction = DirectionOutgoing
		if !h.FromResidentErased {
			v.ResidentID = h.FromResidentID
		}
	case SideReceiver:
		v.Direction = DirectionIncoming
		if !h.ToResidentErased {
			v.ResidentID = h.ToResidentID
		}
	}
	if h.FirstContact != nil {
		fc := *h.FirstContact
		if side != SideReceiver {
			fc.Note, fc.ContactID = "", ""
		}
		v.FirstContact = &fc
	}
	if !h.FromResidentErased {
		v.Shared = h.shared(now)
	}
	if side == SideReceiver && !h.receiverSeesStory(now) {
		// Nothing that came from the sender: the question, the story, how
		// and when to reach the resident.
		v.Question, v.PreferredContactWay, v.PreferredContactTime = "", "", ""
		v.Shared, v.Consent.WithdrawalNote = Shared{}, ""
	}
	return v
}

// receiverSeesStory reports whether the receiver may see what the sender
// shared: only under a consent in force, and not after the handover was
// declined or withdrawn.
func (h *HandoverRecord) receiverSeesStory(now time.Time) bool {
	return h.Consent.InForce(now) && h.State != StateDeclined && h.State != StateWithdrawn
}

// viewFor is View for actor's side, with the moves actor may make.
func (h *HandoverRecord) viewFor(actor Actor, now time.Time) *Handover {
	v := h.View(h.Side(actor), now)
	v.Moves = h.Actions(actor, now)
	return v
}

// shared is the part of the copy that the consent, in force at now, covers.
func (h *HandoverRecord) shared(now time.Time) Shared {
	var out Shared
	c, copy := h.Consent.Consent, h.Shared
	if c.Covers(ScopeName, now) {
		out.Name = &SharedName{GivenName: deref(copy.GivenName), FamilyName: deref(copy.FamilyName)}
	}
	if c.Covers(ScopePhone, now) {
		out.Phone = ptr(deref(copy.Phone))
	}
	if c.Covers(ScopeBirthDate, now) {
		out.BirthDate = ptr(deref(copy.BirthDate))
	}
	if c.Covers(ScopeNeighbourhood, now) {
		out.Neighbourhood = ptr(deref(copy.Neighbourhood))
	}
	if c.Covers(ScopeStory, now) {
		out.Story = ptr(deref(copy.Story))
	}
	return out
}

// copyOf takes the fields of the sender's record that scope covers.
func copyOf(r *Resident, story string, scope []string) SharedCopy {
	take := func(key, value string) *string {
		if !slices.Contains(scope, key) {
			return nil
		}
		return &value
	}
	out := SharedCopy{GivenName: take(ScopeName, r.GivenName), FamilyName: take(ScopeName, r.FamilyName),
		Phone: take(ScopePhone, r.Phone), BirthDate: take(ScopeBirthDate, r.BirthDate), Story: take(ScopeStory, story)}
	if r.Neighbourhood != "" {
		out.Neighbourhood = take(ScopeNeighbourhood, r.Neighbourhood)
	}
	return out
}

// receiverRecord is the receiving organisation's own record of the
// resident, made on acceptance from the fields shared.
func (h *HandoverRecord) receiverRecord(now time.Time) ResidentInput {
	var in ResidentInput
	sh := h.shared(now)
	if sh.Name != nil {
		in.GivenName, in.FamilyName = sh.Name.GivenName, sh.Name.FamilyName
	}
	in.Phone, in.BirthDate, in.Neighbourhood = deref(sh.Phone), deref(sh.BirthDate), deref(sh.Neighbourhood)
	in.Normalise()
	return in
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func ptr[T any](v T) *T { return &v }
