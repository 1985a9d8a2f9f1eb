package cases

import (
	"time"

	"github.com/buurtbrug/buurtbrug/cases/disclosure"
)

// Reach statistics: how many different people the programmes reached in a
// reporting period, published only through disclosure control.
//
// What is counted, for a period (a quarter, half-year or year in
// Europe/Amsterdam):
//   - reached: distinct persons with at least one non-voided contact in the
//     period. Records of different organisations count as one person when
//     their pseudonyms link them; anonymous contacts never count as persons.
//   - helped: distinct persons with at least one such contact whose outcome
//     is something other than OutcomeInformationOnly.
//   - moments: non-voided contacts, anonymous ones included.
//
// Persons are broken down by the neighbourhood of their first contact in the
// period (per programme, and over all programmes for the "all" row), by every
// topic they were contacted about (a person can count under several topics),
// by age band at the last day of the period and by gender. Each breakdown but
// topics is a partition of the reached persons.

// OutcomeInformationOnly is the outcome that does not make a person "helped".
const OutcomeInformationOnly = "informatie-gegeven"

// AllProgrammes is the row key of "all programmes together": the union of
// persons, never the sum of the programme rows (in T5: all handovers). It
// cannot be a programme's slug, which starts with a letter or digit.
const AllProgrammes = "_all"

// Reach measures: cell kinds of a period's internal counts.
const (
	MeasureReached = "reached"
	MeasureHelped  = "helped"
	MeasureMoments = "moments"
	MeasureHood    = "neighbourhood"
	MeasureTopic   = "topic"
	MeasureAge     = "age"
	MeasureGender  = "gender"
)

// Age bands at the last day of the period.
const AgeUnknown = "unknown"

// AgeBands lists the bands in order; AgeBand picks one.
var AgeBands = []string{"0-17", "18-26", "27-44", "45-66", "67+", AgeUnknown}

// GenderUnknown is the gender column of persons without a recorded gender.
const GenderUnknown = "unknown"

// GenderColumns lists the gender columns: the genders that may be recorded,
// then unknown.
var GenderColumns = append(append([]string{}, Genders...), GenderUnknown)

// The fixed catalogue of tables. No free filters: only these are published.
const (
	TableProgrammePeriod = "T1" // programme × period: reached, helped, moments
	TableProgrammeHood   = "T2" // programme × neighbourhood of first contact
	TableProgrammeTopic  = "T3" // programme × topic
	TableProgrammeAge    = "T4" // programme × age band and gender
	TableHandoverFlow    = "T5" // sending → receiving organisation
)

// ReachTables lists the catalogue in order.
var ReachTables = []string{TableProgrammePeriod, TableProgrammeHood, TableProgrammeTopic, TableProgrammeAge, TableHandoverFlow}

// IsReachTable reports whether id is in the catalogue.
func IsReachTable(id string) bool {
	for _, t := range ReachTables {
		if t == id {
			return true
		}
	}
	return false
}

// AgeBand returns the age band on day (a date) of a person with the given
// birth date ("YYYY-MM-DD", may be empty) or birth year (0 = unknown). With
// only a year known, the person is taken to be born on 1 July of it, the
// middle of the year.
func AgeBand(birthDate string, birthYear int, day time.Time) string {
	var born time.Time
	if d, err := time.Parse(time.DateOnly, birthDate); err == nil {
		born = d
	} else if birthYear > 0 {
		born = time.Date(birthYear, time.July, 1, 0, 0, 0, 0, time.UTC)
	} else {
		return AgeUnknown
	}
	age := day.Year() - born.Year()
	if day.Month() < born.Month() || (day.Month() == born.Month() && day.Day() < born.Day()) {
		age--
	}
	switch {
	case age < 0:
		return AgeUnknown
	case age <= 17:
		return "0-17"
	case age <= 26:
		return "18-26"
	case age <= 44:
		return "27-44"
	case age <= 66:
		return "45-66"
	}
	return "67+"
}

// GenderColumn maps a recorded gender ("" when none) to its column.
func GenderColumn(g string) string {
	for _, v := range Genders {
		if v == g {
			return g
		}
	}
	return GenderUnknown
}

// ReachViewer is who looks at reach figures and what they may read.
// Programme staff and monitor tokens see every programme; a coordinator
// only their own organisation's programmes, without the "all programmes"
// row.
type ReachViewer struct {
	All          bool
	Organisation string // slug
	// Staff: programme staff, who prepare releases: they read drafts, and
	// a read of a period without a release makes one as Actor.
	Staff bool
	// Coordinator: may read the live figures of their own organisation.
	Coordinator bool
	Actor       Actor
}

// ViewerOf is whose figures actor sees: programme staff all, anyone else
// (a coordinator) their own organisation's.
func ViewerOf(actor Actor) ReachViewer {
	v := ReachViewer{Organisation: actor.OrganisationSlug, Coordinator: actor.Has(RoleCoordinator), Actor: actor}
	if actor.Has(RoleProgramme) {
		v.All, v.Staff = true, true
	}
	return v
}

// MonitorViewer is a monitor token's view: every programme, published
// versions only.
var MonitorViewer = ReachViewer{All: true}

// ReachQuery asks for one table of the catalogue.
type ReachQuery struct {
	Period Period
	Table  string
	// Version selects a release of the period; 0 is the newest published
	// version, else (for programme staff) the newest draft, made when
	// there is none; for a coordinator the live figures.
	Version int
	// Live asks for the current (provisional) figures of the viewer's own
	// organisation: coordinators only.
	Live bool
}

// Label is a row's or column's key with its names.
type Label struct {
	Key    string `json:"key"`
	NameNL string `json:"name_nl"`
	NameEN string `json:"name_en"`
	// Group is set on T1 columns (the period) and T4 columns (age or
	// gender); empty elsewhere.
	Group string `json:"group,omitempty"`
}

// Name returns the label's name in lang.
func (l Label) Name(lang string) string {
	if lang == "en" && l.NameEN != "" {
		return l.NameEN
	}
	return l.NameNL
}

// Cell statuses as published.
const (
	CellPublished  = "published"
	CellPrimary    = "primary"   // a count from 1 to threshold-1, shown "<threshold"
	CellSecondary  = "secondary" // suppressed to protect another cell, shown "x"
	CellWithheld   = "withheld"  // a breakdown of a small total, not published, shown "x"
	CellNotApplies = "not_applicable"
)

// ReachCell is a published cell: never a true small count. Value is nil
// when the cell is suppressed.
type ReachCell struct {
	Value  *float64 `json:"value"`
	Text   string   `json:"text"`
	Status string   `json:"status"`
}

// ReachRow is one row of a published table.
type ReachRow struct {
	Label
	// Organisation is the slug of the organisation that runs the row's
	// programme (T1–T4) or sends the handovers (T5); empty for totals.
	Organisation string `json:"organisation,omitempty"`
	// To is the receiving organisation of a handover flow (T5).
	To    string      `json:"to_organisation,omitempty"`
	Cells []ReachCell `json:"cells"`
}

// ReachRules are the disclosure rules a table was published under.
type ReachRules struct {
	Threshold    int `json:"threshold"`
	RoundingBase int `json:"rounding_base"`
}

// ReachTable is one published (or provisional) table with its metadata.
type ReachTable struct {
	Period      string     `json:"period"`
	Table       string     `json:"table"`
	Status      string     `json:"status"` // a release status, or "provisional" (live)
	Version     int        `json:"version,omitempty"`
	GeneratedAt time.Time  `json:"generated_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Rules       ReachRules `json:"rules"`
	Columns     []Label    `json:"columns"`
	Rows        []ReachRow `json:"rows"`
}

// Table statuses: a release's (ReleaseDraft, ReleaseDiscarded too), or
// live figures.
const (
	ReachPublished   = ReleasePublished
	ReachProvisional = "provisional"
)

// ReachPublication is one published version of a period.
type ReachPublication struct {
	Period      string     `json:"period"`
	Version     int        `json:"version"`
	PublishedAt time.Time  `json:"published_at"`
	PublishedBy string     `json:"published_by,omitempty"`
	Rules       ReachRules `json:"rules"`
	Tables      []string   `json:"tables"`
}

// ReachToken is a read-only API token for the monitor, scoped to reach
// figures. Only a hash of the secret is stored.
type ReachToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// ReachTokenInput names a new token.
type ReachTokenInput struct {
	Name string `json:"name" validate:"required,max=100,plaintext"`
}

// Validate checks the input.
func (in ReachTokenInput) Validate() error { return InvalidOrNil(validateStruct(in)) }

// PublishInput asks to make a draft of a period, or to publish or discard
// one.
type PublishInput struct {
	Period string `json:"period"`
}

// DefaultReachRules are the monitor's rules: threshold 10, rounding base 5.
func DefaultReachRules() disclosure.Rules { return disclosure.DefaultRules() }
