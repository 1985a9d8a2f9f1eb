package cases_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// TestMain runs the tests on SQLite and, with BUURTBRUG_TEST_POSTGRES, those
// on a store on PostgreSQL too.
func TestMain(m *testing.M) {
	storagetest.Main(m, func(ctx context.Context, dsn string) error {
		db, err := storage.Open(ctx, dsn)
		if err != nil {
			return err
		}
		return db.Close()
	})
}

// The use cases of issue 13 on a temp-file store: lists that page, the
// resident's story, duplicates.

type world struct {
	t         *testing.T
	db        *storage.DB
	now       time.Time
	residents *cases.ResidentService
	contacts  *cases.ContactService
	handovers *cases.HandoverService
	timeline  *cases.TimelineService
	actors    map[string]cases.Actor
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, storagetest.DSN(t, "cases"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w := &world{t: t, db: db, now: time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC), actors: map[string]cases.Actor{}}
	db.Clock = func() time.Time { return w.now }
	w.residents = cases.NewResidentService(db, []byte("made-up-test-secret-0123456789abcdef"))
	w.contacts = cases.NewContactService(db)
	w.handovers = cases.NewHandoverService(db, w.residents, w.contacts, cases.NewNotifyService(db))
	w.timeline = cases.NewTimelineService(w.residents, w.contacts, w.handovers)
	users := cases.NewUserService(db, fakePasswords{})
	for _, u := range []struct{ name, org, programme, role string }{
		{"hoop.worker", "al-amal", "hoop", cases.RoleWorker}, {"hoop.coord", "al-amal", "hoop", cases.RoleCoordinator},
		{"dock.worker", "dock", "weggeefbus", cases.RoleWorker}, {"dock.coord", "dock", "weggeefbus", cases.RoleCoordinator},
		{"bhb.worker", "dok030", "buren-helpen-buren", cases.RoleWorker},
		{"buurtteam.worker", "buurtteam", "buurtteam-overvecht", cases.RoleWorker},
	} {
		created, err := users.Create(ctx, cases.System, cases.UserInput{Username: u.name, DisplayName: u.name,
			Organisation: u.org, Programme: u.programme, Roles: []string{u.role}, Password: "made-up-password"})
		if err != nil {
			t.Fatal(err)
		}
		w.actors[u.name] = created.Actor()
	}
	return w
}

func (w *world) resident(who, given, family, birth string) *cases.Resident {
	w.t.Helper()
	r, err := w.residents.Create(context.Background(), w.actors[who], cases.ResidentInput{GivenName: given,
		FamilyName: family, BirthDate: birth, Neighbourhood: "zambesibuurt"})
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *world) contact(who, residentID string, at time.Time) string {
	w.t.Helper()
	a := w.actors[who]
	c, _, err := w.contacts.Create(context.Background(), a, cases.ContactInput{ID: uuid.NewString(), Programme: a.Programme,
		OccurredAt: at.Format(time.RFC3339), Neighbourhood: "zambesibuurt", Kind: "spreekuur", ResidentID: residentID,
		Anonymous: residentID == "", Topics: []string{"schulden"}})
	if err != nil {
		w.t.Fatal(err)
	}
	return c.ID
}

func (w *world) send(who, residentID, to, urgency string) (*cases.Handover, error) {
	return w.handovers.Create(context.Background(), w.actors[who], cases.HandoverInput{ResidentID: residentID, To: to,
		Topics: []string{"schulden"}, Question: "Hulp bij rekeningen.", Urgency: urgency,
		Consent: &cases.ConsentInput{Given: true, How: "verbal", Scope: []string{cases.ScopeName}}})
}

// TestContactPagesReachEveryContactOnce: 250 contacts, many at the same
// moment, paged 40 at a time, each exactly once, newest first, with the
// total on every page; contacts added while paging do not shift the pages.
func TestContactPagesReachEveryContactOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.resident("hoop.worker", "Fatima", "El Idrissi", "1990-04-01")
	want := map[string]bool{}
	for i := range 250 {
		// 50 moments, five contacts each: ties broken by the cursor's row.
		want[w.contact("hoop.worker", r.ID, w.now.Add(-time.Duration(i/5)*time.Hour))] = true
	}
	seen := map[string]int{}
	var last time.Time
	cursor, pages := "", 0
	for {
		list, err := w.contacts.Find(ctx, w.actors["hoop.coord"], cases.ContactFilter{ResidentID: r.ID, Cursor: cursor, Limit: 40})
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
			w.contact("hoop.worker", r.ID, w.now) // newer than everything shown: on no later page
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
// unknown filter value are refused naming the field, never quietly changed.
func TestListLimits(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.actors["hoop.worker"]
	field := func(err error) string {
		var e *cases.Error
		if !errorsAs(err, &e) || e.Code != cases.EINVALID || len(e.Fields) == 0 {
			return fmt.Sprint(err)
		}
		return e.Fields[0].Field
	}
	if _, err := w.residents.Find(ctx, a, cases.ResidentFilter{Limit: 101}); field(err) != "limit" {
		t.Errorf("residents limit 101: %v", err)
	}
	if l, err := w.residents.Find(ctx, a, cases.ResidentFilter{Limit: 100}); err != nil || l.Total != 0 {
		t.Errorf("residents limit 100: %v", err)
	}
	if _, err := w.contacts.Find(ctx, a, cases.ContactFilter{Limit: cases.ContactPageSize.Max + 1}); field(err) != "limit" {
		t.Errorf("contacts over the maximum: %v", err)
	}
	if _, err := w.handovers.Find(ctx, a, cases.HandoverFilter{Limit: cases.HandoverPageSize.Max + 1}); field(err) != "limit" {
		t.Errorf("handovers over the maximum: %v", err)
	}
	for _, c := range []string{"nope", "eyJrIjpbXX0", (cases.Cursor{Key: []string{"x", "y"}}).Encode()} {
		if _, err := w.contacts.Find(ctx, a, cases.ContactFilter{Cursor: c}); field(err) != "cursor" {
			t.Errorf("contacts cursor %q: %v", c, err)
		}
	}
	if _, err := w.contacts.Find(ctx, a, cases.ContactFilter{Topic: "geen-onderwerp"}); field(err) != "topic" {
		t.Errorf("unknown topic: %v", err)
	}
	if _, err := w.contacts.Find(ctx, a, cases.ContactFilter{Programme: "weggeefbus"}); field(err) != "programme" {
		t.Errorf("another organisation's programme: %v", err)
	}
	if _, err := w.contacts.Find(ctx, a, cases.ContactFilter{Worker: "dock.worker"}); field(err) != "worker" {
		t.Errorf("another organisation's worker: %v", err)
	}
	other := w.resident("dock.worker", "Bas", "Voorbeeld", "")
	if _, err := w.handovers.Find(ctx, a, cases.HandoverFilter{ResidentID: other.ID}); field(err) != "resident_id" {
		t.Errorf("another organisation's resident: %v", err)
	}
}

// TestContactsOneRule: a worker reads the organisation's contacts; Mine
// and Worker narrow them, both for workers and coordinators.
func TestContactsOneRule(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mine := w.contact("hoop.worker", "", w.now.Add(-time.Hour))
	theirs := w.contact("hoop.coord", "", w.now.Add(-2*time.Hour))
	w.contact("dock.worker", "", w.now)
	ids := func(who string, f cases.ContactFilter) []string {
		list, err := w.contacts.Find(ctx, w.actors[who], f)
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
	w := newWorld(t)
	ctx := context.Background()
	start := w.now
	for i := range 23 {
		w.now = start.Add(-time.Duration(23-i) * 24 * time.Hour) // some far past their deadlines
		r := w.resident("dock.worker", "Test", fmt.Sprintf("Persoon %d", i), "")
		h, err := w.send("dock.worker", r.ID, "al-amal", map[bool]string{true: "urgent", false: "normal"}[i%3 == 0])
		if err != nil {
			t.Fatal(err)
		}
		if i%4 == 0 {
			if _, err := w.handovers.Decline(ctx, w.actors["hoop.worker"], h.ID, cases.DeclineInput{Reason: "no_capacity"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.now = start
	coord := w.actors["hoop.coord"]
	all, err := w.handovers.Find(ctx, coord, cases.HandoverFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 23 || len(all.Handovers) != 23 || all.Overdue == 0 {
		t.Fatalf("one page: %d of %d, %d overdue", len(all.Handovers), all.Total, all.Overdue)
	}
	var paged []string
	cursor := ""
	for range 10 {
		list, err := w.handovers.Find(ctx, coord, cases.HandoverFilter{Cursor: cursor, Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range list.Handovers {
			paged = append(paged, h.ID)
		}
		w.now = w.now.Add(3 * 24 * time.Hour) // more become overdue meanwhile
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
	w := newWorld(t)
	ctx := context.Background()
	r := w.resident("dock.worker", "Fatima", "El Idrissi", "1990-04-01")
	first, err := w.send("dock.worker", r.ID, "al-amal", "normal")
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.send("dock.coord", r.ID, "al-amal", "urgent")
	var e *cases.Error
	if !errorsAs(err, &e) || e.Code != cases.EINVALID || e.Fields[0].Field != "resident_id" || e.Fields[0].Tag != "handover_open" {
		t.Fatalf("second open handover: %v", err)
	}
	if _, err := w.send("dock.worker", r.ID, "buurtteam", "normal"); err != nil {
		t.Errorf("to another partner: %v", err)
	}
	// DOK030 knows the same person (the same person link) and has never
	// seen DOCK's handover: it may send its own.
	theirs := w.resident("bhb.worker", "Fatima", "El Idrissi", "1990-04-01")
	if _, err := w.send("bhb.worker", theirs.ID, "al-amal", "normal"); err != nil {
		t.Errorf("another organisation's record: %v", err)
	}
	if _, err := w.handovers.Withdraw(ctx, w.actors["dock.worker"], first.ID, cases.WithdrawInput{Reason: "Dubbel."}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.send("dock.worker", r.ID, "al-amal", "normal"); err != nil {
		t.Errorf("after the first was withdrawn: %v", err)
	}
}

// TestMatchesAndMerge: the records that may be the person, and merging
// two records: who may, what moves, what stays, what a later contact does.
func TestMatchesAndMerge(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	worker, coord := w.actors["hoop.worker"], w.actors["hoop.coord"]
	kept := w.resident("hoop.worker", "Fatima", "El Idrissi", "1990-04-01")
	twin := w.resident("hoop.worker", "Fatima", "el-idrissi", "1990-04-01") // the same person link
	year := w.resident("hoop.worker", "F.", "El-Idrissi", "")               // the same name, a year only
	if _, err := w.residents.Update(ctx, worker, year.ID, cases.ResidentPatch{BirthYear: ptr(1990)}); err != nil {
		t.Fatal(err)
	}
	w.resident("hoop.worker", "Fatima", "El Idrissi", "1991-04-01") // another year
	w.resident("dock.worker", "Fatima", "El Idrissi", "1990-04-01") // another organisation
	found, err := w.residents.Matches(ctx, worker, cases.MatchQuery{FamilyName: "EL IDRISSI", BirthDate: "1990-04-01"})
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
	if found, _ := w.residents.Matches(ctx, worker, cases.MatchQuery{FamilyName: "El Idrissi"}); len(found) != 0 {
		t.Errorf("a name alone matched %d", len(found))
	}

	c1 := w.contact("hoop.worker", twin.ID, w.now.Add(-time.Hour))
	h, err := w.send("hoop.worker", twin.ID, "buurtteam", "normal")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.residents.Merge(ctx, worker, twin.ID, cases.MergeInput{Into: kept.ID}); cases.ErrorCode(err) != cases.EFORBIDDEN {
		t.Errorf("a worker merges: %v", err)
	}
	if _, err := w.residents.Merge(ctx, coord, twin.ID, cases.MergeInput{Into: twin.ID}); cases.ErrorCode(err) != cases.EINVALID {
		t.Errorf("into itself: %v", err)
	}
	res, err := w.residents.Merge(ctx, coord, twin.ID, cases.MergeInput{Into: kept.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Moved != (cases.MergeCounts{Contacts: 1, Handovers: 1}) || res.Merged.MergedInto != kept.ID {
		t.Errorf("merge: %+v", res)
	}
	if _, err := w.residents.Merge(ctx, coord, twin.ID, cases.MergeInput{Into: kept.ID}); cases.ErrorCode(err) != cases.ECONFLICT {
		t.Errorf("merged twice: %v", err)
	}
	// The merged record is kept as it was, pointing at the one kept; the
	// contacts and the handover are the kept record's now.
	old, err := w.residents.ByID(ctx, coord, twin.ID)
	if err != nil || old.MergedInto != kept.ID || old.FamilyName != "el-idrissi" {
		t.Errorf("merged record: %+v %v", old, err)
	}
	story, err := w.timeline.Of(ctx, coord, kept.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(story.Entries) != 2 || story.Entries[0].Handover == nil || story.Entries[0].Handover.ID != h.ID ||
		story.Entries[1].Contact == nil || story.Entries[1].Contact.ID != c1 || len(story.Open) != 1 {
		t.Errorf("story of the kept record: %+v", story)
	}
	list, _ := w.residents.Find(ctx, coord, cases.ResidentFilter{Query: "idrissi"})
	for _, r := range list.Residents {
		if r.ID == twin.ID {
			t.Error("the merged record is still listed")
		}
	}
	// A contact a tablet sends later for the merged record lands on the kept one.
	late := w.contact("hoop.worker", twin.ID, w.now)
	if c, err := w.contacts.ByID(ctx, worker, late); err != nil || c.ResidentID != kept.ID {
		t.Errorf("a later contact for the merged record: %+v %v", c, err)
	}
	// And the open handover of the kept record counts for a second one.
	if _, err := w.send("hoop.worker", kept.ID, "buurtteam", "normal"); cases.ErrorCode(err) != cases.EINVALID {
		t.Errorf("second open handover after the merge: %v", err)
	}
	if _, err := w.residents.Update(ctx, coord, twin.ID, cases.ResidentPatch{Phone: ptr("0612345678")}); cases.ErrorCode(err) != cases.ECONFLICT {
		t.Errorf("changing a merged record: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func errorsAs(err error, target **cases.Error) bool { return errors.As(err, target) }

// fakePasswords stands in for argon2id: these tests make accounts, they
// never log in.
type fakePasswords struct{}

func (fakePasswords) Hash(string) (string, error)        { return "not-a-real-hash", nil }
func (fakePasswords) Check(string, string) (bool, error) { return false, nil }
