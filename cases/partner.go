package cases

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// The directory of partners: per organisation and programme what it
// offers, for whom, in which languages, when it is open and holds drop-in
// hours, how to reach its intake, its handover deadlines and, once enough
// handovers were measured, how long acceptance and first contact take. A
// worker on a doorstep chooses a partner from it; a partner not yet in
// Buurtbrug is called instead. It holds data of organisations only.

// clockPattern is a time of day, HH:MM.
var clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Weekdays as the directory writes them (HSDS byday codes, lower case),
// Monday first.
var Weekdays = []string{"mo", "tu", "we", "th", "fr", "sa", "su"}

// OpeningSpan is one weekday's time span: opening hours, or a drop-in
// hour at a place.
type OpeningSpan struct {
	Day    string `json:"day" validate:"required,oneof=mo tu we th fr sa su"`
	Opens  string `json:"opens"`  // HH:MM, checked by PartnerServiceInput.Validate
	Closes string `json:"closes"` // HH:MM, after Opens
	Place  string `json:"place,omitempty" validate:"max=200,plaintext"`
}

// PartnerService is one entry of the directory: a service of an
// organisation, optionally one of its programmes.
type PartnerService struct {
	ID           string        `json:"id"`
	Organisation string        `json:"organisation"`
	Programme    string        `json:"programme,omitempty"`
	Name         string        `json:"name"`
	Offer        string        `json:"offer"`
	Audience     string        `json:"audience"`
	Languages    []string      `json:"languages"`
	Topics       []string      `json:"topics"`
	Hours        []OpeningSpan `json:"hours"`
	DropIns      []OpeningSpan `json:"drop_ins"`
	Phone        string        `json:"phone,omitempty"`
	Email        string        `json:"email,omitempty"`
	Website      string        `json:"website,omitempty"`
	UpdatedAt    time.Time     `json:"updated_at"`

	OrganisationID int64 `json:"-"`
}

// PartnerServiceInput is a directory entry as written by an editor or an
// import.
type PartnerServiceInput struct {
	Programme string        `json:"programme" validate:"omitempty,slug"`
	Name      string        `json:"name" validate:"required,max=100,plaintext"`
	Offer     string        `json:"offer" validate:"max=1000,plaintext"`
	Audience  string        `json:"audience" validate:"max=500,plaintext"`
	Languages []string      `json:"languages" validate:"max=20,unique,dive,min=2,max=3,lowercase,alpha"`
	Topics    []string      `json:"topics" validate:"max=20,unique,dive,slug"`
	Hours     []OpeningSpan `json:"hours" validate:"max=28,dive"`
	DropIns   []OpeningSpan `json:"drop_ins" validate:"max=28,dive"`
	Phone     string        `json:"phone" validate:"omitempty,phone"`
	Email     string        `json:"email" validate:"omitempty,max=254,email"`
	Website   string        `json:"website" validate:"omitempty,max=300,http_url"`
}

// Validate checks the entry: its fields, that each span closes after it
// opens, and that each drop-in names its place.
func (in *PartnerServiceInput) Validate() error {
	in.Name, in.Offer, in.Audience = trim(in.Name), trimRight(in.Offer), trimRight(in.Audience)
	in.Phone, in.Email, in.Website = trim(in.Phone), trim(in.Email), trim(in.Website)
	for i := range in.Languages {
		in.Languages[i] = strings.ToLower(trim(in.Languages[i]))
	}
	problems := validateStruct(in)
	check := func(field string, spans []OpeningSpan, place bool) {
		for i, s := range spans {
			at := field + "[" + itoa(i) + "]"
			switch {
			case !clockPattern.MatchString(s.Opens):
				problems = append(problems, FieldError{Field: at + ".opens", Tag: "clock", Param: s.Opens})
			case !clockPattern.MatchString(s.Closes):
				problems = append(problems, FieldError{Field: at + ".closes", Tag: "clock", Param: s.Closes})
			case s.Closes <= s.Opens:
				problems = append(problems, FieldError{Field: at + ".closes", Tag: "closes_before_opens"})
			}
			if place && trim(s.Place) == "" {
				problems = append(problems, FieldError{Field: at + ".place", Tag: "required"})
			}
		}
	}
	check("hours", in.Hours, false)
	check("drop_ins", in.DropIns, true)
	return InvalidOrNil(problems)
}

// Partner is one organisation in the directory.
type Partner struct {
	Organisation string `json:"organisation"`
	Name         string `json:"name"`
	// Live: it has an account that takes handovers, so a handover to it is
	// read. Otherwise the worker calls or mails its intake.
	Live      bool             `json:"live"`
	Deadlines HandoverLimits   `json:"deadlines"`
	Measured  *PartnerMeasured `json:"measured,omitempty"`
	Services  []PartnerService `json:"services"`

	OrganisationID int64 `json:"-"`
}

// PartnerMeasured are the median working days from sending to acceptance
// and to first contact over the handovers of the measuring window, each
// published only when it rests on at least the reach threshold of
// handovers (like any published count).
type PartnerMeasured struct {
	MedianWorkdaysToAccept  *float64 `json:"median_workdays_to_accept,omitempty"`
	MedianWorkdaysToContact *float64 `json:"median_workdays_to_contact,omitempty"`
}

// Intake is the first way to reach the partner: the first phone, else the
// first e-mail address of its entries.
func (p *Partner) Intake() (phone, email string) {
	for _, s := range p.Services {
		if phone == "" {
			phone = s.Phone
		}
		if email == "" {
			email = s.Email
		}
	}
	return phone, email
}

// PartnerFilter selects directory entries: by topic (a topic slug) and by
// words that must each appear in the organisation's name or an entry's
// name, offer, audience or place.
type PartnerFilter struct {
	Topic string
	Query string
	// Unmeasured leaves the measured times out, for screens that do not
	// show them (the handover form): they read a year of handovers.
	Unmeasured bool
}

// Validate checks the filter.
func (f PartnerFilter) Validate(ref *Reference) error {
	var problems []FieldError
	if f.Topic != "" {
		if _, ok := ref.Term(ListTopics, f.Topic); !ok {
			problems = append(problems, FieldError{Field: "topic", Tag: "unknown", Param: f.Topic})
		}
	}
	if len(f.Query) > 100 {
		problems = append(problems, FieldError{Field: "q", Tag: "max_length", Param: "100"})
	}
	return InvalidOrNil(problems)
}

// matches keeps the services of p that pass f; false when none does (an
// organisation without entries passes an empty filter).
func (f PartnerFilter) matches(p *Partner) bool {
	if f.Topic == "" && f.Query == "" {
		return true
	}
	words := strings.Fields(foldText(f.Query))
	p.Services = slices.DeleteFunc(p.Services, func(s PartnerService) bool {
		if f.Topic != "" && !slices.Contains(s.Topics, f.Topic) {
			return true
		}
		text := foldText(p.Name + " " + s.Name + " " + s.Offer + " " + s.Audience + " " + places(s))
		return slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(text, w) })
	})
	return len(p.Services) > 0
}

func places(s PartnerService) string {
	var out []string
	for _, d := range s.DropIns {
		out = append(out, d.Place)
	}
	return strings.Join(out, " ")
}

// MayEditPartner says whether actor may change organisation orgID's
// entries: administrators every organisation's, coordinators their own's.
func MayEditPartner(actor Actor, orgID int64) error {
	if actor.Has(RoleAdmin) || (actor.Has(RoleCoordinator) && actor.OrganisationID == orgID) {
		return nil
	}
	return Errorf(EFORBIDDEN, "may_not_edit_partner")
}

// foldText is text as a search compares it: lower case, without accents.
func foldText(s string) string { return strings.ToLower(FoldAccents(s)) }
