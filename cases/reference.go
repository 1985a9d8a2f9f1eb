package cases

import "context"

// Organisation is a partner: it runs programmes and/or receives handovers.
type Organisation struct {
	ID   int64  `json:"-"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Programme is an outreach programme run by one organisation (HOOP, Weggeefbus, ...).
type Programme struct {
	ID               int64  `json:"-"`
	Slug             string `json:"slug"`
	Name             string `json:"name"`
	OrganisationID   int64  `json:"-"`
	OrganisationSlug string `json:"organisation"`
}

// Term is one entry of a reference list (neighbourhood, topic, outcome, kind):
// a stable slug that travels through the API and names in Dutch and English.
type Term struct {
	ID     int64  `json:"-"`
	Slug   string `json:"slug"`
	NameNL string `json:"name_nl"`
	NameEN string `json:"name_en"`
}

// Name returns the term's name in lang ("en" or Dutch otherwise).
func (t Term) Name(lang string) string {
	if lang == "en" && t.NameEN != "" {
		return t.NameEN
	}
	return t.NameNL
}

// Reference is the reference data a worker's screens need. It is data seeded
// by migration, never constants in code.
type Reference struct {
	Programmes     []Programme    `json:"programmes"`
	Neighbourhoods []Term         `json:"neighbourhoods"`
	Topics         []Term         `json:"topics"`
	Outcomes       []Term         `json:"outcomes"`
	Kinds          []Term         `json:"kinds"`
	Organisations  []Organisation `json:"organisations"`
}

// ReferenceService reads reference data.
type ReferenceService interface {
	// Reference returns all reference lists, with the programmes of one
	// organisation (0 = all programmes).
	Reference(ctx context.Context, organisationID int64) (*Reference, error)
}

// Find returns the term with slug, or false.
func FindTerm(terms []Term, slug string) (Term, bool) {
	for _, t := range terms {
		if t.Slug == slug {
			return t, true
		}
	}
	return Term{}, false
}
