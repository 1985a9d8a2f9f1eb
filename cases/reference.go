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

// Reference lists an administrator may extend. Slugs are stable API values:
// a term can be added and renamed, never re-slugged or deleted, because
// stored contacts refer to it.
var ReferenceLists = []string{"neighbourhoods", "topics", "outcomes", "kinds"}

// TermInput adds a term to a reference list.
type TermInput struct {
	Slug   string `json:"slug" validate:"required,slug"`
	NameNL string `json:"name_nl" validate:"required,max=100,plaintext"`
	NameEN string `json:"name_en" validate:"required,max=100,plaintext"`
}

// Validate checks the input.
func (in *TermInput) Validate() error {
	in.Slug, in.NameNL, in.NameEN = trim(in.Slug), trim(in.NameNL), trim(in.NameEN)
	return invalidOrNil(validateStruct(in))
}

// OrganisationInput adds a partner organisation.
type OrganisationInput struct {
	Slug string `json:"slug" validate:"required,slug"`
	Name string `json:"name" validate:"required,max=100,plaintext"`
}

// Validate checks the input.
func (in *OrganisationInput) Validate() error {
	in.Slug, in.Name = trim(in.Slug), trim(in.Name)
	return invalidOrNil(validateStruct(in))
}

// ProgrammeInput adds a programme to an organisation.
type ProgrammeInput struct {
	Slug         string `json:"slug" validate:"required,slug"`
	Name         string `json:"name" validate:"required,max=100,plaintext"`
	Organisation string `json:"organisation" validate:"required,slug"`
}

// Validate checks the input.
func (in *ProgrammeInput) Validate() error {
	in.Slug, in.Name, in.Organisation = trim(in.Slug), trim(in.Name), trim(in.Organisation)
	return invalidOrNil(validateStruct(in))
}

// ReferenceAdmin changes reference data; only administrators may.
type ReferenceAdmin interface {
	AddTerm(ctx context.Context, actor Actor, list string, in TermInput) error
	RenameTerm(ctx context.Context, actor Actor, list, slug string, in TermInput) error
	AddOrganisation(ctx context.Context, actor Actor, in OrganisationInput) error
	AddProgramme(ctx context.Context, actor Actor, in ProgrammeInput) error
}
