package cases_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// Without given consent nothing is written; the consent problem comes
// first in the answer, beside every other wrong field.
func TestHandoverCreateConsentGate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.fullResident(f.hoopWorker)
	dockResident := f.resident(f.dockWorker, cases.ResidentInput{GivenName: "Piet"})
	for _, tc := range []struct {
		name   string
		change func(in *cases.HandoverInput)
		want   []string
	}{
		{"no consent", func(in *cases.HandoverInput) { in.Consent = nil }, []string{"consent:required"}},
		{"consent not given", func(in *cases.HandoverInput) { in.Consent.Given = false }, []string{"consent.given:consent_required"}},
		{"consent not given, and unknown slugs", func(in *cases.HandoverInput) {
			in.Consent.Given, in.To, in.Topics = false, "nergens", []string{"bingo"}
		}, []string{"consent.given:consent_required", "to:unknown", "topics[0]:unknown"}},
		{"own organisation", func(in *cases.HandoverInput) { in.To = "al-amal" }, []string{"to:own_organisation"}},
		{"another organisation's receiving programme", func(in *cases.HandoverInput) { in.ToProgramme = "hoop" }, []string{"to_programme:unknown"}},
		{"a programme the sender does not run", func(in *cases.HandoverInput) { in.Programme = "weggeefbus" }, []string{"programme:unknown"}},
		{"another organisation's resident", func(in *cases.HandoverInput) { in.ResidentID = dockResident.ID }, []string{"resident_id:unknown_resident"}},
		{"a story without consent for it", func(in *cases.HandoverInput) { in.Story = "verhaal" }, []string{"story:story_without_consent"}},
		{"phone preferred, not shared", func(in *cases.HandoverInput) { in.PreferredContactWay = "phone" }, []string{"preferred_contact_way:phone_not_shared"}},
	} {
		in := handoverInput(r.ID, "dock", cases.ScopeName)
		tc.change(&in)
		_, err := f.handovers.Create(f.ctx, f.hoopWorker, in)
		wantFields(t, tc.name, err, tc.want...)
	}
	for _, actor := range []cases.Actor{f.hoopWorker, f.dockWorker} {
		if list, err := f.handovers.Find(f.ctx, actor, cases.HandoverFilter{}); err != nil || list.Total != 0 {
			t.Errorf("%s: handovers after refused creates: %+v %v", actor.Username, list, err)
		}
	}
	if got := f.audit("handover", ""); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "create") }) {
		t.Errorf("a refused handover was audited as made: %q", got)
	}
}

// Both sides see exactly the fields the consent covers, with the values of
// the sender's record when it was sent; nothing else of the record.
func TestHandoverSharesExactlyTheConsentedFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Each handover of a record of its own: one record is open at one
	// partner once at a time.
	full := func() *cases.Resident { return f.fullResident(f.hoopWorker) }
	noHood := func() *cases.Resident {
		return f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Zonder", FamilyName: "Buurt"})
	}
	for _, tc := range []struct {
		resident func() *cases.Resident
		scope    []string
		keys     []string
	}{
		{full, nil, []string{}},
		{full, []string{cases.ScopeName}, []string{"name"}},
		{full, []string{cases.ScopePhone, cases.ScopeName}, []string{"name", "phone"}},
		{full, cases.ConsentScopes, []string{"birth_date", "name", "neighbourhood", "phone", "story"}},
		// The keys follow the consent, also for a field the record lacks.
		{noHood, []string{cases.ScopeName, cases.ScopeNeighbourhood}, []string{"name", "neighbourhood"}},
	} {
		resident := tc.resident()
		sent := f.handover(f.hoopWorker, handoverInput(resident.ID, "dock", tc.scope...))
		received := f.move("open")(f.handovers.ByID(f.ctx, f.dockWorker, sent.ID))
		for side, h := range map[string]*cases.Handover{"sender": sent, "receiver": received} {
			if got := jsonKeys(t, h.Shared); !slices.Equal(got, tc.keys) {
				t.Errorf("scope %v, %s: shared %v, want %v", tc.scope, side, got, tc.keys)
			}
			if !slices.Equal(slices.Sorted(slices.Values(h.Consent.Scope)), slices.Sorted(slices.Values(tc.scope))) || !h.Consent.Given ||
				h.Consent.How != "verbal" || h.Consent.RecordedBy != "hoop.worker" || !h.Consent.At.Equal(fixtureStart) {
				t.Errorf("scope %v, %s: consent %+v", tc.scope, side, h.Consent)
			}
		}
		data, _ := json.Marshal(received)
		if strings.Contains(string(data), "Alleen de afzender") || strings.Contains(string(data), resident.ID) {
			t.Errorf("the receiver sees the sender's record: %s", data)
		}
		if sent.ResidentID != resident.ID || received.ResidentID != "" || sent.Direction != "outgoing" || received.Direction != "incoming" {
			t.Errorf("own records: sender %q (%s), receiver %q (%s)", sent.ResidentID, sent.Direction, received.ResidentID, received.Direction)
		}
	}
	if h := f.handover(f.hoopWorker, handoverInput(noHood().ID, "dock", cases.ScopeNeighbourhood)); *h.Shared.Neighbourhood != "" {
		t.Errorf("a record without a neighbourhood shares %q", *h.Shared.Neighbourhood)
	}
	r := full()
	all := f.handover(f.hoopWorker, handoverInput(r.ID, "dock", cases.ConsentScopes...))
	sh := all.Shared
	if sh.Name == nil || *sh.Name != (cases.SharedName{GivenName: "Fatima", FamilyName: "El Amrani"}) || *sh.Phone != "06-1234 5678" ||
		*sh.BirthDate != "1980-05-01" || *sh.Neighbourhood != "zambesibuurt" || *sh.Story != "Achterstand bij de energieleverancier." {
		t.Errorf("shared values: %+v", sh)
	}
	// A later change of the sender's record does not change what was sent.
	if _, err := f.residents.Update(f.ctx, f.hoopWorker, r.ID, cases.ResidentPatch{Phone: ptr("0699999999")}); err != nil {
		t.Fatal(err)
	}
	if again := f.move("read")(f.handovers.ByID(f.ctx, f.hoopWorker, all.ID)); *again.Shared.Phone != "06-1234 5678" {
		t.Errorf("shared phone after the record changed: %q", *again.Shared.Phone)
	}
}

// A handover becomes received when someone of the receiving organisation
// who can take it opens it the first time; the sender opening it, or a
// receiver without a staff role, changes nothing; a third organisation
// does not find it.
func TestHandoverReceivedOnFirstOpen(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	reachOnly := f.account("dock.programme", "dock", "", cases.RoleProgramme)
	h := f.handover(f.hoopWorker, handoverInput(f.fullResident(f.hoopWorker).ID, "dock", cases.ScopeName))
	if h.State != cases.StateRequested {
		t.Fatalf("sent: %s", h.State)
	}
	for _, actor := range []cases.Actor{f.hoopWorker, f.hoopCoord, reachOnly} {
		if got := f.move("open by " + actor.Username)(f.handovers.ByID(f.ctx, actor, h.ID)); got.State != cases.StateRequested || got.ReceivedAt != nil {
			t.Errorf("opened by %s: %s", actor.Username, got.State)
		}
	}
	_, err := f.handovers.ByID(f.ctx, f.buurtteamWorker, h.ID)
	wantCode(t, "a third organisation", err, cases.ENOTFOUND)

	f.advance(time.Hour)
	opened := f.move("open by the receiver")(f.handovers.ByID(f.ctx, f.dockWorker, h.ID))
	receivedAt := fixtureStart.Add(time.Hour)
	if opened.State != cases.StateReceived || opened.ReceivedAt == nil || !opened.ReceivedAt.Equal(receivedAt) {
		t.Errorf("first open by the receiver: %s at %v", opened.State, opened.ReceivedAt)
	}
	f.advance(time.Hour)
	again := f.move("second open")(f.handovers.ByID(f.ctx, f.dockCoord, h.ID))
	if again.State != cases.StateReceived || !again.ReceivedAt.Equal(receivedAt) {
		t.Errorf("second open: %s at %v", again.State, again.ReceivedAt)
	}
	var receives, reads, refused int
	for _, e := range f.auditEntries("handover", h.ID) {
		switch {
		case e.Action+" "+e.Detail == "receive state=requested->received":
			receives++
		case e.Action == "read":
			reads++
		case e.Action == "read_refused" && e.Username == "buurtteam.worker":
			refused++
		}
	}
	if receives != 1 || reads != 5 || refused != 1 {
		t.Errorf("audit: %d receives, %d reads, %d refused; want 1, 5 (every read is audited) and 1 (the third organisation's)",
			receives, reads, refused)
	}
}

// The review list: overdue first, then the other open handovers (urgent
// first, oldest first), then the closed ones; counts per state over the
// direction, partner and "mine" only; each filter narrows.
func TestHandoverFindFiltersOrderAndCounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Each handover of a record of its own: one record is open at one
	// partner once at a time.
	send := func(sender cases.Actor, to, urgency string) string {
		in := handoverInput(f.fullResident(sender).ID, to, cases.ScopeName)
		in.Urgency = urgency
		id := f.handover(sender, in).ID
		f.advance(time.Hour)
		return id
	}
	// Sent on Wednesday 12 March from 10:00 UTC, an hour apart: all must be
	// accepted by Thursday 20 March (5 working days).
	o1 := send(f.hoopWorker, "dock", "normal")
	o2 := send(f.hoopWorker, "dock", "urgent")
	o3 := send(f.hoopCoord, "buurtteam", "normal")
	o4 := send(f.hoopWorker, "dock", "normal")
	i1 := send(f.dockWorker, "al-amal", "normal")
	i2 := send(f.dockWorker, "al-amal", "normal")
	i3 := send(f.buurtteamWorker, "al-amal", "normal")
	f.move("decline o4")(f.handovers.Decline(f.ctx, f.dockWorker, o4, cases.DeclineInput{Reason: "no_capacity"}))
	f.move("accept i1")(f.handovers.Accept(f.ctx, f.hoopWorker, i1, cases.AcceptInput{}))
	f.move("accept i2")(f.handovers.Accept(f.ctx, f.hoopCoord, i2, cases.AcceptInput{}))
	// Thursday 20 March, noon: the requested ones are overdue, the accepted
	// ones not yet (contact by 27 March); o5 is new.
	f.set(time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC))
	o5 := send(f.hoopWorker, "dock", "normal")
	names := map[string]string{o1: "o1", o2: "o2", o3: "o3", o4: "o4", o5: "o5", i1: "i1", i2: "i2", i3: "i3"}

	counts := func(requested, accepted, declined int) map[string]int {
		m := map[string]int{}
		for _, s := range cases.HandoverStates {
			m[s] = 0
		}
		m[cases.StateRequested], m[cases.StateAccepted], m[cases.StateDeclined] = requested, accepted, declined
		return m
	}
	for _, tc := range []struct {
		name    string
		actor   cases.Actor
		filter  cases.HandoverFilter
		want    string // the page, in order
		counts  map[string]int
		overdue int
		total   int
	}{
		{"everything", f.hoopWorker, cases.HandoverFilter{}, "o2 o1 o3 i3 i1 i2 o5 o4", counts(5, 2, 1), 4, 8},
		{"outgoing", f.hoopWorker, cases.HandoverFilter{Direction: cases.DirectionOutgoing}, "o2 o1 o3 o5 o4", counts(4, 0, 1), 3, 5},
		{"incoming", f.hoopWorker, cases.HandoverFilter{Direction: cases.DirectionIncoming}, "i3 i1 i2", counts(1, 2, 0), 1, 3},
		{"requested", f.hoopWorker, cases.HandoverFilter{State: cases.StateRequested}, "o2 o1 o3 i3 o5", counts(5, 2, 1), 4, 5},
		{"declined", f.hoopWorker, cases.HandoverFilter{State: cases.StateDeclined}, "o4", counts(5, 2, 1), 4, 1},
		{"overdue", f.hoopWorker, cases.HandoverFilter{Overdue: true}, "o2 o1 o3 i3", counts(5, 2, 1), 4, 4},
		{"overdue, outgoing", f.hoopWorker, cases.HandoverFilter{Overdue: true, Direction: cases.DirectionOutgoing}, "o2 o1 o3", counts(4, 0, 1), 3, 3},
		{"partner DOCK", f.hoopWorker, cases.HandoverFilter{Partner: "dock"}, "o2 o1 i1 i2 o5 o4", counts(3, 2, 1), 2, 6},
		{"mine (worker)", f.hoopWorker, cases.HandoverFilter{Mine: true}, "o2 o1 i3 i1 o5 o4", counts(4, 1, 1), 3, 6},
		{"mine (coordinator)", f.hoopCoord, cases.HandoverFilter{Mine: true}, "o3 i3 i2", counts(2, 1, 0), 2, 3},
		{"sent a week ago or more", f.hoopWorker, cases.HandoverFilter{MinAge: 7}, "o2 o1 o3 i3 i1 i2 o4", counts(5, 2, 1), 4, 7},
		{"limit", f.hoopWorker, cases.HandoverFilter{Limit: 3}, "o2 o1 o3", counts(5, 2, 1), 4, 8},
		{"a third organisation", f.buurtteamWorker, cases.HandoverFilter{}, "o3 i3", counts(2, 0, 0), 2, 2},
	} {
		list, err := f.handovers.Find(f.ctx, tc.actor, tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, h := range list.Handovers {
			got = append(got, names[h.ID])
			if h.Overdue != slices.Contains([]string{"o1", "o2", "o3", "i3"}, names[h.ID]) {
				t.Errorf("%s: %s overdue %v", tc.name, names[h.ID], h.Overdue)
			}
			want := cases.DirectionOutgoing
			if strings.HasPrefix(names[h.ID], "i") {
				want = cases.DirectionIncoming
			}
			if tc.actor.OrganisationID == f.hoopWorker.OrganisationID && h.Direction != want {
				t.Errorf("%s: %s is %s", tc.name, names[h.ID], h.Direction)
			}
		}
		if strings.Join(got, " ") != tc.want || !maps.Equal(list.Counts, tc.counts) || list.Overdue != tc.overdue || list.Total != tc.total {
			t.Errorf("%s: %v counts %v overdue %d total %d;\nwant %s counts %v overdue %d total %d", tc.name, got, list.Counts,
				list.Overdue, list.Total, tc.want, tc.counts, tc.overdue, tc.total)
		}
	}
	// Each listed handover carries the moves its viewer may make.
	list, _ := f.handovers.Find(f.ctx, f.hoopWorker, cases.HandoverFilter{Limit: 4})
	moves := map[string][]string{}
	for _, h := range list.Handovers {
		moves[names[h.ID]] = slices.Sorted(maps.Keys(h.Moves))
	}
	if got, want := moves["o1"], []string{"renew_consent", "withdraw", "withdraw_consent"}; !slices.Equal(got, want) {
		t.Errorf("moves of an outgoing requested handover: %v, want %v", got, want)
	}
	if got, want := moves["i3"], []string{"accept", "decline", "withdraw_consent"}; !slices.Equal(got, want) {
		t.Errorf("moves of an incoming requested handover: %v, want %v", got, want)
	}

	_, err := f.handovers.Find(f.ctx, f.hoopWorker, cases.HandoverFilter{Direction: "sideways", State: "lost", Partner: "nergens"})
	wantFields(t, "bad filter", err, "direction:unknown", "state:unknown", "partner:unknown")
}

// New deadlines apply to the open handovers the organisation receives,
// counted from when each was sent; closed ones and other receivers' keep
// theirs. Only an administrator sets them.
func TestHandoverSetLimitsRecomputesDeadlines(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Each handover of a record of its own: one record is open at one
	// partner once at a time.
	r := func() string { return f.fullResident(f.hoopWorker).ID }
	open := f.handover(f.hoopWorker, handoverInput(r(), "dock", cases.ScopeName))
	closed := f.handover(f.hoopWorker, handoverInput(r(), "dock", cases.ScopeName))
	f.move("decline")(f.handovers.Decline(f.ctx, f.dockWorker, closed.ID, cases.DeclineInput{Reason: "no_capacity"}))
	other := f.handover(f.hoopWorker, handoverInput(r(), "buurtteam", cases.ScopeName))
	// Sent on Wednesday 12 March: 5 and 10 working days end on the
	// Wednesdays after, at midnight in Amsterdam.
	acceptBy, contactBy := time.Date(2025, 3, 19, 23, 0, 0, 0, time.UTC), time.Date(2025, 3, 26, 23, 0, 0, 0, time.UTC)
	if !open.AcceptBy.Equal(acceptBy) || !open.ContactBy.Equal(contactBy) {
		t.Fatalf("default deadlines %v %v, want %v %v", open.AcceptBy, open.ContactBy, acceptBy, contactBy)
	}

	// Two days later DOCK opens it: the deadlines still count from sending.
	f.advance(48 * time.Hour)
	f.move("open")(f.handovers.ByID(f.ctx, f.dockWorker, open.ID))
	read := func(id string) *cases.Handover { return f.move("read")(f.handovers.ByID(f.ctx, f.hoopWorker, id)) }
	if read(open.ID).Overdue {
		t.Fatal("overdue under the default limits")
	}

	one := cases.HandoverLimits{AcceptDays: 1, ContactDays: 2}
	for _, actor := range []cases.Actor{f.dockWorker, f.dockCoord} {
		wantCode(t, actor.Username, f.handovers.SetLimits(f.ctx, actor, "dock", one), cases.EFORBIDDEN)
	}
	wantFields(t, "contact before accept", f.handovers.SetLimits(f.ctx, f.admin, "dock", cases.HandoverLimits{AcceptDays: 3, ContactDays: 2}),
		"contact_days:gtefield")
	wantFields(t, "unknown organisation", f.handovers.SetLimits(f.ctx, f.admin, "nergens", one), "organisation:unknown")
	if err := f.handovers.SetLimits(f.ctx, f.admin, "dock", one); err != nil {
		t.Fatal(err)
	}
	// One and two working days from Wednesday: the ends of Thursday and Friday.
	newAccept, newContact := time.Date(2025, 3, 13, 23, 0, 0, 0, time.UTC), time.Date(2025, 3, 14, 23, 0, 0, 0, time.UTC)
	if got := read(open.ID); !got.AcceptBy.Equal(newAccept) || !got.ContactBy.Equal(newContact) || !got.Overdue {
		t.Errorf("open handover: %v %v (overdue %v), want %v %v, overdue", got.AcceptBy, got.ContactBy, got.Overdue, newAccept, newContact)
	}
	for name, id := range map[string]string{"closed": closed.ID, "another receiver's": other.ID} {
		if got := read(id); !got.AcceptBy.Equal(acceptBy) || !got.ContactBy.Equal(contactBy) || got.Overdue {
			t.Errorf("%s handover's deadlines changed: %v %v", name, got.AcceptBy, got.ContactBy)
		}
	}
	limits, err := f.handovers.AllLimits(f.ctx)
	if err != nil || limits["dock"] != one || limits["al-amal"] != cases.DefaultHandoverLimits || len(limits) < 16 {
		t.Errorf("all limits: %v %v", limits, err)
	}
	later := f.handover(f.hoopWorker, handoverInput(r(), "dock", cases.ScopeName))
	if a, c := one.Deadlines(f.clock()); !later.AcceptBy.Equal(a) || !later.ContactBy.Equal(c) {
		t.Errorf("a new handover's deadlines: %v %v, want %v %v", later.AcceptBy, later.ContactBy, a, c)
	}
	elsewhere := f.handover(f.hoopWorker, handoverInput(r(), "buurtteam", cases.ScopeName))
	if a, c := cases.DefaultHandoverLimits.Deadlines(f.clock()); !elsewhere.AcceptBy.Equal(a) || !elsewhere.ContactBy.Equal(c) {
		t.Errorf("a new handover to another receiver: %v %v, want the defaults %v %v", elsewhere.AcceptBy, elsewhere.ContactBy, a, c)
	}
	if got := f.audit("organisation", "dock"); len(got) != 1 || got[0] != "set_limits accept_days=1 contact_days=2" {
		t.Errorf("audit: %q", got)
	}
}

// The partners are every receiving organisation but the actor's own, by
// name; assignees are the organisation's active workers and coordinators.
func TestHandoverPartnersAndAssignees(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	partners, err := f.handovers.Partners(f.ctx, f.hoopWorker)
	if err != nil {
		t.Fatal(err)
	}
	var slugs, names []string
	for _, p := range partners {
		slugs, names = append(slugs, p.Slug), append(names, p.Name)
	}
	if slices.Contains(slugs, "al-amal") || !slices.Contains(slugs, "dock") || len(slugs) != 15 ||
		!slices.IsSorted(names) {
		t.Errorf("partners of Al Amal: %v", slugs)
	}
	f.account("dock.programme", "dock", "", cases.RoleProgramme)
	gone := f.account("dock.gone", "dock", "", cases.RoleWorker)
	if err := f.users.SetActive(f.ctx, f.admin, gone.UserID, false); err != nil {
		t.Fatal(err)
	}
	assignees, err := f.handovers.Assignees(f.ctx, f.dockCoord)
	if err != nil || len(assignees) != 2 || assignees[0].Username != "dock.coord" || assignees[1].Username != "dock.worker" ||
		assignees[0].DisplayName != "Test dock.coord" {
		t.Errorf("assignees of DOCK: %+v %v", assignees, err)
	}
}
