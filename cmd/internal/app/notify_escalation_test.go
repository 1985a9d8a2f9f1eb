package app

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
)

// newMails are the mails that arrived since the first skip, as "user:
// subject" without the "Buurtbrug: " prefix.
func newMails(mails *testSMTP, skip int) []string {
	var out []string
	for _, m := range mails.received()[skip:] {
		user, _, _ := strings.Cut(m.To, "@")
		out = append(out, user+": "+strings.TrimPrefix(m.Subject, "Buurtbrug: "))
	}
	slices.Sort(out)
	return out
}

// Escalation on working days, with a fixed clock: a handover sent on the
// Friday before Whit Monday (a public holiday) must be accepted by the end
// of Monday 16 June (five working days, the weekends and Whit Monday not
// counted). The reminder comes at the start of that Monday, not over the
// weekend; overdue on Tuesday to the receiving coordinator and the sender;
// the prompt to redirect after three more working days, on Friday 20 June.
func TestNotifyEscalationAcrossWeekendAndHoliday(t *testing.T) {
	mails := startSMTP(t)
	env := newNotifyEnv(t, NotifyConfig{SMTP: mails.config()})
	env.setMailPreference("hoop.coord", "immediate")
	env.clock.Set(amsterdam("2025-06-06 10:00"))
	dock := env.login("dock.worker")
	id := dock.send(handoverBody(dock.dockResident("Pinksteren"), "al-amal"))["id"].(string)
	if by := dock.getHandover(id)["accept_by"]; by != amsterdam("2025-06-17 00:00").UTC().Format("2006-01-02T15:04:05Z") {
		t.Fatalf("accept_by %v, want the end of Monday 16 June", by)
	}
	env.sendMail()
	seen := len(mails.received()) // the arrival

	steps := []struct {
		at   time.Time
		want []string
	}{
		{amsterdam("2025-06-13 23:00"), nil}, // Friday night: Monday is still to come
		{amsterdam("2025-06-14 12:00"), nil}, // Saturday
		{amsterdam("2025-06-15 12:00"), nil}, // Sunday
		{amsterdam("2025-06-16 00:30"), []string{"hoop.coord: Nog één werkdag: overdracht van DOCK uiterlijk 16-06-2025 accepteren"}},
		{amsterdam("2025-06-16 15:00"), nil}, // one reminder only
		{amsterdam("2025-06-17 00:30"), []string{
			"dock.worker: Te laat: Al Amal heeft je overdracht niet op tijd geaccepteerd (uiterlijk 16-06-2025)",
			"hoop.coord: Te laat: overdracht van DOCK is niet op tijd geaccepteerd (uiterlijk 16-06-2025)"}},
		{amsterdam("2025-06-19 23:00"), nil}, // overdue Tuesday to Thursday: not yet three whole working days
		{amsterdam("2025-06-20 00:30"), []string{
			"dock.worker: Je overdracht aan Al Amal wacht al 3 werkdagen te lang: bel Al Amal, of trek hem in en stuur door"}},
		{amsterdam("2025-06-21 09:00"), nil},
	}
	for _, s := range steps {
		env.clock.Set(s.at)
		env.runJobs()
		env.runJobs() // each escalation is decided once
		env.sendMail()
		if got := newMails(mails, seen); !slices.Equal(got, s.want) {
			t.Errorf("%s: mails %q, want %q", s.at.Format("Mon 2 Jan 15:04"), got, s.want)
		}
		seen = len(mails.received())
	}
	// Sessions have run out over the days: log in again.
	dock = env.login("dock.worker")
	coord := env.login("hoop.coord")
	if u := coord.unread(); u["incoming_handovers"] != 2 || u["overdue"] != 1 {
		t.Errorf("coordinator's unread: %v, want 2 incoming (arrival, reminder) and 1 overdue", u)
	}
	if u := dock.unread(); u["overdue"] != 2 || u["incoming_handovers"] != 0 {
		t.Errorf("sender's unread: %v, want 2 overdue (overdue, prompt)", u)
	}

	// Accepted late on Monday 23 June, for a worker: the contact deadline
	// (ten working days from sending) ends that day, so the assignee is
	// reminded at once, and it is overdue on Tuesday.
	env.clock.Set(amsterdam("2025-06-23 09:00"))
	coord = env.login("hoop.coord")
	coord.move(id, "accept", map[string]any{"assignee": "hoop.worker"})
	env.runJobs()
	env.sendMail()
	want := []string{"dock.worker: Al Amal heeft je overdracht geaccepteerd",
		"hoop.worker: Nog één werkdag: uiterlijk 23-06-2025 contact leggen (overdracht van DOCK)",
		"hoop.worker: Overdracht van DOCK is aan jou toegewezen"}
	if got := newMails(mails, seen); !slices.Equal(got, want) {
		t.Errorf("accepted late: mails %q, want %q", got, want)
	}
	seen = len(mails.received())
	env.clock.Set(amsterdam("2025-06-24 00:30"))
	env.runJobs()
	env.sendMail()
	want = []string{"dock.worker: Te laat: Al Amal heeft nog geen contact gelegd bij je overdracht (uiterlijk 23-06-2025)",
		"hoop.coord: Te laat: nog geen contact bij overdracht van DOCK (uiterlijk 23-06-2025)"}
	if got := newMails(mails, seen); !slices.Equal(got, want) {
		t.Errorf("contact overdue: mails %q, want %q", got, want)
	}
	hoop := env.login("hoop.worker")
	hoop.move(id, "contacted", map[string]any{"how": "drop-in"})
	seen = len(mails.received())
	env.clock.Set(amsterdam("2025-07-04 09:00"))
	env.runJobs()
	env.sendMail()
	if got := newMails(mails, seen); !slices.Equal(got, []string{"dock.worker: Al Amal heeft contact gelegd bij je overdracht"}) {
		t.Errorf("after contact: %q, want only the contact's mail", got)
	}
	checkPrivate(t, mails.received(), "Pinksteren")
}

// The server runs the escalations itself, every JobEvery.
func TestNotifyJobRunsInServer(t *testing.T) {
	mails := startSMTP(t)
	env := newNotifyEnv(t, NotifyConfig{SMTP: mails.config(), JobEvery: 20 * time.Millisecond,
		MailEvery: 20 * time.Millisecond})
	dock := env.login("dock.worker")
	dock.send(handoverBody(dock.dockResident("Vanzelf"), "al-amal"))
	env.app.Start()
	env.clock.Advance(30 * 24 * time.Hour)
	got := mails.waitFor(1, 10*time.Second)
	if got[0].To != demo.Email("dock.worker") || !strings.Contains(got[0].Subject, "Te laat") {
		t.Errorf("the job's mail: %s %q", got[0].To, got[0].Subject)
	}
}
