package cases

import (
	"testing"
	"time"
)

func TestConsentEnds(t *testing.T) {
	at := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	c := Consent{At: at, ValidUntil: at.AddDate(1, 0, 0), Scope: []string{ScopeName}}
	for _, tc := range []struct {
		name             string
		c                Consent
		now              time.Time
		inForce, expired bool
	}{
		{"given", c, at, true, false},
		{"a second before its end", c, c.ValidUntil.Add(-time.Second), true, false},
		{"at its end", c, c.ValidUntil, false, true},
		{"withdrawn", func() Consent { w := c; w.WithdrawnAt = &at; return w }(), at, false, false},
		{"withdrawn and past its end", func() Consent { w := c; w.WithdrawnAt = &at; return w }(), c.ValidUntil.Add(time.Hour), false, false},
	} {
		if got := tc.c.InForce(tc.now); got != tc.inForce {
			t.Errorf("%s: in force %v", tc.name, got)
		}
		if got := tc.c.Expired(tc.now); got != tc.expired {
			t.Errorf("%s: expired %v", tc.name, got)
		}
		if got := tc.c.Covers(ScopeName, tc.now); got != tc.inForce {
			t.Errorf("%s: covers the name %v", tc.name, got)
		}
	}
}

func TestKeepCounted(t *testing.T) {
	k := FactKey{Programme: 1, Period: "2025-Q1"}
	have := map[FactKey]Fact{k: {Age: "35-44", Gender: "vrouw"}}
	recomputed := func() map[FactKey]Fact {
		return map[FactKey]Fact{k: {Age: AgeUnknown, Gender: GenderUnknown}, {Programme: 0, Period: "2025-Q2"}: {Age: AgeUnknown}}
	}
	// A person with an erased record keeps what it was counted with.
	want := recomputed()
	KeepCounted(want, have, func(int64) PersonAttrs { return PersonAttrs{Erased: true} })
	if want[k].Age != "35-44" || want[k].Gender != "vrouw" {
		t.Errorf("erased: %+v", want[k])
	}
	if f := want[FactKey{Programme: 0, Period: "2025-Q2"}]; f.Age != AgeUnknown {
		t.Errorf("a new fact took an age from nowhere: %+v", f)
	}
	// Without one, a blanked birth date is a correction.
	want = recomputed()
	KeepCounted(want, have, func(int64) PersonAttrs { return PersonAttrs{} })
	if want[k].Age != AgeUnknown {
		t.Errorf("corrected: %+v", want[k])
	}
}

func TestReceiverViewWhenConsentEnds(t *testing.T) {
	now := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	story, name := "Het verhaal.", "Jansen"
	fresh := func() *HandoverRecord {
		return &HandoverRecord{State: StateAccepted, Question: "De vraag.", PreferredContactTime: "ochtend",
			PreferredContactWay: "phone", Shared: SharedCopy{FamilyName: &name, Story: &story},
			Consent: ConsentRecord{Consent: Consent{At: now, ValidUntil: now.AddDate(1, 0, 0),
				Scope: []string{ScopeName, ScopeStory}, WithdrawalNote: "belde"}}}
	}
	for _, tc := range []struct {
		name   string
		change func(h *HandoverRecord)
		at     time.Time
		sees   bool
	}{
		{"in force", func(*HandoverRecord) {}, now, true},
		{"expired", func(*HandoverRecord) {}, now.AddDate(1, 0, 1), false},
		{"withdrawn", func(h *HandoverRecord) { h.Consent.WithdrawnAt = &now }, now, false},
		{"declined", func(h *HandoverRecord) { h.State = StateDeclined }, now, false},
		{"withdrawn by the sender", func(h *HandoverRecord) { h.State = StateWithdrawn }, now, false},
	} {
		h := fresh()
		tc.change(h)
		v := h.View(SideReceiver, tc.at)
		sees := v.Question != "" || v.PreferredContactTime != "" || v.PreferredContactWay != "" || v.Shared.Story != nil || v.Shared.Name != nil
		if sees != tc.sees {
			t.Errorf("%s: the receiver sees the sender's data: %v (%+v)", tc.name, sees, v)
		}
		if !tc.sees && v.Consent.WithdrawalNote != "" {
			t.Errorf("%s: the receiver sees the withdrawal note", tc.name)
		}
		if s := h.View(SideSender, tc.at); s.Question == "" {
			t.Errorf("%s: the sender lost its question", tc.name)
		}
	}
}

func TestAuditMark(t *testing.T) {
	head := AuditHead{Line: 4012, Hash: "3fa9c0d1e2f3a4b5c6d7e8f90a1b2c3d"}
	mark := head.Mark()
	if mark != "4012:3fa9c0d1e2f3a4b5" {
		t.Fatalf("mark %q", mark)
	}
	got, ok := ParseAuditMark(mark)
	if !ok || got.Line != 4012 || !got.Holds(head.Hash) {
		t.Errorf("parsed %+v %v", got, ok)
	}
	if got.Holds("3fa9c0d1ffffffff") || got.Holds("") {
		t.Error("another line's hash holds")
	}
	for _, bad := range []string{"", "4012", "4012:", "-1:3fa9c0d1", "0:3fa9c0d1", "x:3fa9c0d1", "4012:3fa9", "4012:3FA9C0D1", "4012:3fa9c0d1 "} {
		if _, ok := ParseAuditMark(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
