package cases

import "slices"

// Organisation is a partner: it runs programmes and/or receives handovers.
type Organisation struct {
	ID                int64  `json:"-"`
	Slug              string `json:"slug"`
	Name              string `json:"name"`
	ReceivesHandovers bool   `json:"-"`
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

// Reference lists a worker's screens need. They are data seeded by
// migration and extended by administrators, never constants in code.
type Reference struct {
	Programmes     []Programme    `json:"programmes"`
	Neighbourhoods []Term         `json:"neighbourhoods"`
	Topics         []Term         `json:"topics"`
	Outcomes       []Term         `json:"outcomes"`
	Kinds          []Term         `json:"kinds"`
	Organisations  []Organisation `json:"organisations"`

	index *referenceIndex
}

type referenceIndex struct {
	programmes map[string]Programme
	orgs       map[string]Organisation
	orgByID    map[int64]Organisation
	terms      map[string]map[string]Term // list → slug → term
}

// Reference lists by name, as ReferenceLists and the API name them.
const (
	ListNeighbourhoods = "neighbourhoods"
	ListTopics         = "topics"
	ListOutcomes       = "outcomes"
	ListKinds          = "kinds"
)

// ReferenceLists are the lists an administrator may extend. Slugs are
// stable API values: a term can be added and renamed, never re-slugged or
// deleted, because stored contacts refer to it.
var ReferenceLists = []string{ListNeighbourhoods, ListTopics, ListOutcomes, ListKinds}

// Indexed returns r with its look-ups built; the lists must not change
// afterwards.
func (r Reference) Indexed() *Reference {
	idx := &referenceIndex{programmes: map[string]Programme{}, orgs: map[string]Organisation{},
		orgByID: map[int64]Organisation{}, terms: map[string]map[string]Term{}}
	for _, p := range r.Programmes {
		idx.programmes[p.Slug] = p
	}
	for _, o := range r.Organisations {
		idx.orgs[o.Slug], idx.orgByID[o.ID] = o, o
	}
	for list, terms := range r.lists() {
		m := make(map[string]Term, len(terms))
		for _, t := range terms {
			m[t.Slug] = t
		}
		idx.terms[list] = m
	}
	r.index = idx
	return &r
}

func (r *Reference) lists() map[string][]Term {
	return map[string][]Term{ListNeighbourhoods: r.Neighbourhoods, ListTopics: r.Topics,
		ListOutcomes: r.Outcomes, ListKinds: r.Kinds}
}

// List returns one reference list by name.
func (r *Reference) List(name string) []Term { return r.lists()[name] }

// Programme finds an active programme by slug.
func (r *Reference) Programme(slug string) (Programme, bool) {
	p, ok := r.index.programmes[slug]
	return p, ok
}

// Organisation finds an organisation by slug.
func (r *Reference) Organisation(slug string) (Organisation, bool) {
	o, ok := r.index.orgs[slug]
	return o, ok
}

// OrganisationByID finds an organisation by ID.
func (r *Reference) OrganisationByID(id int64) (Organisation, bool) {
	o, ok := r.index.orgByID[id]
	return o, ok
}

// Term finds a term of list by slug.
func (r *Reference) Term(list, slug string) (Term, bool) {
	t, ok := r.index.terms[list][slug]
	return t, ok
}

// ProgrammesOf lists the active programmes an organisation runs.
func (r *Reference) ProgrammesOf(orgID int64) []Programme {
	var out []Programme
	for _, p := range r.Programmes {
		if p.OrganisationID == orgID {
			out = append(out, p)
		}
	}
	return out
}

// ForOrganisation is the reference data as a worker of orgID gets it: the
// lists, with the programmes of that organisation only (0: all).
func (r *Reference) ForOrganisation(orgID int64) *Reference {
	out := *r
	if orgID != 0 {
		out.Programmes = r.ProgrammesOf(orgID)
	}
	return &out
}

// Partners lists the organisations that receive handovers, but orgID.
func (r *Reference) Partners(orgID int64) []Organisation {
	var out []Organisation
	for _, o := range r.Organisations {
		if o.ReceivesHandovers && o.ID != orgID {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Organisation) int { return compareStrings(a.Name, b.Name) })
	return out
}

// FindTerm returns the term with slug, or false.
func FindTerm(terms []Term, slug string) (Term, bool) {
	for _, t := range terms {
		if t.Slug == slug {
			return t, true
		}
	}
	return Term{}, false
}

// unknownSlugs names each slug of a list field that the list lacks
// ("topics[1]").
func (r *Reference) unknownSlugs(field, list string, slugs []string) []FieldError {
	var out []FieldError
	for i, s := range slugs {
		if _, ok := r.Term(list, s); !ok {
			out = append(out, FieldError{Field: field + "[" + itoa(i) + "]", Tag: "unknown", Param: s})
		}
	}
	return out
}

// TermInput adds a term to a reference list.
type TermInput struct {
	Slug   string `json:"slug" validate:"required,slug"`
	NameNL string `json:"name_nl" validate:"required,max=100,plaintext"`
	NameEN string `json:"name_en" validate:"required,max=100,plaintext"`
}

// Validate checks the input.
func (in *TermInput) Validate() error {
	in.Slug, in.NameNL, in.NameEN = trim(in.Slug), trim(in.NameNL), trim(in.NameEN)
	return InvalidOrNil(validateStruct(in))
}

// OrganisationInput adds a partner organisation.
type OrganisationInput struct {
	Slug string `json:"slug" validate:"required,slug"`
	Name string `json:"name" validate:"required,max=100,plaintext"`
}

// Validate checks the input.
func (in *OrganisationInput) Validate() error {
	in.Slug, in.Name = trim(in.Slug), trim(in.Name)
	return InvalidOrNil(validateStruct(in))
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
	return InvalidOrNil(validateStruct(in))
}
