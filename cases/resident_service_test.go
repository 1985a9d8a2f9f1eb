package cases_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// Records of one person in different organisations share a person (for
// counting) when family name and birth date agree however the name is
// written; without a birth date each record is a person of its own.
func TestResidentPseudonymLinksAcrossOrganisations(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	hoop := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Fatima", FamilyName: "El Amrani", BirthDate: "1980-05-01"})
	for _, tc := range []struct {
		family, birth string
		same          bool
	}{
		{"el-amrani", "1980-05-01", true},
		{"ELAMRANI", "1980-05-01", true},
		{"El Amrani", "1980-05-02", false},
		{"El Amrani", "", false},
		{"Bakker", "1980-05-01", false},
	} {
		dock := f.resident(f.dockWorker, cases.ResidentInput{GivenName: "F.", FamilyName: tc.family, BirthDate: tc.birth})
		if got := dock.PersonID == hoop.PersonID; got != tc.same {
			t.Errorf("%q born %q: same person %v, want %v", tc.family, tc.birth, got, tc.same)
		}
		if dock.OrganisationID != f.dockWorker.OrganisationID || dock.FamilyName != tc.family {
			t.Errorf("%q: the record is not DOCK's own: %+v", tc.family, dock)
		}
	}
	// A prefix written after the name is the same name.
	a := f.resident(f.hoopWorker, cases.ResidentInput{FamilyName: "van der Berg", BirthDate: "1975-01-01"})
	b := f.resident(f.dockWorker, cases.ResidentInput{FamilyName: "Berg, van der", BirthDate: "1975-01-01"})
	if a.PersonID != b.PersonID {
		t.Error("\"van der Berg\" and \"Berg, van der\" are two persons")
	}
	// Without a birth date nothing links: the same name is two persons.
	x := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Jan", FamilyName: "Jansen"})
	y := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Jan", FamilyName: "Jansen"})
	if x.PersonID == y.PersonID || x.PersonID == 0 {
		t.Errorf("records without a birth date share person %d", x.PersonID)
	}
}

// A pseudonym needs both a family name and a birth date, and any
// difference in either is another person; letters Unicode does not
// decompose (Turkish dotless i) match their plain spelling.
func TestResidentPseudonymNeedsNameAndBirthDate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct {
		name         string
		a, b         cases.ResidentInput
		sameOrg      bool
		noPseudonyms int
	}{
		{"no birth date", cases.ResidentInput{FamilyName: "Yilmaz", BirthYear: 1980}, cases.ResidentInput{FamilyName: "Yilmaz", BirthYear: 1980}, false, 2},
		{"no family name", cases.ResidentInput{GivenName: "Emre", BirthDate: "1980-02-03"}, cases.ResidentInput{GivenName: "Emre", BirthDate: "1980-02-03"}, false, 2},
		{"other birth date", cases.ResidentInput{FamilyName: "Demir", BirthDate: "1980-02-03"}, cases.ResidentInput{FamilyName: "Demir", BirthDate: "1980-02-04"}, false, 0},
		{"other name", cases.ResidentInput{FamilyName: "de Wit", BirthDate: "1980-02-03"}, cases.ResidentInput{FamilyName: "de With", BirthDate: "1980-02-03"}, false, 0},
		{"same organisation, no details", cases.ResidentInput{GivenName: "Anoniem"}, cases.ResidentInput{GivenName: "Anoniem"}, true, 2},
	} {
		second := f.dockWorker
		if tc.sameOrg {
			second = f.hoopWorker
		}
		before := f.personsWithoutPseudonym()
		a, b := f.resident(f.hoopWorker, tc.a), f.resident(second, tc.b)
		if a.PersonID == b.PersonID {
			t.Errorf("%s: the records share a person", tc.name)
		}
		if n := f.personsWithoutPseudonym() - before; n != tc.noPseudonyms {
			t.Errorf("%s: %d new persons without a pseudonym, want %d", tc.name, n, tc.noPseudonyms)
		}
	}
	a := f.resident(f.hoopWorker, cases.ResidentInput{FamilyName: "Yılmaz", BirthDate: "1980-02-03"})
	b := f.resident(f.dockWorker, cases.ResidentInput{GivenName: "Ayşe", FamilyName: "YILMAZ", BirthDate: "1980-02-03"})
	if a.PersonID != b.PersonID {
		t.Error("Yılmaz and YILMAZ are different persons")
	}
}

// personsWithoutPseudonym counts the persons no pseudonym links (storage's
// table: nothing in the use cases shows a person).
func (f *fixture) personsWithoutPseudonym() int {
	f.t.Helper()
	var n int
	if err := f.db.Read.QueryRow(`SELECT COUNT(*) FROM persons WHERE pseudonym IS NULL`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// A registration with a client-made ID is made once: a retry returns the
// stored record, even when its fields changed or would no longer pass,
// and another organisation cannot take the ID.
func TestResidentCreateRetryByID(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := uuid.NewString()
	in := cases.ResidentInput{ID: id, GivenName: "Sanne", FamilyName: "de Wit", BirthYear: 1990}
	first, created, err := f.residents.CreateOnce(f.ctx, f.hoopWorker, in)
	if err != nil || !created || first.ID != id {
		t.Fatalf("first create: %+v created=%v %v", first, created, err)
	}
	if first.CreatedBy != f.hoopWorker.UserID || !first.CreatedAt.Equal(fixtureStart) || !first.UpdatedAt.Equal(fixtureStart) {
		t.Errorf("bookkeeping: %+v", first)
	}
	f.advance(time.Hour)
	for name, retry := range map[string]cases.ResidentInput{
		"the same input":   in,
		"capitals":         {ID: strings.ToUpper(id), GivenName: "Sanne"},
		"no name any more": {ID: id},
		"other fields":     {ID: id, GivenName: "Someone", FamilyName: "Else", BirthDate: "2999-01-01"},
	} {
		again, created, err := f.residents.CreateOnce(f.ctx, f.hoopWorker, retry)
		if err != nil || created || again.ID != id || again.GivenName != "Sanne" || !again.CreatedAt.Equal(fixtureStart) {
			t.Errorf("retry with %s: %+v created=%v %v", name, again, created, err)
		}
	}
	if got := f.audit("resident", id); len(got) != 5 || got[0] != "read retry" || got[4] != "create " {
		t.Errorf("audit of the record: %q", got)
	}
	// Another organisation's ID is refused on the field, and creates nothing.
	_, _, err = f.residents.CreateOnce(f.ctx, f.dockWorker, cases.ResidentInput{ID: id, GivenName: "Sanne"})
	wantFields(t, "another organisation's id", err, "id:taken")
	if list := f.findResidents(f.dockWorker, ""); len(list) != 0 {
		t.Errorf("DOCK has records after the refused create: %v", list)
	}
	// Without an ID the server picks a new one each time.
	a := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Zonder", FamilyName: "ID"})
	b := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Zonder", FamilyName: "ID"})
	if a.ID == b.ID || uuid.Validate(a.ID) != nil {
		t.Errorf("server IDs %q and %q", a.ID, b.ID)
	}
}

// Validation happens before anything is written; the clock bounds the
// birth date; a neighbourhood must be in the reference data.
func TestResidentCreateValidates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		in   cases.ResidentInput
		want []string
	}{
		{"no name", cases.ResidentInput{Phone: "0612345678"}, []string{"given_name:name_required"}},
		{"born tomorrow", cases.ResidentInput{GivenName: "A", BirthDate: "2025-03-13"}, []string{"birth_date:past"}},
		{"before 1900", cases.ResidentInput{GivenName: "A", BirthDate: "1899-12-31"}, []string{"birth_year:min", "birth_date:min_year"}},
		{"year and date disagree", cases.ResidentInput{GivenName: "A", BirthDate: "1980-01-01", BirthYear: 1981}, []string{"birth_year:birth_mismatch"}},
		{"year in the future", cases.ResidentInput{GivenName: "A", BirthYear: 2026}, []string{"birth_year:past"}},
		{"phone", cases.ResidentInput{GivenName: "A", Phone: "bel me"}, []string{"phone:phone"}},
		{"unknown neighbourhood", cases.ResidentInput{GivenName: "A", Neighbourhood: "kanaleneiland"}, []string{"neighbourhood:unknown"}},
		{"control characters", cases.ResidentInput{GivenName: "A\x1b[31m"}, []string{"given_name:plaintext"}},
	} {
		_, err := f.residents.Create(f.ctx, f.hoopWorker, tc.in)
		wantFields(t, tc.name, err, tc.want...)
	}
	if list := f.findResidents(f.hoopWorker, ""); len(list) != 0 {
		t.Errorf("refused records were written: %d", len(list))
	}
	// The year is derived from the date; texts are trimmed.
	r := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "  Ada ", FamilyName: "Bos", BirthDate: "1985-07-01", Note: "notitie \n"})
	if r.BirthYear != 1985 || r.GivenName != "Ada" || r.Note != "notitie" {
		t.Errorf("normalised record: %+v", r)
	}
}

// Find matches every word of the query against names and phone, folding
// case and accents and ignoring how a phone number is written; it sees the
// actor's organisation only.
func TestResidentFind(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	jan := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Jan", FamilyName: "de Vries", Phone: "06-1234 5678"})
	f.advance(time.Minute)
	jose := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "José", FamilyName: "Çelik", Phone: "+31 (6) 87654321"})
	f.resident(f.dockWorker, cases.ResidentInput{GivenName: "Jan", FamilyName: "de Vries"})
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"vries", []string{jan.ID}},
		{"JAN DE VRIES", []string{jan.ID}},
		{"0612345678", []string{jan.ID}},
		{"06 1234 5678", []string{jan.ID}},
		{"(06)-12345678", []string{jan.ID}},
		{"jose celik", []string{jose.ID}},
		{"ÇELIK", []string{jose.ID}},
		{"87654321", []string{jose.ID}},
		{"jan celik", nil},
		{"%", nil},
		{"", []string{jose.ID, jan.ID}}, // most recently changed first
	} {
		var got []string
		for _, r := range f.findResidents(f.hoopWorker, tc.query) {
			got = append(got, r.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Find(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
	// A change moves a record to the front of the empty query.
	f.advance(time.Minute)
	if _, err := f.residents.Update(f.ctx, f.hoopWorker, jan.ID, cases.ResidentPatch{Note: ptr("gebeld")}); err != nil {
		t.Fatal(err)
	}
	if list := f.findResidents(f.hoopWorker, ""); len(list) != 2 || list[0].ID != jan.ID {
		t.Errorf("after the change of Jan: %v", list)
	}
	// Searches are audited with the number of results and the records
	// found, never the query as typed (a keyed hash of it only).
	searches := 0
	for _, e := range f.auditEntries("resident", "") {
		if e.Action != "search" {
			continue
		}
		searches++
		if !strings.HasPrefix(e.Detail, "results=") || strings.Contains(strings.ToLower(e.Detail), "vries") ||
			strings.Contains(e.Detail, "0612345678") || strings.Contains(strings.ToLower(e.Detail), "celik") {
			t.Errorf("audit line of a search: %q", e.Detail)
		}
		if n := strings.TrimPrefix(strings.Fields(e.Detail)[0], "results="); n != strconv.Itoa(len(e.IDs)) {
			t.Errorf("a search of %s results names %d records: %+v", n, len(e.IDs), e.IDs)
		}
	}
	if searches != 12 {
		t.Errorf("%d searches audited, want 12", searches)
	}
}

// findResidents is the first page of actor's records that match query,
// failing the test on an error.
func (f *fixture) findResidents(actor cases.Actor, query string) []*cases.Resident {
	f.t.Helper()
	list, err := f.residents.Find(f.ctx, actor, cases.ResidentFilter{Query: query})
	if err != nil {
		f.t.Fatalf("find %q: %v", query, err)
	}
	return list.Residents
}

// A page holds the default number of records, or as many as asked up to
// the maximum; a page size out of range is refused on the field, never
// quietly changed to another. The total counts every match.
func TestResidentFindLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range 27 {
		f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Bewoner", FamilyName: strconv.Itoa(i)})
	}
	for _, tc := range []struct {
		limit, want int
		more        bool
	}{{0, cases.ResidentPageSize.Default, true}, {2, 2, true}, {27, 27, false}, {cases.ResidentPageSize.Max, 27, false}} {
		list, err := f.residents.Find(f.ctx, f.hoopWorker, cases.ResidentFilter{Query: "bewoner", Limit: tc.limit})
		if err != nil || len(list.Residents) != tc.want || list.Total != 27 || (list.NextCursor != "") != tc.more {
			t.Errorf("limit %d: %d records of %d (%v), next page %v; want %d of 27, next page %v", tc.limit,
				len(list.Residents), list.Total, err, list.NextCursor != "", tc.want, tc.more)
		}
	}
	for _, limit := range []int{-1, cases.ResidentPageSize.Max + 1} {
		_, err := f.residents.Find(f.ctx, f.hoopWorker, cases.ResidentFilter{Query: "bewoner", Limit: limit})
		wantFields(t, "limit "+strconv.Itoa(limit), err, "limit:page_size")
	}
}

// A changed family name or birth date links the record to the person they
// now name; other changes keep its person. An empty patch is refused.
func TestResidentUpdateRelinks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Jan", FamilyName: "de Vries", BirthDate: "1970-01-01"})
	other := f.resident(f.dockWorker, cases.ResidentInput{GivenName: "Piet", FamilyName: "Bakker", BirthDate: "1960-02-02"})
	update := func(what string, p cases.ResidentPatch) *cases.Resident {
		t.Helper()
		out, err := f.residents.Update(f.ctx, f.hoopWorker, r.ID, p)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return out
	}
	f.advance(time.Hour)
	phone := update("phone", cases.ResidentPatch{Phone: ptr("0611112222")})
	if phone.PersonID != r.PersonID || phone.Phone != "0611112222" || phone.FamilyName != "de Vries" {
		t.Errorf("a phone change: %+v", phone)
	}
	if !phone.UpdatedAt.Equal(fixtureStart.Add(time.Hour)) || !phone.CreatedAt.Equal(fixtureStart) || phone.CreatedBy != f.hoopWorker.UserID {
		t.Errorf("bookkeeping after a change: %+v", phone)
	}
	if found := f.findResidents(f.hoopWorker, "0611112222"); len(found) != 1 {
		t.Error("the new phone is not searchable")
	}
	moved := update("name and birth", cases.ResidentPatch{FamilyName: ptr("Bakker"), BirthDate: ptr("1960-02-02")})
	if moved.PersonID != other.PersonID || moved.BirthYear != 1960 {
		t.Errorf("relinked to person %d (year %d), want DOCK's person %d", moved.PersonID, moved.BirthYear, other.PersonID)
	}
	alone := update("birth date only", cases.ResidentPatch{BirthDate: ptr("1961-03-03")})
	if alone.PersonID == other.PersonID || alone.PersonID == r.PersonID || alone.BirthYear != 1961 {
		t.Errorf("a new birth date: person %d, year %d", alone.PersonID, alone.BirthYear)
	}
	cleared := update("clear the birth date", cases.ResidentPatch{BirthDate: ptr("")})
	if cleared.BirthDate != "" || cleared.BirthYear != 0 {
		t.Errorf("cleared birth date: %q year %d", cleared.BirthDate, cleared.BirthYear)
	}

	_, err := f.residents.Update(f.ctx, f.hoopWorker, r.ID, cases.ResidentPatch{})
	wantFields(t, "empty patch", err, ":empty_patch")
	_, err = f.residents.Update(f.ctx, f.hoopWorker, r.ID, cases.ResidentPatch{GivenName: ptr(""), FamilyName: ptr("")})
	wantFields(t, "no name left", err, "given_name:name_required")
	_, err = f.residents.Update(f.ctx, f.hoopWorker, r.ID, cases.ResidentPatch{Neighbourhood: ptr("kanaleneiland")})
	wantFields(t, "unknown neighbourhood", err, "neighbourhood:unknown")
	_, err = f.residents.Update(f.ctx, f.dockWorker, r.ID, cases.ResidentPatch{Phone: ptr("0611112222")})
	wantCode(t, "another organisation's record", err, cases.ENOTFOUND)
	// Even an empty patch of another organisation's record says not found,
	// so existence is not revealed.
	_, err = f.residents.Update(f.ctx, f.dockWorker, r.ID, cases.ResidentPatch{})
	wantCode(t, "empty patch of another organisation's record", err, cases.ENOTFOUND)
}

// Reads are scoped to the actor's organisation and audited.
func TestResidentReadsAreScopedAndAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	hoop := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Fatima", FamilyName: "El Amrani"})
	dock := f.resident(f.dockWorker, cases.ResidentInput{GivenName: "Piet", FamilyName: "Bakker"})
	_, err := f.residents.ByID(f.ctx, f.dockWorker, hoop.ID)
	wantCode(t, "another organisation's record", err, cases.ENOTFOUND)
	_, err = f.residents.ByID(f.ctx, f.dockWorker, "not-a-uuid")
	wantCode(t, "a malformed id", err, cases.ENOTFOUND)
	if r, err := f.residents.ByID(f.ctx, f.hoopWorker, hoop.ID); err != nil || r.GivenName != "Fatima" {
		t.Fatalf("own record: %+v %v", r, err)
	}
	// Every read that found nothing is audited as refused, with the id
	// tried: the other organisation's, and the malformed one too.
	if got := f.audit("resident", hoop.ID); !slices.Equal(got, []string{"read ", "read_refused ", "create "}) {
		t.Errorf("audit of the record: %q", got)
	}
	if e := f.auditEntries("resident", hoop.ID)[1]; e.Username != "dock.worker" {
		t.Errorf("the refused read is audited as %s's", e.Username)
	}
	if got := f.audit("resident", "not-a-uuid"); !slices.Equal(got, []string{"read_refused "}) {
		t.Errorf("audit of a malformed id: %q", got)
	}

	names, err := f.residents.Names(f.ctx, f.hoopWorker, []string{hoop.ID, dock.ID, uuid.NewString()})
	if err != nil || len(names) != 1 || names[hoop.ID] != "Fatima El Amrani" {
		t.Errorf("names: %v %v", names, err)
	}
	if names, err := f.residents.Names(f.ctx, f.hoopWorker, nil); err != nil || len(names) != 0 {
		t.Errorf("no names: %v %v", names, err)
	}
	many := make([]string, cases.MaxNames+1)
	for i := range many {
		many[i] = uuid.NewString()
	}
	_, err = f.residents.Names(f.ctx, f.hoopWorker, many)
	wantFields(t, "too many names", err, "ids:max")
}
