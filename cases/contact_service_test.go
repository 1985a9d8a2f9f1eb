package cases_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// A contact is stored once per client-made ID: a retry answers the stored
// contact (even once its time has left the window), another organisation
// cannot take the ID, and the resident must be the organisation's own.
func TestContactCreateAndRetry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Fatima", FamilyName: "El Amrani"})
	in := contactInput(f.hoopWorker, r.ID)
	in.Topics = []string{"schulden", "rondkomen"}
	in.OccurredAt = fixtureStart.Add(-time.Hour).Format(time.RFC3339)
	in.Note = "Brief van de deurwaarder besproken."
	c, created, err := f.contacts.Create(f.ctx, f.hoopWorker, in)
	if err != nil || !created {
		t.Fatalf("create: created=%v %v", created, err)
	}
	if c.Worker != "hoop.worker" || c.Version != 1 || !slices.Equal(c.Topics, []string{"rondkomen", "schulden"}) ||
		c.Outcomes == nil || len(c.Outcomes) != 0 || !c.OccurredAt.Equal(fixtureStart.Add(-time.Hour)) || c.Anonymous {
		t.Errorf("created contact: %+v", c)
	}

	retry := in
	retry.Note = "Een andere tekst, maar dezelfde post."
	again, created, err := f.contacts.Create(f.ctx, f.hoopWorker, retry)
	if err != nil || created || again.Note != in.Note || again.ID != c.ID {
		t.Errorf("retry: %+v created=%v %v", again, created, err)
	}
	// 91 days later the contact is older than the window: a retry is still
	// answered with the stored one.
	f.advance(91 * 24 * time.Hour)
	if again, created, err := f.contacts.Create(f.ctx, f.hoopWorker, in); err != nil || created || again.ID != c.ID {
		t.Errorf("retry after the window: %+v created=%v %v", again, created, err)
	}
	if got := f.audit("contact", c.ID); len(got) != 1 || got[0] != "create " {
		t.Errorf("retries write audit lines: %q", got)
	}

	taken := contactInput(f.dockWorker, "")
	taken.ID, taken.Anonymous = in.ID, true
	_, _, err = f.contacts.Create(f.ctx, f.dockWorker, taken)
	wantFields(t, "another organisation's contact id", err, "id:taken")

	_, _, err = f.contacts.Create(f.ctx, f.hoopWorker, contactInput(f.hoopWorker, uuid.NewString()))
	wantFields(t, "an unknown resident", err, "resident_id:unknown_resident")
	dockResident := f.resident(f.dockWorker, cases.ResidentInput{GivenName: "Piet"})
	_, _, err = f.contacts.Create(f.ctx, f.hoopWorker, contactInput(f.hoopWorker, dockResident.ID))
	wantFields(t, "another organisation's resident", err, "resident_id:unknown_resident")
}

// Every unknown slug is named at once, beside the input's own problems; a
// programme must be one the actor's organisation runs.
func TestContactReferenceChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := contactInput(f.hoopWorker, "")
	in.Anonymous = true
	in.Programme = "weggeefbus" // DOCK's
	in.Neighbourhood = "kanaleneiland"
	in.Kind = "brief"
	in.Topics = []string{"schulden", "bingo"}
	in.Outcomes = []string{"gewonnen"}
	in.Note = "bel\x07"
	_, _, err := f.contacts.Create(f.ctx, f.hoopWorker, in)
	wantFields(t, "unknown slugs", err, "note:plaintext", "programme:unknown", "neighbourhood:unknown", "kind:unknown",
		"topics[1]:unknown", "outcomes[0]:unknown")
	if list, _ := f.contacts.Find(f.ctx, f.hoopWorker, cases.ContactFilter{}); list.Total != 0 {
		t.Errorf("a refused contact was stored: %v", list.Contacts)
	}
}

// A new contact happened at most MaxClockSkew ahead and at most the
// service's window ago; it is about a resident or anonymous, not both.
func TestContactTimeAndResidentRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Fatima"})
	at := func(d time.Duration) string { return fixtureStart.Add(d).Format(time.RFC3339) }
	week := cases.NewContactService(f.db)
	week.Window = 7 * 24 * time.Hour
	for _, tc := range []struct {
		name    string
		service *cases.ContactService
		change  func(in *cases.ContactInput)
		want    []string
	}{
		{"5 minutes ahead", f.contacts, func(in *cases.ContactInput) { in.OccurredAt = at(5 * time.Minute) }, nil},
		{"11 minutes ahead", f.contacts, func(in *cases.ContactInput) { in.OccurredAt = at(11 * time.Minute) }, []string{"occurred_at:future"}},
		{"89 days ago", f.contacts, func(in *cases.ContactInput) { in.OccurredAt = at(-89 * 24 * time.Hour) }, nil},
		{"91 days ago", f.contacts, func(in *cases.ContactInput) { in.OccurredAt = at(-91 * 24 * time.Hour) }, []string{"occurred_at:too_old"}},
		{"8 days ago, 7-day window", week, func(in *cases.ContactInput) { in.OccurredAt = at(-8 * 24 * time.Hour) }, []string{"occurred_at:too_old"}},
		{"not a time", f.contacts, func(in *cases.ContactInput) { in.OccurredAt = "gisteren" }, []string{"occurred_at:rfc3339"}},
		{"anonymous and a resident", f.contacts, func(in *cases.ContactInput) { in.Anonymous = true }, []string{"resident_id:anonymous_xor_resident"}},
		{"neither", f.contacts, func(in *cases.ContactInput) { in.ResidentID = "" }, []string{"resident_id:resident_or_anonymous"}},
	} {
		in := contactInput(f.hoopWorker, r.ID)
		tc.change(&in)
		_, _, err := tc.service.Create(f.ctx, f.hoopWorker, in)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		wantFields(t, tc.name, err, tc.want...)
	}
	// The window is named in the answer, in days.
	in := contactInput(f.hoopWorker, r.ID)
	in.OccurredAt = at(-8 * 24 * time.Hour)
	_, _, err := week.Create(f.ctx, f.hoopWorker, in)
	if e, ok := err.(*cases.Error); !ok || e.Fields[0].Param != "7" {
		t.Errorf("the 7-day window's answer: %v", err)
	}
}

// Only the author corrects a contact, within the correction window, at the
// version they saw, and never a voided one; each correction keeps the
// previous version.
func TestContactCorrectionRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Fatima"})
	in := contactInput(f.hoopWorker, r.ID)
	in.Note = "eerste versie"
	c := f.contact(f.hoopWorker, in)

	f.advance(time.Hour)
	fixed, err := f.contacts.Correct(f.ctx, f.hoopWorker, c.ID, cases.ContactPatch{Version: ptr(1),
		Note: ptr("tweede versie"), Topics: &[]string{"werk", "rondkomen"}})
	if err != nil {
		t.Fatal(err)
	}
	if fixed.Version != 2 || fixed.Note != "tweede versie" || !slices.Equal(fixed.Topics, []string{"rondkomen", "werk"}) ||
		!fixed.UpdatedAt.Equal(fixtureStart.Add(time.Hour)) || !fixed.CreatedAt.Equal(fixtureStart) {
		t.Errorf("corrected: %+v", fixed)
	}
	if len(fixed.History) != 1 || fixed.History[0].Version != 1 || fixed.History[0].Note != "eerste versie" ||
		fixed.History[0].ChangedBy != "hoop.worker" || !slices.Equal(fixed.History[0].Topics, []string{"schulden"}) {
		t.Errorf("history: %+v", fixed.History)
	}
	if read, err := f.contacts.ByID(f.ctx, f.hoopCoord, c.ID); err != nil || read.Version != 2 || len(read.History) != 1 {
		t.Errorf("read back by a colleague: %+v %v", read, err)
	}

	_, err = f.contacts.Correct(f.ctx, f.hoopCoord, c.ID, cases.ContactPatch{Note: ptr("coordinator")})
	wantCode(t, "a colleague, even a coordinator", err, cases.EFORBIDDEN, "contact_not_author")
	_, err = f.contacts.Correct(f.ctx, f.dockWorker, c.ID, cases.ContactPatch{Note: ptr("DOCK")})
	wantCode(t, "another organisation", err, cases.ENOTFOUND)
	_, err = f.contacts.Correct(f.ctx, f.hoopWorker, c.ID, cases.ContactPatch{Version: ptr(1), Note: ptr("oud")})
	wantCode(t, "a stale version", err, cases.ECONFLICT, "contact_stale")
	_, err = f.contacts.Correct(f.ctx, f.hoopWorker, c.ID, cases.ContactPatch{Version: ptr(2)})
	wantFields(t, "only a version", err, ":empty_patch")
	_, err = f.contacts.Correct(f.ctx, f.hoopWorker, c.ID, cases.ContactPatch{OccurredAt: ptr("")})
	wantFields(t, "no time", err, "occurred_at:required")
	_, err = f.contacts.Correct(f.ctx, f.hoopWorker, c.ID, cases.ContactPatch{Topics: &[]string{}})
	wantFields(t, "no topics", err, "topics:min")
	_, err = f.contacts.Correct(f.ctx, f.hoopWorker, c.ID, cases.ContactPatch{Programme: ptr("weggeefbus")})
	wantFields(t, "another organisation's programme", err, "programme:unknown")
	if read, _ := f.contacts.ByID(f.ctx, f.hoopWorker, c.ID); read.Version != 2 || read.Note != "tweede versie" {
		t.Errorf("refused corrections changed the contact: %+v", read)
	}

	// The window counts from when the contact was logged.
	f.advance(cases.CorrectionWindow - time.Hour)
	if _, err := f.contacts.Correct(f.ctx, f.hoopWorker, c.ID, cases.ContactPatch{Note: ptr("laatste kans")}); err != nil {
		t.Errorf("at the end of the window: %v", err)
	}
	f.advance(time.Millisecond)
	_, err = f.contacts.Correct(f.ctx, f.hoopWorker, c.ID, cases.ContactPatch{Note: ptr("te laat")})
	wantCode(t, "after the window", err, cases.ECONFLICT, "correction_window_closed")

	voided := f.contact(f.hoopWorker, contactInput(f.hoopWorker, r.ID))
	if _, err := f.contacts.Void(f.ctx, f.hoopCoord, voided.ID, cases.VoidInput{Reason: "dubbel"}); err != nil {
		t.Fatal(err)
	}
	_, err = f.contacts.Correct(f.ctx, f.hoopWorker, voided.ID, cases.ContactPatch{Note: ptr("toch")})
	wantCode(t, "a voided contact", err, cases.ECONFLICT, "contact_voided")
}

// A voided contact stays stored, with who voided it and why, and is voided
// once.
func TestContactVoid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.contact(f.hoopWorker, contactInput(f.hoopWorker, f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "A"}).ID))
	f.advance(time.Hour)
	_, err := f.contacts.Void(f.ctx, f.hoopCoord, c.ID, cases.VoidInput{Reason: "  "})
	wantFields(t, "no reason", err, "reason:required")
	_, err = f.contacts.Void(f.ctx, f.dockCoord, c.ID, cases.VoidInput{Reason: "niet van ons"})
	wantCode(t, "another organisation", err, cases.ENOTFOUND)

	v, err := f.contacts.Void(f.ctx, f.hoopCoord, c.ID, cases.VoidInput{Reason: " dubbel ingevoerd "})
	if err != nil {
		t.Fatal(err)
	}
	voidedAt := fixtureStart.Add(time.Hour)
	if v.VoidedAt == nil || !v.VoidedAt.Equal(voidedAt) || v.VoidReason != "dubbel ingevoerd" || v.VoidedBy != f.hoopCoord.UserID {
		t.Errorf("voided: %+v", v)
	}
	read, err := f.contacts.ByID(f.ctx, f.hoopWorker, c.ID)
	if err != nil || read.VoidedAt == nil || !read.VoidedAt.Equal(voidedAt) || read.VoidReason != "dubbel ingevoerd" {
		t.Errorf("read back: %+v %v", read, err)
	}
	_, err = f.contacts.Void(f.ctx, f.hoopCoord, c.ID, cases.VoidInput{Reason: "nog eens"})
	wantCode(t, "voided twice", err, cases.ECONFLICT, "contact_voided")
	// The refused void of another organisation is audited as such; so is
	// every read.
	if got := f.audit("contact", c.ID); len(got) != 4 || got[0] != "read " || got[1] != "void " ||
		got[2] != "read_refused " || !strings.HasPrefix(got[3], "create") {
		t.Errorf("audit: %q", got)
	}
}

// Find lists the organisation's contacts newest first; Mine narrows to the
// actor's own, Worker to a colleague's (both at once only when they name
// the same person); every list is an audited read that names the contacts
// it returned and, for one resident's, the resident.
func TestContactFind(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Fatima"})
	logAt := func(actor cases.Actor, residentID string, ago time.Duration) string {
		return f.contact(actor, contactAt(actor, residentID, fixtureStart.Add(-ago))).ID
	}
	oldest := logAt(f.hoopWorker, r.ID, 3*time.Hour)
	middle := logAt(f.hoopWorker, r.ID, 2*time.Hour)
	newest := logAt(f.hoopCoord, "", time.Hour)
	dock := logAt(f.dockWorker, "", 30*time.Minute)
	from, to := fixtureStart.Add(-150*time.Minute), fixtureStart.Add(-time.Hour)
	table := []struct {
		name  string
		actor cases.Actor
		f     cases.ContactFilter
		want  []string
	}{
		{"all of Al Amal", f.hoopWorker, cases.ContactFilter{}, []string{newest, middle, oldest}},
		{"mine (worker)", f.hoopWorker, cases.ContactFilter{Mine: true}, []string{middle, oldest}},
		{"mine (coordinator)", f.hoopCoord, cases.ContactFilter{Mine: true}, []string{newest}},
		{"mine, naming oneself", f.hoopCoord, cases.ContactFilter{Mine: true, Worker: "hoop.coord"}, []string{newest}},
		{"one worker", f.hoopCoord, cases.ContactFilter{Worker: "hoop.worker"}, []string{middle, oldest}},
		{"one resident", f.hoopCoord, cases.ContactFilter{ResidentID: r.ID}, []string{middle, oldest}},
		{"from, to (exclusive)", f.hoopWorker, cases.ContactFilter{From: &from, To: &to}, []string{middle}},
		{"limit", f.hoopWorker, cases.ContactFilter{Limit: 1}, []string{newest}},
		{"DOCK", f.dockWorker, cases.ContactFilter{}, []string{dock}},
		{"DOCK, Al Amal's resident", f.dockWorker, cases.ContactFilter{ResidentID: r.ID}, nil},
	}
	for _, tc := range table {
		list, err := f.contacts.Find(f.ctx, tc.actor, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, c := range list.Contacts {
			got = append(got, c.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	_, err := f.contacts.Find(f.ctx, f.hoopCoord, cases.ContactFilter{Mine: true, Worker: "hoop.worker"})
	wantFields(t, "mine and a colleague", err, "worker:mine_and_worker")

	var lists, residentLists int
	for _, e := range f.auditEntries("contact", "") {
		if e.Action != "list" {
			continue
		}
		lists++
		if strings.HasSuffix(e.Detail, " resident="+r.ID) {
			residentLists++
			var contacts []string
			for _, id := range e.IDs {
				if id.Kind == "contact" {
					contacts = append(contacts, id.ID)
				}
			}
			slices.Sort(contacts)
			if want := map[string][]string{"results=2": slices.Sorted(slices.Values([]string{middle, oldest})),
				"results=0": nil}[strings.Fields(e.Detail)[0]]; !slices.Equal(contacts, want) {
				t.Errorf("the audited list %q names %v, want %v", e.Detail, contacts, want)
			}
		}
	}
	if lists != len(table) || residentLists != 2 {
		t.Errorf("%d audited lists (%d of the resident's contacts), want %d (2)", lists, residentLists, len(table))
	}
}
