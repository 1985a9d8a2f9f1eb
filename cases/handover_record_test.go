package cases

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"
)

// recordForTest is a contacted handover from organisation 1 to 2 whose
// consent covers name, phone, birth date and story; the copy has no birth
// date (the sender's record had none).
func recordForTest() *HandoverRecord {
	sent := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	return &HandoverRecord{
		ID: "h1", State: StateContacted,
		From:               Party{Organisation: "al-amal", Programme: "hoop", Worker: "hoop.worker"},
		To:                 Party{Organisation: "dock", Worker: "dock.worker"},
		FromOrganisationID: 1, ToOrganisationID: 2, SenderID: 11, AssigneeID: 21,
		FromResidentID: "sender-record", ToResidentID: "receiver-record",
		Question: "Hulp bij schulden", Urgency: "normal",
		Shared: SharedCopy{GivenName: ptr("Fatima"), FamilyName: ptr("El Amrani"), Phone: ptr("0612345678"),
			Neighbourhood: ptr("zambesibuurt"), Story: ptr("Achterstand")},
		Consent: ConsentRecord{Consent: Consent{How: "verbal", At: sent, RecordedBy: "hoop.worker",
			Scope: []string{ScopeName, ScopePhone, ScopeBirthDate, ScopeStory}}, RecordedByID: 11},
		FirstContact:  &FirstContact{At: sent.Add(time.Hour), How: "drop-in", Note: "Alleen voor DOCK", ContactID: "c1"},
		HandoverTimes: HandoverTimes{RequestedAt: sent, UpdatedAt: sent, AcceptBy: sent.AddDate(0, 0, 7), ContactBy: sent.AddDate(0, 0, 14)},
	}
}

// Each side sees its own record of the resident; the first contact's note
// and logged contact stay with the receiver; everyone sees exactly the
// consented fields of the copy, and nothing once consent is withdrawn.
func TestHandoverRecordView(t *testing.T) {
	t.Parallel()
	h := recordForTest()
	now := h.RequestedAt
	for _, tc := range []struct {
		side, direction, resident string
		note, contact             string
	}{
		{SideSender, DirectionOutgoing, "sender-record", "", ""},
		{SideReceiver, DirectionIncoming, "receiver-record", "Alleen voor DOCK", "c1"},
		{"", "", "", "", ""},
	} {
		v := h.View(tc.side, now)
		if v.Direction != tc.direction || v.ResidentID != tc.resident {
			t.Errorf("%q: direction %q, resident %q", tc.side, v.Direction, tc.resident)
		}
		if fc := v.FirstContact; fc == nil || fc.Note != tc.note || fc.ContactID != tc.contact || fc.How != "drop-in" || !fc.At.Equal(h.FirstContact.At) {
			t.Errorf("%q: first contact %+v", tc.side, fc)
		}
		data, _ := json.Marshal(v.Shared)
		if want := `{"name":{"given_name":"Fatima","family_name":"El Amrani"},"phone":"0612345678","birth_date":"","story":"Achterstand"}`; string(data) != want {
			t.Errorf("%q: shared %s, want %s", tc.side, data, want)
		}
		if v.Assignee != "dock.worker" || !v.Consent.Given || v.Topics == nil || v.From != h.From {
			t.Errorf("%q: view %+v", tc.side, v)
		}
	}
	if h.FirstContact.Note != "Alleen voor DOCK" {
		t.Error("a view changed the record's first contact")
	}
	v := h.View(SideSender, now)
	v.Consent.Scope[0] = "changed"
	if h.Consent.Scope[0] != ScopeName {
		t.Error("a view shares its consent scope with the record")
	}

	// Withdrawn consent hides the copy even before it is erased.
	withdrawn := recordForTest()
	at := now.Add(time.Hour)
	withdrawn.Consent.WithdrawnAt = &at
	for _, side := range []string{SideSender, SideReceiver} {
		if data, _ := json.Marshal(withdrawn.View(side, now).Shared); string(data) != "{}" {
			t.Errorf("%s after withdrawal: %s", side, data)
		}
	}
	// A copy made under a smaller consent shows only its fields.
	narrow := recordForTest()
	narrow.Consent.Scope = []string{ScopeNeighbourhood}
	if data, _ := json.Marshal(narrow.View(SideReceiver, now).Shared); string(data) != `{"neighbourhood":"zambesibuurt"}` {
		t.Errorf("neighbourhood only: %s", data)
	}
}

// The receiver's record takes the shared fields the consent covers, with
// the birth year derived.
func TestHandoverReceiverRecord(t *testing.T) {
	t.Parallel()
	h := recordForTest()
	h.Shared.BirthDate = ptr("1980-05-01")
	now := h.RequestedAt.Add(time.Hour)
	got := h.receiverRecord(now)
	want := ResidentInput{GivenName: "Fatima", FamilyName: "El Amrani", Phone: "0612345678", BirthDate: "1980-05-01", BirthYear: 1980}
	if got != want {
		t.Errorf("receiverRecord = %+v, want %+v", got, want)
	}
	// A consent that ran out covers nothing, as one withdrawn.
	h.Consent.ValidUntil = now
	if got := h.receiverRecord(now); got != (ResidentInput{}) {
		t.Errorf("after the consent ran out: %+v", got)
	}
	h.Consent.ValidUntil = time.Time{}
	h.Consent.WithdrawnAt = &now
	if got := h.receiverRecord(now); got != (ResidentInput{}) {
		t.Errorf("after withdrawal: %+v", got)
	}
}

// Actions offers exactly the moves checkMove accepts, for every state and
// viewer, receiving excepted (that happens by opening), with the consent
// in force, withdrawn or run out.
func TestHandoverActionsAreTheAcceptedMoves(t *testing.T) {
	t.Parallel()
	viewers := map[string]Actor{
		"sending worker":        {UserID: 11, OrganisationID: 1, Roles: []string{RoleWorker}},
		"receiving worker":      {UserID: 21, OrganisationID: 2, Roles: []string{RoleWorker}},
		"receiving coordinator": {UserID: 22, OrganisationID: 2, Roles: []string{RoleCoordinator}},
		"receiving admin":       {UserID: 23, OrganisationID: 2, Roles: []string{RoleAdmin}},
		"third organisation":    {UserID: 31, OrganisationID: 3, Roles: []string{RoleCoordinator}},
	}
	now := recordForTest().RequestedAt.Add(time.Hour)
	for _, state := range HandoverStates {
		for _, consent := range []string{"in force", "withdrawn", "run out"} {
			for _, redirected := range []bool{false, true} {
				h := recordForTest()
				h.State = state
				switch consent {
				case "withdrawn":
					h.Consent.WithdrawnAt = &h.RequestedAt
				case "run out":
					h.Consent.ValidUntil = now
				}
				if redirected {
					h.RedirectedTo = "h2"
				}
				for name, actor := range viewers {
					var want []string
					for _, action := range HandoverActions {
						if _, err := h.checkMove(action, actor, now); err == nil && action != ActionReceive {
							want = append(want, action)
						}
					}
					got := slices.Sorted(maps.Keys(h.Actions(actor, now)))
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s, consent %s, redirected %v, %s: %v, want %v", state, consent, redirected, name, got, want)
					}
					if consent == "withdrawn" && (slices.Contains(got, ActionWithdrawConsent) || slices.Contains(got, ActionRenewConsent)) ||
						redirected && slices.Contains(got, ActionRedirect) {
						t.Errorf("%s: a guarded move is offered: %v", state, got)
					}
					if consent == "run out" {
						for _, action := range got {
							if !endedConsentMoves[action] {
								t.Errorf("%s, consent run out, %s: %s is offered", state, name, action)
							}
						}
					}
				}
			}
		}
	}
	declined := recordForTest()
	declined.State = StateDeclined
	if got := slices.Sorted(maps.Keys(declined.Actions(viewers["sending worker"], now))); !slices.Equal(got, []string{ActionRedirect, ActionWithdrawConsent}) {
		t.Errorf("a declined handover offers its sender %v", got)
	}
	// A consent that ran out is renewed by the sender, not by the receiver.
	expired := recordForTest()
	expired.Consent.ValidUntil = now
	if got := expired.Actions(viewers["sending worker"], now); !got[ActionRenewConsent] || !got[ActionWithdraw] || got[ActionContact] {
		t.Errorf("an expired consent offers its sender %v", got)
	}
	if got := expired.Actions(viewers["receiving worker"], now); got[ActionRenewConsent] || got[ActionComplete] || !got[ActionWithdrawConsent] {
		t.Errorf("an expired consent offers the receiver %v", got)
	}
}

func TestHandoverFilterValidate(t *testing.T) {
	t.Parallel()
	for _, f := range []HandoverFilter{{}, {Direction: DirectionIncoming}, {Direction: DirectionOutgoing, State: StateAccepted},
		{Overdue: true, Partner: "anything", Mine: true, MinAge: 3, Limit: 9999}} {
		if err := f.Validate(); err != nil {
			t.Errorf("%+v: %v", f, err)
		}
	}
	for _, state := range HandoverStates {
		if err := (HandoverFilter{State: state}).Validate(); err != nil {
			t.Errorf("state %s: %v", state, err)
		}
	}
	err := HandoverFilter{Direction: "sideways", State: "lost"}.Validate()
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID || len(e.Fields) != 2 ||
		e.Fields[0] != (FieldError{Field: "direction", Tag: "unknown", Param: "sideways"}) ||
		e.Fields[1] != (FieldError{Field: "state", Tag: "unknown", Param: "lost"}) {
		t.Errorf("a bad direction and state: %v", err)
	}
}

// The state lists that storage builds its SQL from partition the states
// the way Overdue reads them: open or closed; among the open ones, the
// accept deadline runs before acceptance, the contact deadline after it,
// and none once contacted.
func TestOverdueFollowsTheStateLists(t *testing.T) {
	t.Parallel()
	if got := slices.Concat(OpenStates, ClosedStates); !sameSet(got, HandoverStates) || len(got) != len(HandoverStates) {
		t.Errorf("open %v and closed %v do not partition %v", OpenStates, ClosedStates, HandoverStates)
	}
	deadlines := slices.Concat(AcceptDeadlineStates, ContactDeadlineStates)
	if len(slices.Compact(slices.Sorted(slices.Values(deadlines)))) != len(deadlines) {
		t.Errorf("a state has both deadlines: %v", deadlines)
	}
	now := time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Millisecond), now.Add(time.Millisecond)
	for _, s := range HandoverStates {
		accept, contact := slices.Contains(AcceptDeadlineStates, s), slices.Contains(ContactDeadlineStates, s)
		if (accept || contact) && !OpenState(s) {
			t.Errorf("closed state %s has a deadline", s)
		}
		if OpenState(s) != slices.Contains(OpenStates, s) {
			t.Errorf("OpenState(%s) disagrees with OpenStates", s)
		}
		for _, tc := range []struct {
			acceptBy, contactBy time.Time
			want                bool
		}{
			{past, past, accept || contact},
			{now, now, accept || contact}, // a deadline at now is passed
			{past, future, accept},
			{future, past, contact},
			{future, future, false},
		} {
			if got := Overdue(s, tc.acceptBy, tc.contactBy, now); got != tc.want {
				t.Errorf("Overdue(%s, accept %v, contact %v) = %v, want %v", s, tc.acceptBy.Sub(now), tc.contactBy.Sub(now), got, tc.want)
			}
		}
	}
	if !slices.Contains(OpenStates, StateContacted) || slices.Contains(deadlines, StateContacted) {
		t.Error("want a contacted handover open and without a deadline")
	}
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
