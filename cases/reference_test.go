package cases

import (
	"slices"
	"testing"
)

// referenceForTest is reference data as storage loads it: two
// organisations that run programmes, one that receives handovers only and
// one that receives none.
func referenceForTest() *Reference {
	return Reference{
		Programmes: []Programme{{ID: 1, Slug: "hoop", OrganisationID: 1}, {ID: 2, Slug: "weggeefbus", OrganisationID: 2},
			{ID: 3, Slug: "hoop-jong", OrganisationID: 1}},
		Neighbourhoods: []Term{{Slug: "zambesibuurt", NameNL: "Zambesibuurt"}},
		Topics:         []Term{{Slug: "schulden", NameNL: "Schulden", NameEN: "Debts"}, {Slug: "werk", NameNL: "Werk"}},
		Outcomes:       []Term{{Slug: "betalingsregeling", NameNL: "Betalingsregeling"}},
		Kinds:          []Term{{Slug: "huisbezoek", NameNL: "Huisbezoek"}},
		Organisations: []Organisation{{ID: 1, Slug: "al-amal", Name: "Al Amal", ReceivesHandovers: true},
			{ID: 2, Slug: "dock", Name: "DOCK", ReceivesHandovers: true},
			{ID: 3, Slug: "gemeente", Name: "Gemeente", ReceivesHandovers: false},
			{ID: 4, Slug: "buurtteam", Name: "Buurtteam Overvecht", ReceivesHandovers: true}},
	}.Indexed()
}

func TestReferenceLookUps(t *testing.T) {
	t.Parallel()
	ref := referenceForTest()
	if p, ok := ref.Programme("weggeefbus"); !ok || p.ID != 2 || p.OrganisationID != 2 {
		t.Errorf("Programme(weggeefbus) = %+v, %v", p, ok)
	}
	if _, ok := ref.Programme("bingo"); ok {
		t.Error("an unknown programme was found")
	}
	if o, ok := ref.Organisation("dock"); !ok || o.ID != 2 {
		t.Errorf("Organisation(dock) = %+v, %v", o, ok)
	}
	if o, ok := ref.OrganisationByID(4); !ok || o.Slug != "buurtteam" {
		t.Errorf("OrganisationByID(4) = %+v, %v", o, ok)
	}
	if _, ok := ref.OrganisationByID(99); ok {
		t.Error("an unknown organisation ID was found")
	}
	for _, tc := range []struct {
		list, slug string
		ok         bool
	}{
		{ListTopics, "schulden", true},
		{ListNeighbourhoods, "zambesibuurt", true},
		{ListOutcomes, "betalingsregeling", true},
		{ListKinds, "huisbezoek", true},
		{ListTopics, "zambesibuurt", false}, // a slug of another list
		{"colours", "schulden", false},
	} {
		if term, ok := ref.Term(tc.list, tc.slug); ok != tc.ok || ok && term.Slug != tc.slug {
			t.Errorf("Term(%s, %s) = %+v, %v", tc.list, tc.slug, term, ok)
		}
	}
	if got := ref.List(ListTopics); len(got) != 2 || got[1].Slug != "werk" {
		t.Errorf("List(topics) = %v", got)
	}
	if term, _ := ref.Term(ListTopics, "werk"); term.Name("en") != "Werk" || term.Name("nl") != "Werk" {
		t.Error("a term without an English name is not named in Dutch")
	}
	if term, _ := ref.Term(ListTopics, "schulden"); term.Name("en") != "Debts" || term.Name("fr") != "Schulden" {
		t.Errorf("names of schulden: %q %q", term.Name("en"), term.Name("fr"))
	}
	got := ref.unknownSlugs("topics", ListTopics, []string{"schulden", "bingo", "werk", "zambesibuurt"})
	if len(got) != 2 || got[0] != (FieldError{Field: "topics[1]", Tag: "unknown", Param: "bingo"}) || got[1].Field != "topics[3]" {
		t.Errorf("unknownSlugs = %+v", got)
	}
}

func TestReferenceForOrganisation(t *testing.T) {
	t.Parallel()
	ref := referenceForTest()
	slugs := func(ps []Programme) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Slug)
		}
		return out
	}
	if got := slugs(ref.ProgrammesOf(1)); !slices.Equal(got, []string{"hoop", "hoop-jong"}) {
		t.Errorf("ProgrammesOf(1) = %v", got)
	}
	if got := ref.ProgrammesOf(4); len(got) != 0 {
		t.Errorf("ProgrammesOf(4) = %v", got)
	}
	dock := ref.ForOrganisation(2)
	if got := slugs(dock.Programmes); !slices.Equal(got, []string{"weggeefbus"}) || len(dock.Topics) != 2 || len(dock.Organisations) != 4 {
		t.Errorf("ForOrganisation(2): %v, %d topics", got, len(dock.Topics))
	}
	// The copy keeps its look-ups, and the original is left whole.
	if _, ok := dock.Term(ListTopics, "werk"); !ok || len(ref.Programmes) != 3 {
		t.Error("ForOrganisation changed the original or lost the look-ups")
	}
	if got := ref.ForOrganisation(0); len(got.Programmes) != 3 {
		t.Errorf("ForOrganisation(0) has %d programmes", len(got.Programmes))
	}
}

// Partners receive handovers, are not the asking organisation, and are
// sorted by name (not in the order stored: Buurtteam comes last there).
func TestReferencePartners(t *testing.T) {
	t.Parallel()
	ref := referenceForTest()
	var got []string
	for _, o := range ref.Partners(1) {
		got = append(got, o.Slug)
	}
	if want := []string{"buurtteam", "dock"}; !slices.Equal(got, want) {
		t.Errorf("Partners(1) = %v, want %v", got, want)
	}
}
