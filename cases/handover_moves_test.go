package cases_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// moves lists the moves a view offers, sorted.
func moves(h *cases.Handover) []string { return slices.Sorted(maps.Keys(h.Moves)) }

// A handover from requested to completed, with each move refused when made
// by the wrong side (EFORBIDDEN), in the wrong state (ENOTALLOWED) or by a
// third organisation (ENOTFOUND); every view offers exactly the moves the
// use cases accept.
func TestHandoverMovesAndTheirGuards(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.fullResident(f.hoopWorker)
	h := f.handover(f.hoopWorker, handoverInput(r.ID, "dock", cases.ScopeName, cases.ScopeNeighbourhood))
	if got := moves(h); !slices.Equal(got, []string{"renew_consent", "withdraw", "withdraw_consent"}) {
		t.Errorf("the sender's moves on a sent handover: %v", got)
	}
	id := h.ID

	// Every move by a third organisation: not found, whatever the state.
	third := f.buurtteamWorker
	for name, err := range map[string]error{
		"accept":           second(f.handovers.Accept(f.ctx, third, id, cases.AcceptInput{})),
		"contacted":        second(f.handovers.RecordFirstContact(f.ctx, third, id, cases.ContactedInput{How: "drop-in"})),
		"complete":         second(f.handovers.Complete(f.ctx, third, id, cases.CompleteInput{Outcome: "betalingsregeling"})),
		"decline":          second(f.handovers.Decline(f.ctx, third, id, cases.DeclineInput{Reason: "no_capacity"})),
		"withdraw":         second(f.handovers.Withdraw(f.ctx, third, id, cases.WithdrawInput{Reason: "weg"})),
		"withdraw consent": second(f.handovers.WithdrawConsent(f.ctx, third, id, cases.ConsentWithdrawInput{})),
		"reassign":         second(f.handovers.Reassign(f.ctx, third, id, cases.AcceptInput{Assignee: "buurtteam.worker"})),
		"redirect":         second(f.handovers.Redirect(f.ctx, third, id, cases.RedirectInput{To: "dock", Consent: &cases.ConsentInput{Given: true, How: "verbal"}})),
	} {
		wantCode(t, "a third organisation: "+name, err, cases.ENOTFOUND)
	}
	_, err := f.handovers.Accept(f.ctx, f.hoopWorker, id, cases.AcceptInput{})
	wantCode(t, "the sender accepts", err, cases.EFORBIDDEN, "handover_forbidden.receiver_only")
	_, err = f.handovers.Withdraw(f.ctx, f.dockWorker, id, cases.WithdrawInput{Reason: "weg"})
	wantCode(t, "the receiver withdraws", err, cases.EFORBIDDEN, "handover_forbidden.sender_only")
	_, err = f.handovers.Complete(f.ctx, f.dockWorker, id, cases.CompleteInput{Outcome: "betalingsregeling"})
	wantCode(t, "complete a requested handover", err, cases.ENOTALLOWED, "handover_not_allowed.requested")

	// Accepting straight from requested also marks it received.
	f.advance(time.Hour)
	accepted := f.move("accept")(f.handovers.Accept(f.ctx, f.dockWorker, id, cases.AcceptInput{}))
	at := fixtureStart.Add(time.Hour)
	if accepted.State != cases.StateAccepted || accepted.Assignee != "dock.worker" || accepted.ResidentID == "" ||
		accepted.ResidentID == r.ID || !accepted.AcceptedAt.Equal(at) || accepted.ReceivedAt == nil || !accepted.ReceivedAt.Equal(at) {
		t.Errorf("accepted: %+v", accepted)
	}
	if got := moves(accepted); !slices.Equal(got, []string{"contact", "decline", "withdraw_consent"}) {
		t.Errorf("a receiving worker's moves on an accepted handover: %v", got)
	}
	if got := moves(f.move("read")(f.handovers.ByID(f.ctx, f.dockCoord, id))); !slices.Equal(got, []string{"contact", "decline", "reassign", "withdraw_consent"}) {
		t.Errorf("a receiving coordinator's moves: %v", got)
	}
	_, err = f.handovers.Accept(f.ctx, f.dockCoord, id, cases.AcceptInput{})
	wantCode(t, "accept twice", err, cases.ENOTALLOWED, "handover_not_allowed.accepted")
	_, err = f.handovers.Reassign(f.ctx, f.dockWorker, id, cases.AcceptInput{Assignee: "dock.coord"})
	wantCode(t, "a worker reassigns", err, cases.EFORBIDDEN, "handover_forbidden.coordinator_only")

	f.advance(time.Hour)
	contacted := f.move("contacted")(f.handovers.RecordFirstContact(f.ctx, f.dockWorker, id,
		cases.ContactedInput{How: "phone-introduction", Note: "Afspraak gemaakt voor dinsdag."}))
	fc := contacted.FirstContact
	if contacted.State != cases.StateContacted || fc == nil || fc.How != "phone-introduction" ||
		fc.Note != "Afspraak gemaakt voor dinsdag." || fc.ContactID == "" || !fc.At.Equal(fixtureStart.Add(2*time.Hour)) {
		t.Errorf("contacted: %s %+v", contacted.State, fc)
	}
	// The note and the contact stay with the receiver.
	seen := f.move("read")(f.handovers.ByID(f.ctx, f.hoopWorker, id))
	if seen.FirstContact == nil || seen.FirstContact.Note != "" || seen.FirstContact.ContactID != "" ||
		seen.FirstContact.How != "phone-introduction" || !seen.FirstContact.At.Equal(fc.At) || seen.Assignee != "dock.worker" {
		t.Errorf("the sender sees the first contact as %+v", seen.FirstContact)
	}

	_, err = f.handovers.Complete(f.ctx, f.dockWorker, id, cases.CompleteInput{Outcome: "gewonnen"})
	wantFields(t, "an unknown outcome", err, "outcome:unknown")
	done := f.move("complete")(f.handovers.Complete(f.ctx, f.dockWorker, id,
		cases.CompleteInput{Outcome: "betalingsregeling", Note: "Regeling loopt.\n"}))
	if done.State != cases.StateCompleted || done.Outcome != "betalingsregeling" || done.CompletionNote != "Regeling loopt." || done.CompletedAt == nil {
		t.Errorf("completed: %+v", done)
	}
	if seen := f.move("read")(f.handovers.ByID(f.ctx, f.hoopWorker, id)); seen.Outcome != "betalingsregeling" || seen.CompletionNote != "Regeling loopt." {
		t.Errorf("the sender does not see the outcome: %+v", seen)
	}
	_, err = f.handovers.Withdraw(f.ctx, f.hoopWorker, id, cases.WithdrawInput{Reason: "te laat"})
	wantCode(t, "withdraw a completed handover", err, cases.ENOTALLOWED, "handover_not_allowed.completed")

	// Consent can still be withdrawn: the state stays, the shared fields go,
	// once.
	kept := f.move("withdraw consent")(f.handovers.WithdrawConsent(f.ctx, f.hoopWorker, id, cases.ConsentWithdrawInput{Note: " belde zelf "}))
	if kept.State != cases.StateCompleted || len(jsonKeys(t, kept.Shared)) != 0 || kept.Consent.WithdrawnAt == nil ||
		kept.Consent.WithdrawnBy != "hoop.worker" || kept.Consent.WithdrawalNote != "belde zelf" {
		t.Errorf("consent withdrawn from a completed handover: %s %+v %+v", kept.State, kept.Shared, kept.Consent)
	}
	for _, actor := range []cases.Actor{f.hoopWorker, f.dockWorker} {
		_, err = f.handovers.WithdrawConsent(f.ctx, actor, id, cases.ConsentWithdrawInput{})
		wantCode(t, "consent withdrawn twice, by "+actor.Username, err, cases.ECONFLICT, "consent_already_withdrawn")
	}
	if got := moves(f.move("read")(f.handovers.ByID(f.ctx, f.dockWorker, id))); len(got) != 0 {
		t.Errorf("moves left on a completed handover without consent: %v", got)
	}

	var trail []string
	for _, line := range f.audit("handover", id) {
		if !strings.HasPrefix(line, "read") && !strings.HasPrefix(line, "create") {
			trail = append(trail, strings.Fields(line)[0]+" "+strings.Fields(line)[1])
		}
	}
	slices.Reverse(trail)
	if want := []string{"accept state=requested->accepted", "contact state=accepted->contacted",
		"complete state=contacted->completed", "withdraw_consent state=completed->completed"}; !slices.Equal(trail, want) {
		t.Errorf("audit trail %q, want %q", trail, want)
	}
}

// Withdrawing consent withdraws an open handover and erases what was
// shared at once; either side may record it. A sender withdraws an open
// handover with a reason; nothing moves it afterwards.
func TestHandoverWithdrawals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.fullResident(f.hoopWorker).ID
	byReceiver := f.handover(f.hoopWorker, handoverInput(r, "dock", cases.ConsentScopes...)).ID
	f.move("accept")(f.handovers.Accept(f.ctx, f.dockWorker, byReceiver, cases.AcceptInput{}))
	gone := f.move("withdraw consent")(f.handovers.WithdrawConsent(f.ctx, f.dockWorker, byReceiver, cases.ConsentWithdrawInput{}))
	if gone.State != cases.StateWithdrawn || gone.WithdrawnAt == nil || len(jsonKeys(t, gone.Shared)) != 0 || gone.Consent.WithdrawnBy != "dock.worker" {
		t.Errorf("consent withdrawn by the receiver: %s %+v", gone.State, gone.Shared)
	}
	if seen := f.move("read")(f.handovers.ByID(f.ctx, f.hoopWorker, byReceiver)); len(jsonKeys(t, seen.Shared)) != 0 {
		t.Errorf("the sender still sees shared fields: %+v", seen.Shared)
	}
	_, err := f.handovers.RecordFirstContact(f.ctx, f.dockWorker, byReceiver, cases.ContactedInput{How: "drop-in"})
	wantCode(t, "contact after withdrawal", err, cases.ENOTALLOWED, "handover_not_allowed.withdrawn")

	bySender := f.handover(f.hoopWorker, handoverInput(r, "dock", cases.ScopeName)).ID
	_, err = f.handovers.Withdraw(f.ctx, f.hoopWorker, bySender, cases.WithdrawInput{Reason: " "})
	wantFields(t, "no reason", err, "reason:required")
	called := f.move("withdraw")(f.handovers.Withdraw(f.ctx, f.hoopCoord, bySender, cases.WithdrawInput{Reason: "Bewoner is verhuisd"}))
	if called.State != cases.StateWithdrawn || called.WithdrawReason != "Bewoner is verhuisd" || called.Consent.WithdrawnAt != nil ||
		len(jsonKeys(t, called.Shared)) != 1 {
		t.Errorf("withdrawn by the sender: %+v", called)
	}
	_, err = f.handovers.Accept(f.ctx, f.dockWorker, bySender, cases.AcceptInput{})
	wantCode(t, "accept a withdrawn handover", err, cases.ENOTALLOWED, "handover_not_allowed.withdrawn")
	_, err = f.handovers.Withdraw(f.ctx, f.hoopWorker, bySender, cases.WithdrawInput{Reason: "nog eens"})
	wantCode(t, "withdraw twice", err, cases.ENOTALLOWED, "handover_not_allowed.withdrawn")
	// The resident may still withdraw the consent of a withdrawn handover.
	f.move("withdraw consent")(f.handovers.WithdrawConsent(f.ctx, f.hoopWorker, bySender, cases.ConsentWithdrawInput{}))
}

// A declined handover may be redirected once, by the sender, to another
// partner, with consent of its own: the new handover is linked to the
// first and takes its story only when the new consent covers it. Once it
// declined, the receiver no longer sees what the sender shared.
func TestHandoverDeclineAndRedirect(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.fullResident(f.hoopWorker).ID
	first := f.handover(f.hoopWorker, handoverInput(r, "dock", cases.ScopeName, cases.ScopeStory)).ID
	_, err := f.handovers.Decline(f.ctx, f.dockWorker, first, cases.DeclineInput{Reason: "other"})
	wantFields(t, "other without a note", err, "note:note_for_other")
	_, err = f.handovers.Decline(f.ctx, f.hoopWorker, first, cases.DeclineInput{Reason: "no_capacity"})
	wantCode(t, "the sender declines", err, cases.EFORBIDDEN, "handover_forbidden.receiver_only")
	declined := f.move("decline")(f.handovers.Decline(f.ctx, f.dockWorker, first, cases.DeclineInput{Reason: "No capacity", Note: "Wachtlijst"}))
	if declined.State != cases.StateDeclined || declined.DeclineReason != "no_capacity" || declined.DeclineNote != "Wachtlijst" || declined.DeclinedAt == nil {
		t.Errorf("declined: %+v", declined)
	}
	if declined.Question != "" || len(jsonKeys(t, declined.Shared)) != 0 {
		t.Errorf("the receiver still sees the question and %v after declining", jsonKeys(t, declined.Shared))
	}
	sent := f.move("read")(f.handovers.ByID(f.ctx, f.hoopWorker, first))
	if got := moves(sent); !slices.Equal(got, []string{"redirect", "withdraw_consent"}) {
		t.Errorf("the sender's moves on a declined handover: %v", got)
	}

	consent := func(scope ...string) *cases.ConsentInput {
		return &cases.ConsentInput{Given: true, How: "written", Scope: scope}
	}
	_, err = f.handovers.Redirect(f.ctx, f.dockWorker, first, cases.RedirectInput{To: "buurtteam", Consent: consent(cases.ScopeName)})
	wantCode(t, "the receiver redirects", err, cases.EFORBIDDEN, "handover_forbidden.sender_only")
	_, err = f.handovers.Redirect(f.ctx, f.hoopWorker, first, cases.RedirectInput{To: "dock", Consent: consent(cases.ScopeName)})
	wantFields(t, "to the same partner", err, "to:same_partner")
	_, err = f.handovers.Redirect(f.ctx, f.hoopWorker, first, cases.RedirectInput{To: "buurtteam",
		Consent: &cases.ConsentInput{How: "verbal", Scope: []string{cases.ScopeName}}})
	wantFields(t, "without consent", err, "consent.given:consent_required")

	next := f.move("redirect")(f.handovers.Redirect(f.ctx, f.hoopWorker, first, cases.RedirectInput{To: "buurtteam",
		Urgency: "urgent", Consent: consent(cases.ScopeName)}))
	if next.ID == first || next.State != cases.StateRequested || next.To.Organisation != "buurtteam" || next.RedirectedFrom != first ||
		next.Question != sent.Question || sent.Question == "" || !slices.Equal(next.Topics, sent.Topics) || next.Urgency != "urgent" ||
		next.Shared.Story != nil || next.Shared.Name == nil || next.ResidentID != r || next.From.Programme != "hoop" {
		t.Errorf("redirected handover: %+v", next)
	}
	if again := f.move("read")(f.handovers.ByID(f.ctx, f.hoopWorker, first)); again.RedirectedTo != next.ID || again.State != cases.StateDeclined {
		t.Errorf("the first handover after the redirect: %s -> %q", again.State, again.RedirectedTo)
	}
	_, err = f.handovers.Redirect(f.ctx, f.hoopWorker, first, cases.RedirectInput{To: "dok030", Consent: consent(cases.ScopeName)})
	wantCode(t, "redirect twice", err, cases.ECONFLICT, "handover_already_redirected")
	if received := f.move("open")(f.handovers.ByID(f.ctx, f.buurtteamWorker, next.ID)); received.State != cases.StateReceived {
		t.Errorf("the new receiver opens it: %s", received.State)
	}

	// With the story in the new consent, the first story travels on (to
	// another partner: the record is open at Buurtteam already).
	other := f.handover(f.hoopWorker, handoverInput(r, "dock", cases.ScopeName, cases.ScopeStory)).ID
	f.move("decline")(f.handovers.Decline(f.ctx, f.dockWorker, other, cases.DeclineInput{Reason: "not_eligible"}))
	_, err = f.handovers.Redirect(f.ctx, f.hoopWorker, other, cases.RedirectInput{To: "buurtteam", Consent: consent(cases.ScopeName)})
	wantFields(t, "redirect to a partner the record is open at", err, "resident_id:handover_open")
	withStory := f.move("redirect")(f.handovers.Redirect(f.ctx, f.hoopWorker, other, cases.RedirectInput{To: "dok030",
		Consent: consent(cases.ScopeName, cases.ScopeStory)}))
	if withStory.Shared.Story == nil || *withStory.Shared.Story != "Achterstand bij de energieleverancier." {
		t.Errorf("the story did not travel: %+v", withStory.Shared)
	}
}

// Accepting makes the receiver's own record of the resident from the
// shared fields only, linked to the sender's person even when no pseudonym
// could link them; the assignee must be an active worker or coordinator of
// the receiving organisation, and a refused accept changes nothing.
func TestHandoverAcceptMakesTheReceiversRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.account("dock.programme", "dock", "", cases.RoleProgramme)
	gone := f.account("dock.gone", "dock", "", cases.RoleWorker)
	if err := f.users.SetActive(f.ctx, f.admin, gone.UserID, false); err != nil {
		t.Fatal(err)
	}
	// No birth date: no pseudonym links this record to anyone.
	sender := f.resident(f.hoopWorker, cases.ResidentInput{GivenName: "Ahmet", FamilyName: "Yılmaz", Phone: "0612345678",
		Neighbourhood: "3s-dreven", Note: "privé"})
	id := f.handover(f.hoopWorker, handoverInput(sender.ID, "dock", cases.ScopeName)).ID
	for _, assignee := range []string{"hoop.worker", "dock.programme", "dock.gone", "nobody.here"} {
		_, err := f.handovers.Accept(f.ctx, f.dockCoord, id, cases.AcceptInput{Assignee: assignee})
		wantFields(t, "assignee "+assignee, err, "assignee:unknown_assignee")
	}
	if h := f.move("read")(f.handovers.ByID(f.ctx, f.hoopWorker, id)); h.State != cases.StateRequested || h.Assignee != "" {
		t.Errorf("refused accepts changed the handover: %s %q", h.State, h.Assignee)
	}
	if list := f.findResidents(f.dockCoord, ""); len(list) != 0 {
		t.Errorf("refused accepts left DOCK %d records", len(list))
	}

	accepted := f.move("accept")(f.handovers.Accept(f.ctx, f.dockWorker, id, cases.AcceptInput{Assignee: " Dock.Coord "}))
	if accepted.Assignee != "dock.coord" {
		t.Errorf("assignee %q", accepted.Assignee)
	}
	record, err := f.residents.ByID(f.ctx, f.dockCoord, accepted.ResidentID)
	if err != nil {
		t.Fatal(err)
	}
	if record.PersonID != sender.PersonID || record.GivenName != "Ahmet" || record.FamilyName != "Yılmaz" || record.Phone != "" ||
		record.Neighbourhood != "" || record.Note != "" || record.OrganisationID != f.dockWorker.OrganisationID ||
		record.CreatedBy != f.dockWorker.UserID {
		t.Errorf("the receiver's record: %+v (sender's person %d)", record, sender.PersonID)
	}
	if list := f.findResidents(f.dockCoord, ""); len(list) != 1 {
		t.Errorf("DOCK has %d records, want the one made on acceptance", len(list))
	}

	// Reassigning follows the same rule for the assignee.
	for _, assignee := range []string{"hoop.worker", "dock.programme", "dock.gone"} {
		_, err := f.handovers.Reassign(f.ctx, f.dockCoord, id, cases.AcceptInput{Assignee: assignee})
		wantFields(t, "reassign to "+assignee, err, "assignee:unknown_assignee")
	}
	_, err = f.handovers.Reassign(f.ctx, f.dockCoord, id, cases.AcceptInput{})
	wantFields(t, "reassign to nobody", err, "assignee:required")
	if h := f.move("reassign")(f.handovers.Reassign(f.ctx, f.dockCoord, id, cases.AcceptInput{Assignee: "dock.worker"})); h.Assignee != "dock.worker" ||
		h.State != cases.StateAccepted {
		t.Errorf("reassigned: %s %q", h.State, h.Assignee)
	}

	// With the birth date shared, the receiver's record has the birth year too.
	full := f.fullResident(f.hoopWorker)
	withBirth := f.handover(f.hoopWorker, handoverInput(full.ID, "dock", cases.ScopeName, cases.ScopeBirthDate, cases.ScopeNeighbourhood)).ID
	rec2, err := f.residents.ByID(f.ctx, f.dockWorker, f.move("accept")(f.handovers.Accept(f.ctx, f.dockWorker, withBirth, cases.AcceptInput{})).ResidentID)
	if err != nil || rec2.BirthDate != "1980-05-01" || rec2.BirthYear != 1980 || rec2.Neighbourhood != "zambesibuurt" || rec2.PersonID != full.PersonID {
		t.Errorf("record from name, birth date and neighbourhood: %+v %v", rec2, err)
	}
}

// The first contact is logged as a contact of the receiving organisation:
// for the programme the handover names, else the assignee's, else the
// recorder's, else the organisation's first (by ID); in the neighbourhood
// given, else the receiver's record's; with the kind that matches how it
// was made. An organisation without programmes logs none.
func TestHandoverFirstContactIsLoggedForTheReceiver(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// A second DOCK programme whose name sorts first: "first" is by ID.
	if err := f.reference.AddProgramme(f.ctx, f.admin, cases.ProgrammeInput{Slug: "aardige-bus", Name: "Aardige bus", Organisation: "dock"}); err != nil {
		t.Fatal(err)
	}
	noProgramme := f.account("dock.nop", "dock", "", cases.RoleWorker)
	busWorker := f.account("dock.bus", "dock", "aardige-bus", cases.RoleWorker)
	werkwinkel := f.account("werkwinkel.worker", "werkwinkel", "", cases.RoleWorker)
	// Each handover of a record of its own: one record is open at one
	// partner once at a time.
	send := func(to, toProgramme string, scope ...string) string {
		in := handoverInput(f.fullResident(f.hoopWorker).ID, to, scope...)
		in.ToProgramme = toProgramme
		in.Topics = []string{"schulden", "werk"}
		return f.handover(f.hoopWorker, in).ID
	}
	accept := func(id string, by cases.Actor, assignee string) {
		f.move("accept")(f.handovers.Accept(f.ctx, by, id, cases.AcceptInput{Assignee: assignee}))
	}
	hood := []string{cases.ScopeName, cases.ScopeNeighbourhood}
	for _, tc := range []struct {
		name               string
		toProgramme        string
		assignee           cases.Actor
		recorder           cases.Actor
		how, neighbourhood string
		want               string // programme
		kind, wantHood     string
	}{
		{"the handover's programme", "aardige-bus", f.dockWorker, f.dockWorker, "joint-visit", "", "aardige-bus", "huisbezoek", "zambesibuurt"},
		{"the assignee's", "", busWorker, f.dockWorker, "phone-introduction", "", "aardige-bus", "telefoon", "zambesibuurt"},
		{"the recorder's", "", noProgramme, busWorker, "drop-in", "3s-dreven", "aardige-bus", "spreekuur", "3s-dreven"},
		{"the organisation's first", "", noProgramme, noProgramme, "home-visit", "", "weggeefbus", "huisbezoek", "zambesibuurt"},
	} {
		id := send("dock", tc.toProgramme, hood...)
		accept(id, f.dockCoord, tc.assignee.Username)
		h := f.move(tc.name)(f.handovers.RecordFirstContact(f.ctx, tc.recorder, id,
			cases.ContactedInput{How: tc.how, Neighbourhood: tc.neighbourhood, Note: "eerste gesprek"}))
		c, err := f.contacts.ByID(f.ctx, f.dockCoord, h.FirstContact.ContactID)
		if err != nil {
			t.Fatalf("%s: the logged contact: %v", tc.name, err)
		}
		if c.Programme != tc.want || c.Kind != tc.kind || c.Neighbourhood != tc.wantHood || c.ResidentID != h.ResidentID ||
			c.Worker != tc.recorder.Username || !slices.Equal(c.Topics, []string{"schulden", "werk"}) || c.Note != "eerste gesprek" ||
			!c.OccurredAt.Equal(h.FirstContact.At) {
			t.Errorf("%s: contact %+v", tc.name, c)
		}
	}

	// Neither the consent nor the receiver's record names a neighbourhood:
	// the worker must, and until then nothing changes.
	id := send("dock", "", cases.ScopeName)
	accept(id, f.dockWorker, "")
	_, err := f.handovers.RecordFirstContact(f.ctx, f.dockWorker, id, cases.ContactedInput{How: "drop-in"})
	wantFields(t, "no neighbourhood", err, "neighbourhood:neighbourhood_unknown")
	_, err = f.handovers.RecordFirstContact(f.ctx, f.dockWorker, id, cases.ContactedInput{How: "drop-in", Neighbourhood: "kanaleneiland"})
	wantFields(t, "unknown neighbourhood", err, "neighbourhood:unknown")
	_, err = f.handovers.RecordFirstContact(f.ctx, f.dockWorker, id, cases.ContactedInput{How: "drop-in",
		At: fixtureStart.Add(-time.Hour).Format(time.RFC3339)})
	wantFields(t, "before the handover was sent", err, "at:before_handover")
	if h := f.move("read")(f.handovers.ByID(f.ctx, f.dockWorker, id)); h.State != cases.StateAccepted || h.FirstContact != nil {
		t.Errorf("refused first contacts changed the handover: %s %+v", h.State, h.FirstContact)
	}
	if list, _ := f.contacts.Find(f.ctx, f.dockWorker, cases.ContactFilter{}); list.Total != 4 {
		t.Errorf("DOCK has %d contacts, want the 4 first contacts", list.Total)
	}

	// An organisation without programmes records the first contact, logs none.
	none := send("werkwinkel", "", hood...)
	accept(none, werkwinkel, "")
	h := f.move("first contact at werkwinkel")(f.handovers.RecordFirstContact(f.ctx, werkwinkel, none, cases.ContactedInput{How: "drop-in"}))
	if h.State != cases.StateContacted || h.FirstContact == nil || h.FirstContact.ContactID != "" {
		t.Errorf("werkwinkel: %s %+v", h.State, h.FirstContact)
	}
	if list, _ := f.contacts.Find(f.ctx, werkwinkel, cases.ContactFilter{}); list.Total != 0 {
		t.Errorf("werkwinkel has %d contacts", list.Total)
	}
}
