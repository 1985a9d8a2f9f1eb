package cases

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// handoverSpec is the state machine as the issue describes it, written out
// independently of HandoverMoves: "state action -> next side roles".
const handoverSpec = `
requested receive          -> received  receiver worker,coordinator
requested accept           -> accepted  receiver worker,coordinator
requested decline          -> declined  receiver worker,coordinator
requested withdraw         -> withdrawn sender   worker,coordinator
requested withdraw_consent -> withdrawn both     worker,coordinator
requested reassign         -> received  receiver coordinator
received  accept           -> accepted  receiver worker,coordinator
received  decline          -> declined  receiver worker,coordinator
received  withdraw         -> withdrawn sender   worker,coordinator
received  withdraw_consent -> withdrawn both     worker,coordinator
received  reassign         -> received  receiver coordinator
accepted  contact          -> contacted receiver worker,coordinator
accepted  decline          -> declined  receiver worker,coordinator
accepted  reassign         -> accepted  receiver coordinator
accepted  withdraw         -> withdrawn sender   worker,coordinator
accepted  withdraw_consent -> withdrawn both     worker,coordinator
contacted complete         -> completed receiver worker,coordinator
contacted reassign         -> contacted receiver coordinator
contacted withdraw         -> withdrawn sender   worker,coordinator
contacted withdraw_consent -> withdrawn both     worker,coordinator
completed withdraw_consent -> completed both     worker,coordinator
declined  redirect         -> declined  sender   worker,coordinator
declined  withdraw_consent -> declined  both     worker,coordinator
withdrawn withdraw_consent -> withdrawn both     worker,coordinator
requested renew_consent    -> requested sender   worker,coordinator
received  renew_consent    -> received  sender   worker,coordinator
accepted  renew_consent    -> accepted  sender   worker,coordinator
contacted renew_consent    -> contacted sender   worker,coordinator
completed renew_consent    -> completed sender   worker,coordinator
`

type specMove struct {
	next  string
	sides []string
	roles []string
}

func parseSpec(t *testing.T) map[[2]string]specMove {
	t.Helper()
	out := map[[2]string]specMove{}
	for _, line := range strings.Split(strings.TrimSpace(handoverSpec), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 || f[2] != "->" {
			t.Fatalf("bad spec line %q", line)
		}
		sides := []string{f[4]}
		if f[4] == "both" {
			sides = []string{SideSender, SideReceiver}
		}
		out[[2]string{f[0], f[1]}] = specMove{next: f[3], sides: sides, roles: strings.Split(f[5], ",")}
	}
	return out
}

// TestStateMachineTable checks every (state, action, role, side) against the
// spec: allowed with the right next state, or the exact error.
func TestStateMachineTable(t *testing.T) {
	t.Parallel()
	spec := parseSpec(t)
	allowed, refused := 0, 0
	for _, state := range HandoverStates {
		for _, action := range HandoverActions {
			for _, role := range AllRoles {
				for _, side := range []string{SideSender, SideReceiver} {
					name := fmt.Sprintf("%s/%s/%s/%s", state, action, role, side)
					actor := Actor{UserID: 1, Username: "u", OrganisationID: 1, Roles: []string{role}}
					next, err := NextState(state, action, actor, side)
					m, inSpec := spec[[2]string{state, action}]
					var wantCode, wantMsg string
					var wantArgs []any
					switch {
					case !inSpec:
						wantCode, wantMsg, wantArgs = ENOTALLOWED, "handover_not_allowed."+state, []any{state, action}
					case !slices.Contains(m.sides, side) && m.sides[0] == SideSender:
						wantCode, wantMsg, wantArgs = EFORBIDDEN, "handover_forbidden.sender_only", []any{action, side}
					case !slices.Contains(m.sides, side):
						wantCode, wantMsg, wantArgs = EFORBIDDEN, "handover_forbidden.receiver_only", []any{action, side}
					case !slices.Contains(m.roles, role) && len(m.roles) == 1 && m.roles[0] == RoleCoordinator:
						wantCode, wantMsg, wantArgs = EFORBIDDEN, "handover_forbidden.coordinator_only", []any{action, side}
					case !slices.Contains(m.roles, role):
						wantCode, wantMsg = EFORBIDDEN, "forbidden"
					}
					if wantCode == "" {
						allowed++
						if err != nil || next != m.next {
							t.Errorf("%s: got (%q, %v), want %q", name, next, err, m.next)
						}
						continue
					}
					refused++
					var e *Error
					if !errors.As(err, &e) {
						t.Errorf("%s: got (%q, %v), want %s %s", name, next, err, wantCode, wantMsg)
						continue
					}
					if e.Code != wantCode || e.Message != wantMsg || fmt.Sprint(e.Args) != fmt.Sprint(wantArgs) || next != "" {
						t.Errorf("%s: got %s %s %v, want %s %s %v", name, e.Code, e.Message, e.Args, wantCode, wantMsg, wantArgs)
					}
					if wantCode == ENOTALLOWED && (len(e.Args) == 0 || e.Args[0] != state) {
						t.Errorf("%s: the error must name the current state: %v", name, e.Args)
					}
				}
			}
		}
	}
	// 7 states × 10 actions × 5 roles × 2 sides.
	if total, want := allowed+refused, len(HandoverStates)*len(HandoverActions)*len(AllRoles)*2; total != want || want != 700 {
		t.Errorf("checked %d combinations, want %d (700)", total, want)
	}
	if len(spec) != len(HandoverMoves) {
		t.Errorf("spec has %d moves, the state machine %d", len(spec), len(HandoverMoves))
	}
	t.Logf("%d allowed, %d refused", allowed, refused)
}

// TestStateMachineReachesEveryState: from requested every state can be
// reached, and no move leaves a closed state except to itself.
func TestStateMachineReachesEveryState(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{StateRequested: true}
	for changed := true; changed; {
		changed = false
		for _, m := range HandoverMoves {
			if seen[m.From] && !seen[m.To] {
				seen[m.To], changed = true, true
			}
		}
	}
	for _, s := range HandoverStates {
		if !seen[s] {
			t.Errorf("state %s cannot be reached", s)
		}
	}
	for _, m := range HandoverMoves {
		if !OpenState(m.From) && m.To != m.From {
			t.Errorf("closed state %s moves to %s", m.From, m.To)
		}
	}
}

func validHandoverInput() HandoverInput {
	return HandoverInput{
		ResidentID: "6f1c1a52-8a0e-4d59-9b8e-2a1d3c4b5e6f", To: "al-amal", Topics: []string{"schulden"},
		Question: "Hulp bij schulden", Story: "Verhaal", Consent: &ConsentInput{Given: true, How: "verbal",
			Scope: []string{"name", "phone", "story"}},
	}
}

func fieldsOf(err error) []string {
	var e *Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+":"+f.Tag)
	}
	return out
}

func TestHandoverInputValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	rules := HandoverRules{Now: now, Window: ConsentWindow}
	for _, tc := range []struct {
		name   string
		change func(in *HandoverInput)
		want   string // first field:tag, "" = valid
	}{
		{"valid", func(*HandoverInput) {}, ""},
		{"no consent", func(in *HandoverInput) { in.Consent = nil }, "consent:required"},
		{"consent not given", func(in *HandoverInput) { in.Consent.Given = false }, "consent.given:consent_required"},
		{"consent how", func(in *HandoverInput) { in.Consent.How = "nodded" }, "consent.how:oneof"},
		{"scope key", func(in *HandoverInput) { in.Consent.Scope = []string{"bsn"} }, "consent.scope[0]:oneof"},
		{"consent in future", func(in *HandoverInput) { in.Consent.At = "2025-03-13T10:00:00Z" }, "consent.at:future"},
		{"consent too old", func(in *HandoverInput) { in.Consent.At = "2024-01-01T10:00:00Z" }, "consent.at:too_old"},
		{"consent time", func(in *HandoverInput) { in.Consent.At = "gisteren" }, "consent.at:rfc3339"},
		{"story without consent", func(in *HandoverInput) { in.Consent.Scope = []string{"name"} }, "story:story_without_consent"},
		{"phone preferred, not shared", func(in *HandoverInput) {
			in.PreferredContactWay = "phone"
			in.Consent.Scope = []string{"name", "story"}
		}, "preferred_contact_way:phone_not_shared"},
		{"no topics", func(in *HandoverInput) { in.Topics = nil }, "topics:required"},
		{"question too long", func(in *HandoverInput) { in.Question = strings.Repeat("x", 501) }, "question:max"},
		{"story too long", func(in *HandoverInput) { in.Story = strings.Repeat("x", 4001) }, "story:max"},
		{"urgency", func(in *HandoverInput) { in.Urgency = "asap" }, "urgency:oneof"},
		{"resident", func(in *HandoverInput) { in.ResidentID = "12" }, "resident_id:uuid"},
		{"to", func(in *HandoverInput) { in.To = "Al Amal" }, "to:slug"},
	} {
		in := validHandoverInput()
		tc.change(&in)
		in.Normalise()
		_, err := in.Validate(rules)
		got := fieldsOf(err)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (len(got) == 0 || got[0] != tc.want):
			t.Errorf("%s: got %v, want first %s", tc.name, got, tc.want)
		}
	}
}

func TestMoveInputsValidate(t *testing.T) {
	t.Parallel()
	sent := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	now := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	check := func(name string, err error, want string) {
		t.Helper()
		got := fieldsOf(err)
		if want == "" && err != nil || want != "" && (len(got) == 0 || got[0] != want) {
			t.Errorf("%s: got %v (%v), want %q", name, got, err, want)
		}
	}
	ci := ContactedInput{How: "joint-visit"}
	_, err := ci.Validate(now, sent)
	check("contacted ok", err, "")
	ci = ContactedInput{How: "pigeon"}
	_, err = ci.Validate(now, sent)
	check("contacted how", err, "how:oneof")
	ci = ContactedInput{How: "drop-in", At: "2025-03-09T10:00:00Z"}
	_, err = ci.Validate(now, sent)
	check("contacted before handover", err, "at:before_handover")
	ci = ContactedInput{How: "drop-in", At: "2025-03-13T10:00:00Z"}
	_, err = ci.Validate(now, sent)
	check("contacted future", err, "at:future")
	d := DeclineInput{Reason: "no capacity"}
	check("decline in words", d.Validate(), "")
	if d.Reason != "no_capacity" {
		t.Errorf("reason %q", d.Reason)
	}
	d = DeclineInput{Reason: "other"}
	check("decline other without note", d.Validate(), "note:note_for_other")
	d = DeclineInput{Reason: "bored"}
	check("decline reason", d.Validate(), "reason:oneof")
	c := CompleteInput{}
	check("complete outcome", c.Validate(), "outcome:required")
	w := WithdrawInput{Reason: "  "}
	check("withdraw reason", w.Validate(), "reason:required")
	a := AcceptInput{Assignee: "Not A User!"}
	check("assignee", a.Validate(), "assignee:username")
}
