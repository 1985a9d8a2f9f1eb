package cases_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The use cases of issue 13 on the shared fixture (fixture_test.go): lists
// that page, the resident's story, duplicates.

// TestContactPagesReachEveryContactOnce: 250 contacts, many at the same
// moment, paged 40 at a time, each exactly once, newest first, with the
// total on every page; contacts added while paging do not shift the pages.
func TestContactPagesReachEveryContactOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.resident(f.hoopWorker, person("Fatima", "El Idrissi", "1990-04-01"))
	want := map[string]bool{}
	for i := range 250 {
		// 50 moments, five contacts each: ties broken by the cursor's row.
		want[f.contact(f.hoopWorker, contactAt(f.hoopWorker, r.ID, f.clock().Add(-time.Duration(i/5)*time.Hour))).ID] = true
	}
	seen := map[string]int{}
	var last time.Time
	cursor, pages := "", 0
	for {
		list, err := f.contacts.Find(f.ctx, f.hoopCoord, cases.ContactFilter{ResidentID: r.ID, Cursor: cursor, Limit: 40})
		if err != nil {
			t.Fatal(err)
		}
		if list.Total != 250+min(pages/2, 1) || list.Offset != pages*40 { // one more after page 2
			t.Fatalf("page %d: total %d, offset %d", pages, list.Total, list.Offset)
		}
		for _, c := range list.Contacts {
			if !last.IsZero() && c.OccurredAt.After(last) {
				t.Fatalf("page %d: %s after %s: not newest first", pages, c.OccurredAt, last)
			}
			last = c.OccurredAt
			seen[c.ID]++
		}
		pages++
		if pages == 2 {
			f.contact(f.hoopWorker, contactAt(f.hoopWorker, r.ID, f.clock())) // newer than everything shown: on no later page
		}
		if list.NextCursor == "" {
			break
		}
		cursor = list.NextCursor
	}
	if pages != 7 || len(seen) != 250 {
		t.Fatalf("%d pages, %d contacts seen, want 7 and 250", pages, len(seen))
	}
	for id, n := range seen {
		if n != 1 || !want[id] {
			t.Errorf("contact %s seen %d times (one of ours: %v)", id, n, want[id])
		}
	}
}

// TestListLimits: a page size above the maximum, a foreign cursor and an
// unknown filter value are refused naming the field, never quietly changed
// (the residents' page sizes: TestResidentFindLimit).
func TestListLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, a := f.ctx, f.hoopWorker
	field := func(err error) string {
		if fields := fieldsOf(err); len(fields) > 0 {
			name, _, _ := strings.Cut(fields[0], ":")
			return name
		}
		return fmt.Sprint(err)
	}
	if _, err := f.contacts.Find(ctx, a, cases.ContactFilter{Limit: cases.ContactPageSize.Max + 1}); field(err) != "limit" {
		t.Errorf("contacts over the maximum: %v", err)
	}
	if _, err := f.handovers.Find(ctx, a, cases.HandoverFilter{Limit: cases.HandoverPageSize.Max + 1}); field(err) != "limit" {
		t.Errorf("handovers over the maximum: %v", err)
	}
	for _, c := range []string{"nope", "eyJrIjpbXX0", (cases.Cursor{Key: []string{"x", "y"}}).Encode()} {
		if _, err := f.contacts.Find(ctx, a, cases.ContactFilter{Cursor: c}); field(err) != "cursor" {
			t.Errorf("contacts cursor %q: %v", c, err)
		}
	}
	if _, err := f.contacts.Find(ctx, a, cases.ContactFilter{Topic: "geen-onderwerp"}); field(err) != "topic" {
		t.Errorf("unknown topic: %v", err)
	}
	if _, err := f.contacts.Find(ctx, a, cases.ContactFilter{Programme: "weggeefbus"}); field(err) != "programme" {
		t.Errorf("another organisation's programme: %v", err)
	}
	if _, err := f.contacts.Find(ctx, a, cases.ContactFilter{Worker: "dock.worker"}); field(err) != "worker" {
		t.Errorf("another organisation's worker: %v", err)
	}
	other := f.resident(f.dockWorker, person("Bas", "Voorbeeld", ""))
	if _, err := f.handovers.Find(ctx, a, cases.HandoverFilter{ResidentID: other.ID}); field(err) != "resident_id" {
		t.Errorf("another organisation's resident: %v", err)
	}
}

// TestContactsOneRule: a worker reads the organisation's contacts; Mine
// and Worker narrow them, both for workers and coordinators.
func TestContactsOneRule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := f.contact(f.hoopWorker, contactAt(f.hoopWorker, "", f.clock().Add(-time.Hour))).ID
	theirs := f.contact(f.hoopCoord, contactAt(f.hoopCoord, "", f.clock().Add(-2*time.Hour))).ID
	f.contact(f.dockWorker, contactAt(f.dockWorker, "", f.clock()))
	ids := func(who string, filter cases.ContactFilter) []string {
		list, err := f.contacts.Find(f.ctx, f.actors[who], filter)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list.Contacts {
			out = append(out, c.ID)
		}
		return out
	}
	for _, who := range []string{"hoop.worker", "hoop.coord"} {
		if got := ids(who, cases.ContactFilter{}); !slices.Equal(got, []string{mine, theirs}) {
			t.Errorf("%s reads %v, want the organisation's two", who, got)
		}
	}
	if got := ids("hoop.worker", cases.ContactFilter{Mine: true}); !slices.Equal(got, []string{mine}) {
		t.Errorf("worker's own: %v", got)
	}
	if got := ids("hoop.worker", cases.ContactFilter{Worker: "hoop.coord"}); !slices.Equal(got, []string{theirs}) {
		t.Errorf("a colleague's: %v", got)
	}
}

// TestHandoverPagesFollowReviewOrder: paging the review 4 at a time shows
// what one long page shows, in the same order (overdue, open, closed),
// each handover once, even when the clock moves on while paging.
func TestHandoverPagesFollowReviewOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.ctx
	start := f.clock()
	for i := range 23 {
		f.set(start.Add(-time.Duration(23-i) * 24 * time.Hour)) // some far past their deadlines
		r := f.resident(f.dockWorker, person("Test", fmt.Sprintf("Persoon %d", i), ""))
		in := handoverInput(r.ID, "al-amal", cases.ScopeName)
		in.Urgency = map[bool]string{true: "urgent", false: "normal"}[i%3 == 0]
		h := f.handover(f.dockWorker, in)
		if i%4 == 0 {
			f.move("decline")(f.handovers.Decline(ctx, f.hoopWorker, h.ID, cases.DeclineInput{Reason: "no_capacity"}))
		}
	}
	f.set(start)
	coord := f.hoopCoord
	all, err := f.handovers.Find(ctx, coord, cases.HandoverFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 23 || len(all.Handovers) != 23 || all.Overdue == 0 {
		t.Fatalf("one page: %d of %d, %d overdue", len(all.Handovers), all.Total, all.Overdue)
	}
	var paged []string
	cursor := ""
	for range 10 {
		list, err := f.handovers.Find(ctx, coord, cases.HandoverFilter{Cursor: cursor, Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range list.Handovers {
			paged = append(paged, h.ID)
		}
		f.advance(3 * 24 * time.Hour) // more become overdue meanwhile
		if cursor = list.NextCursor; cursor == "" {
			break
		}
	}
	var want []string
	for _, h := range all.Handovers {
		want = append(want, h.ID)
	}
	if !slices.Equal(paged, want) {
		t.Errorf("paged %v\nwant  %v", paged, want)
	}
}

// TestSecondOpenHandoverRefused: one open handover of a record to a
// partner at a time; after it closed, or to another partner, or for
// another organisation's record of the same person, sending goes on.
func TestSecondOpenHandoverRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	send := func(sender cases.Actor, residentID, to string) (*cases.Handover, error) {
		return f.handovers.Create(f.ctx, sender, handoverInput(residentID, to, cases.ScopeName))
	}
	r := f.resident(f.dockWorker, person("Fatima", "El Idrissi", "1990-04-01"))
	first := f.handover(f.dockWorker, handoverInput(r.ID, "al-amal", cases.ScopeName))
	urgent := handoverInput(r.ID, "al-amal", cases.ScopeName)
	urgent.Urgency = "urgent"
	_, err := f.handovers.Create(f.ctx, f.dockCoord, urgent)
	wantFields(t, "second open handover", err, "resident_id:handover_open")
	if _, err := send(f.dockWorker, r.ID, "buurtteam"); err != nil {
		t.Errorf("to another partner: %v", err)
	}
	// DOK030 knows the same person (the same person link) and has never
	// seen DOCK's handover: it may send its own.
	theirs := f.resident(f.bhbWorker, person("Fatima", "El Idrissi", "1990-04-01"))
	if _, err := send(f.bhbWorker, theirs.ID, "al-amal"); err != nil {
		t.Errorf("another organisation's record: %v", err)
	}
	f.move("withdraw")(f.handovers.Withdraw(f.ctx, f.dockWorker, first.ID, cases.WithdrawInput{Reason: "Dubbel."}))
	if _, err := send(f.dockWorker, r.ID, "al-amal"); err != nil {
		t.Errorf("after the first was withdrawn: %v", err)
	}
}

// TestMatchesAndMerge: the records that may be the person, and merging
// two records: who may, what moves, what stays, what a later contact does.
func TestMatchesAndMerge(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.ctx
	worker, coord := f.hoopWorker, f.hoopCoord
	kept := f.resident(worker, person("Fatima", "El Idrissi", "1990-04-01"))
	twin := f.resident(worker, person("Fatima", "el-idrissi", "1990-04-01")) // the same person link
	year := f.resident(worker, person("F.", "El-Idrissi", ""))               // the same name, a year only
	if _, err := f.residents.Update(ctx, worker, year.ID, cases.ResidentPatch{BirthYear: ptr(1990)}); err != nil {
		t.Fatal(err)
	}
	f.resident(worker, person("Fatima", "El Idrissi", "1991-04-01"))       // another year
	f.resident(f.dockWorker, person("Fatima", "El Idrissi", "1990-04-01")) // another organisation
	found, err := f.residents.Matches(ctx, worker, cases.MatchQuery{FamilyName: "EL IDRISSI", BirthDate: "1990-04-01"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range found {
		got = append(got, r.ID)
	}
	slices.Sort(got)
	want := []string{kept.ID, twin.ID, year.ID}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("matches %v, want %v", got, want)
	}
	if found, _ := f.residents.Matches(ctx, worker, cases.MatchQuery{FamilyName: "El Idrissi"}); len(found) != 0 {
		t.Errorf("a name alone matched %d", len(found))
	}

	c1 := f.contact(worker, contactAt(worker, twin.ID, f.clock().Add(-time.Hour))).ID
	h := f.handover(worker, handoverInput(twin.ID, "buurtteam", cases.ScopeName))
	if _, err := f.residents.Merge(ctx, worker, twin.ID, cases.MergeInput{Into: kept.ID}); cases.ErrorCode(err) != cases.EFORBIDDEN {
		t.Errorf("a worker merges: %v", err)
	}
	if _, err := f.residents.Merge(ctx, coord, twin.ID, cases.MergeInput{Into: twin.ID}); cases.ErrorCode(err) != cases.EINVALID {
		t.Errorf("into itself: %v", err)
	}
	res, err := f.residents.Merge(ctx, coord, twin.ID, cases.MergeInput{Into: kept.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != (cases.MergeCounts{Contacts: 1, Handovers: 1}) || res.Merged.MergedInto != kept.ID {
		t.Errorf("merge: %+v", res)
	}
	if _, err := f.residents.Merge(ctx, coord, twin.ID, cases.MergeInput{Into: kept.ID}); cases.ErrorCode(err) != cases.ECONFLICT {
		t.Errorf("merged twice: %v", err)
	}
	// The merged record is kept as it was, pointing at the one kept; the
	// contacts and the handover are the kept record's now.
	old, err := f.residents.ByID(ctx, coord, twin.ID)
	if err != nil || old.MergedInto != kept.ID || old.FamilyName != "el-idrissi" {
		t.Errorf("merged record: %+v %v", old, err)
	}
	story, err := f.timeline.Of(ctx, coord, kept.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(story.Entries) != 2 || story.Entries[0].Handover == nil || story.Entries[0].Handover.ID != h.ID ||
		story.Entries[1].Contact == nil || story.Entries[1].Contact.ID != c1 || len(story.Open) != 1 {
		t.Errorf("story of the kept record: %+v", story)
	}
	list, _ := f.residents.Find(ctx, coord, cases.ResidentFilter{Query: "idrissi"})
	for _, r := range list.Residents {
		if r.ID == twin.ID {
			t.Error("the merged record is still listed")
		}
	}
	// A contact a tablet sends later for the merged record lands on the kept one.
	late := f.contact(worker, contactAt(worker, twin.ID, f.clock()))
	if late.ResidentID != kept.ID {
		t.Errorf("the answer to a contact for the merged record names %s, want the kept record", late.ResidentID)
	}
	if c, err := f.contacts.ByID(ctx, worker, late.ID); err != nil || c.ResidentID != kept.ID {
		t.Errorf("a later contact for the merged record: %+v %v", c, err)
	}
	// And the open handover of the kept record counts for a second one.
	if _, err := f.handovers.Create(ctx, worker, handoverInput(kept.ID, "buurtteam", cases.ScopeName)); cases.ErrorCode(err) != cases.EINVALID {
		t.Errorf("second open handover after the merge: %v", err)
	}
	if _, err := f.residents.Update(ctx, coord, twin.ID, cases.ResidentPatch{Phone: ptr("0612345678")}); cases.ErrorCode(err) != cases.ECONFLICT {
		t.Errorf("changing a merged record: %v", err)
	}
}
