package cases

import (
	"slices"
	"strings"
	"testing"
)

func kinds(es []Escalation) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Kind)
	}
	return out
}

// A handover sent on the Friday before Whit Monday with five working days
// to accept: due by the end of Monday 16 June. The reminder starts Monday,
// not over the weekend; overdue from Tuesday; the prompt after three whole
// working days overdue, on Friday 20 June.
func TestEscalationsCountWorkingDays(t *testing.T) {
	sent := ams("2025-06-06 10:00")
	acceptBy, contactBy := DefaultHandoverLimits.Deadlines(sent)
	if !acceptBy.Equal(ams("2025-06-17 00:00")) || !contactBy.Equal(ams("2025-06-24 00:00")) {
		t.Fatalf("deadlines %s, %s", acceptBy, contactBy)
	}
	if !DueSoonAt(acceptBy).Equal(ams("2025-06-16 00:00")) || !RedirectPromptAt(acceptBy, 3).Equal(ams("2025-06-20 00:00")) {
		t.Errorf("due soon %s, prompt %s", DueSoonAt(acceptBy), RedirectPromptAt(acceptBy, 3))
	}
	for _, c := range []struct {
		state, at string
		want      []string
	}{
		{StateRequested, "2025-06-09 12:00", nil}, // Whit Monday
		{StateRequested, "2025-06-13 23:59", nil},
		{StateReceived, "2025-06-15 12:00", nil}, // Sunday
		{StateRequested, "2025-06-16 00:00", []string{NoticeAcceptDueSoon}},
		{StateReceived, "2025-06-16 23:59", []string{NoticeAcceptDueSoon}},
		{StateRequested, "2025-06-17 00:00", []string{NoticeAcceptOverdue}},
		{StateRequested, "2025-06-19 23:59", []string{NoticeAcceptOverdue}},
		{StateRequested, "2025-06-20 00:00", []string{NoticeAcceptOverdue, NoticeRedirectPrompt}},
		{StateAccepted, "2025-06-20 00:00", nil}, // contact due the 23rd
		{StateAccepted, "2025-06-23 08:00", []string{NoticeContactDueSoon}},
		{StateAccepted, "2025-06-24 00:00", []string{NoticeContactOverdue}},
		{StateAccepted, "2025-06-27 00:00", []string{NoticeContactOverdue, NoticeRedirectPrompt}},
		{StateContacted, "2025-07-30 00:00", nil},
		{StateCompleted, "2025-07-30 00:00", nil},
		{StateDeclined, "2025-07-30 00:00", nil},
	} {
		if got := kinds(Escalations(c.state, acceptBy, contactBy, ams(c.at), 3)); !slices.Equal(got, append([]string{}, c.want...)) {
			t.Errorf("%s at %s: %v, want %v", c.state, c.at, got, c.want)
		}
	}
	if got := kinds(Escalations(StateRequested, acceptBy, contactBy, ams("2025-09-01 00:00"), 0)); !slices.Equal(got, []string{NoticeAcceptOverdue}) {
		t.Errorf("without prompts: %v", got)
	}
	// A deadline moved by new limits escalates again: the event names it.
	a := Escalations(StateRequested, acceptBy, contactBy, ams("2025-06-17 01:00"), 3)
	b := Escalations(StateRequested, acceptBy.AddDate(0, 0, 1), contactBy, ams("2025-06-18 01:00"), 3)
	if a[0].Detail == b[0].Detail {
		t.Error("two deadlines, one event")
	}
}

func TestRecipients(t *testing.T) {
	u := func(id int64, org int64, programme string, active bool, roles ...string) *User {
		return &User{ID: id, OrganisationID: org, Programme: programme, Active: active, Roles: roles}
	}
	sender := u(1, 10, "", true, RoleWorker)
	coord := u(2, 20, "hoop", true, RoleCoordinator)
	team := u(3, 20, "hoop", true, RoleWorker)
	other := u(4, 20, "", true, RoleWorker)
	gone := u(5, 20, "", false, RoleCoordinator)
	admin := u(6, 20, "", true, RoleAdmin)
	receiving := []*User{coord, team, other, gone, admin}
	h := &HandoverRecord{FromOrganisationID: 10, ToOrganisationID: 20, SenderID: 1}
	ids := func(us []*User) []int64 {
		out := []int64{}
		for _, x := range us {
			out = append(out, x.ID)
		}
		return out
	}
	check := func(what string, got []*User, want ...int64) {
		t.Helper()
		if !slices.Equal(ids(got), append([]int64{}, want...)) {
			t.Errorf("%s: %v, want %v", what, ids(got), want)
		}
	}
	check("arrived, no team", Recipients(NoticeArrived, h, receiving, sender), 2)
	check("accept due soon", Recipients(NoticeAcceptDueSoon, h, receiving, sender), 2)
	h.To.Programme = "hoop"
	check("arrived for the team", Recipients(NoticeArrived, h, receiving, sender), 3)
	check("accept due soon, a team named", Recipients(NoticeAcceptDueSoon, h, receiving, sender), 2)
	h.To.Programme = ""
	check("arrived, no coordinator", Recipients(NoticeArrived, h, []*User{team, other, gone, admin}, sender), 3, 4)
	check("accepted", Recipients(NoticeAccepted, h, receiving, sender), 1)
	check("overdue", Recipients(NoticeAcceptOverdue, h, receiving, sender), 2, 1)
	check("contact due soon, nobody assigned", Recipients(NoticeContactDueSoon, h, receiving, sender), 2)
	check("withdrawn before anyone took it", Recipients(NoticeWithdrawn, h, receiving, sender), 2)
	check("consent withdrawn before anyone took it", Recipients(NoticeConsentWithdrawn, h, receiving, sender), 2, 1)
	h.AssigneeID = 4
	check("withdrawn", Recipients(NoticeWithdrawn, h, receiving, sender), 4)
	check("consent withdrawn", Recipients(NoticeConsentWithdrawn, h, receiving, sender), 4, 1)
	check("assigned", Recipients(NoticeAssigned, h, receiving, sender), 4)
	check("accept due soon, assigned before acceptance", Recipients(NoticeAcceptDueSoon, h, receiving, sender), 4)
	check("contact due soon", Recipients(NoticeContactDueSoon, h, receiving, sender), 4)
	sender.Active = false
	check("inactive sender", Recipients(NoticeCompleted, h, receiving, sender))
	if live := LiveOrganisations([]*User{gone, admin, sender}); len(live) != 0 {
		t.Errorf("live without anyone who takes handovers: %v", live)
	}
	if live := LiveOrganisations(receiving); !live[20] || len(live) != 1 {
		t.Errorf("live: %v", live)
	}
}

func TestUnreadGroups(t *testing.T) {
	u := UnreadOf(map[string]int{NoticeArrived: 2, NoticeAssigned: 1, NoticeAcceptDueSoon: 1, NoticeCompleted: 1,
		NoticeDeclined: 2, NoticeAcceptOverdue: 1, NoticeRedirectPrompt: 1})
	if u != (Unread{IncomingHandovers: 4, Outcomes: 3, Overdue: 2}) || u.Total() != 9 {
		t.Errorf("%+v", u)
	}
	for _, k := range NoticeKinds {
		if _, ok := mailLines[k]; !ok {
			t.Errorf("no mail text for %s", k)
		}
	}
}

func TestDigestCut(t *testing.T) {
	for at, due := range map[string]bool{"2025-03-17 07:29": false, "2025-03-17 07:30": true, "2025-03-17 23:00": true,
		"2025-03-15 09:00": false, "2025-04-21 09:00": false /* Easter Monday */, "2025-03-31 07:30": true /* summer time */} {
		if cut, got := DigestCut(ams(at)); got != due || cut.In(Amsterdam).Format("15:04") != "07:30" {
			t.Errorf("%s: due %v (cut %s), want %v", at, got, cut, due)
		}
	}
}

// Mails say what happened, between whom, by when, with a link: their facts
// have no room for anything of a resident.
func TestNoticeMailText(t *testing.T) {
	for _, k := range NoticeKinds {
		for _, toSender := range []bool{false, true} {
			f := mailFacts{Kind: k, From: "DOCK", To: "Al Amal", ToSender: toSender, Deadline: ams("2025-06-17 00:00"),
				Prompt: 3, Link: "https://b.test/handovers/x"}
			subject, body := noticeMail(f, "https://b.test")
			if strings.Contains(body, "{") || !strings.Contains(body, f.Link) || !strings.Contains(body, "https://b.test/account") ||
				!strings.HasPrefix(subject, "Buurtbrug: ") {
				t.Errorf("%s (sender %v): %q\n%s", k, toSender, subject, body)
			}
			if strings.Contains(subject, "{date}") || (strings.Contains(mailLines[k][0], "{date}") && !toSender && !strings.Contains(subject, "16-06-2025")) {
				t.Errorf("%s: the date is the deadline's last day: %q", k, subject)
			}
		}
	}
	subject, body := digestMail([]mailFacts{{Kind: NoticeArrived, From: "DOCK", To: "Al Amal", Link: "l1"},
		{Kind: NoticeAccepted, From: "Al Amal", To: "DOCK", ToSender: true, Link: "l2"}}, "https://b.test")
	if subject != "Buurtbrug: 2 meldingen voor jou" || !strings.Contains(body, "- Nieuwe overdracht van DOCK voor Al Amal\n  l1") ||
		!strings.Contains(body, "- DOCK accepted your handover\n  l2") {
		t.Errorf("digest %q:\n%s", subject, body)
	}
}

func TestParseSpans(t *testing.T) {
	spans, err := ParseSpans("hours", "ma 9.00-12:30\n\n  Tuesday 13:00 – 17:00 \nzo 10:00-11:00", false)
	if err != nil || FormatSpans(spans, "nl") != "ma 09:00-12:30\ndi 13:00-17:00\nzo 10:00-11:00" ||
		FormatSpans(spans, "en") != "mo 09:00-12:30\ntu 13:00-17:00\nsu 10:00-11:00" {
		t.Errorf("%v %v %q", spans, err, FormatSpans(spans, "nl"))
	}
	week, err := ParseSpans("hours", "ma - vr 09:00-17:00\nza 10:00-12:00", false)
	if err != nil || len(week) != 6 || week[4].Day != "fr" || FormatSpans(week, "nl") != "ma-vr 09:00-17:00\nza 10:00-12:00" {
		t.Errorf("a range of days: %v %v %q", week, err, FormatSpans(week, "nl"))
	}
	if _, err := ParseSpans("hours", "vr-ma 09:00-17:00", false); err == nil {
		t.Error("a range backwards was read")
	}
	drop, err := ParseSpans("drop_ins", "di 10:00-12:00 Burezina, Zamenhofdreef", true)
	if err != nil || len(drop) != 1 || drop[0].Place != "Burezina, Zamenhofdreef" || drop[0].Day != "tu" {
		t.Errorf("%v %v", drop, err)
	}
	_, err = ParseSpans("hours", "ma 09:00-12:00\nxx 09:00-10:00\nwo 09:00-10:00 ergens", false)
	e, _ := err.(*Error)
	if e == nil || len(e.Fields) != 2 || e.Fields[0].Field != "hours[1]" || e.Fields[1].Field != "hours[2]" {
		t.Errorf("bad lines: %v", err)
	}
}

func TestPartnerServiceInputValidate(t *testing.T) {
	in := PartnerServiceInput{Name: " Spreekuur ", Languages: []string{"NL", " ar"},
		Hours:   []OpeningSpan{{Day: "mo", Opens: "09:00", Closes: "17:00"}, {Day: "tu", Opens: "17:00", Closes: "09:00"}, {Day: "xx", Opens: "9", Closes: "10:00"}},
		DropIns: []OpeningSpan{{Day: "we", Opens: "10:00", Closes: "11:00"}}, Email: "geen", Website: "ftp://x", Phone: "bel"}
	err := in.Validate()
	e, _ := err.(*Error)
	var fields []string
	if e != nil {
		for _, f := range e.Fields {
			fields = append(fields, f.Field+":"+f.Tag)
		}
	}
	slices.Sort(fields)
	want := []string{"drop_ins[0].place:required", "email:email", "hours[1].closes:closes_before_opens", "hours[2].day:oneof",
		"hours[2].opens:clock", "phone:phone", "website:http_url"}
	if !slices.Equal(fields, want) || in.Name != "Spreekuur" || !slices.Equal(in.Languages, []string{"nl", "ar"}) {
		t.Errorf("fields %v, want %v (%q %v)", fields, want, in.Name, in.Languages)
	}
}

func TestPartnerFilter(t *testing.T) {
	p := Partner{Name: "Taalalliantie", Services: []PartnerService{
		{Name: "Taalcafé", Topics: []string{"taal"}, DropIns: []OpeningSpan{{Place: "Bibliotheek Overvecht"}}},
		{Name: "Digiwijs", Offer: "Hulp met DigiD", Topics: []string{"digitale-vaardigheden"}}}}
	for _, c := range []struct {
		f    PartnerFilter
		want []string
	}{
		{PartnerFilter{}, []string{"Taalcafé", "Digiwijs"}},
		{PartnerFilter{Topic: "taal"}, []string{"Taalcafé"}},
		{PartnerFilter{Query: "bibliothéek overvecht"}, []string{"Taalcafé"}},
		{PartnerFilter{Query: "taalalliantie digid"}, []string{"Digiwijs"}},
		{PartnerFilter{Topic: "werk"}, nil},
	} {
		cp := p
		cp.Services = slices.Clone(p.Services)
		ok := c.f.matches(&cp)
		var got []string
		for _, s := range cp.Services {
			got = append(got, s.Name)
		}
		if ok != (c.want != nil) || (ok && !slices.Equal(got, c.want)) {
			t.Errorf("%+v: %v %v, want %v", c.f, ok, got, c.want)
		}
	}
}
