package cases

import (
	"slices"
	"strings"
	"time"
)

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
	return consentAt, InvalidOrNil(fields)
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
	return InvalidOrNil(validateStruct(in))
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
	return at, InvalidOrNil(fields)
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
	return InvalidOrNil(validateStruct(in))
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
	return InvalidOrNil(fields)
}

// WithdrawInput calls a handover back.
type WithdrawInput struct {
	Reason string `json:"reason" validate:"required,max=500,plaintext"`
}

// Validate checks the input.
func (in *WithdrawInput) Validate() error {
	in.Reason = trim(in.Reason)
	return InvalidOrNil(validateStruct(in))
}

// ConsentWithdrawInput records that the resident withdrew consent.
type ConsentWithdrawInput struct {
	Note string `json:"note" validate:"max=500,plaintext"`
}

// Validate checks the input.
func (in *ConsentWithdrawInput) Validate() error {
	in.Note = trim(in.Note)
	return InvalidOrNil(validateStruct(in))
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
