package app

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// The mail worker's guarantees against a real SMTP server: each mail at
// most once per (event, recipient) across restarts and crashes, and a
// broken mail server never failing a user's request.

// waitOutbox waits until the outbox's states are want.
func (e *testEnv) waitOutbox(want map[string]int, timeout time.Duration) {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := e.outboxStates()
		if mapsEqual(got, want) {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("outbox %v, want %v", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// onceEach fails when two mails have the same Message-ID, or the same
// recipient and text (the text links to its handover).
func onceEach(t *testing.T, mails []receivedMail) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range mails {
		for _, key := range []string{m.MessageID, m.To + " " + m.Subject + "\n" + m.Body} {
			if seen[key] {
				t.Errorf("sent twice: %s", key)
			}
			seen[key] = true
		}
	}
}

// handoverLoop sends a handover from DOCK to Al Amal and takes it through
// acceptance (with an assignee), first contact and completion: five mails
// when the HOOP coordinator takes mail at once.
func (e *testEnv) handoverLoop(dock, coord, hoop *client, family string) string {
	e.t.Helper()
	id := dock.send(handoverBody(dock.dockResident(family), "al-amal"))["id"].(string)
	coord.move(id, "accept", map[string]any{"assignee": "hoop.worker"})
	hoop.move(id, "contacted", map[string]any{"how": "drop-in"})
	hoop.move(id, "complete", map[string]any{"outcome": "informatie-gegeven"})
	return id
}

// A stop between the commit of an event and the sending of its mail sends
// each mail once when the server is back; a mail that was being handed to
// the SMTP server when the process died is never sent again (it might
// have been accepted), and is marked uncertain.
func TestNotifyMailOnceAcrossRestarts(t *testing.T) {
	mails := startSMTP(t)
	env := newNotifyEnv(t, NotifyConfig{SMTP: mails.config(), MailEvery: 50 * time.Millisecond})
	env.setMailPreference("hoop.coord", "immediate")
	dock, coord, hoop := env.login("dock.worker"), env.login("hoop.coord"), env.login("hoop.worker")
	env.handoverLoop(dock, coord, hoop, "Herstart")
	env.waitOutbox(map[string]int{cases.MailPending: 5}, time.Second)

	// The server stops after the commits, before sending anything.
	env.restart()
	// ... and once more while it was handing the first mail to the SMTP
	// server: claimed, never finished.
	var first int64
	if err := env.app.DB.Read.QueryRow(`SELECT MIN(id) FROM mail_outbox`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	err := env.app.DB.Update(context.Background(), func(ctx context.Context, tx cases.Tx) error {
		_, err := tx.Outbox().ClaimMail(ctx, first, tx.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	env.restart()
	env.app.Start()
	got := mails.waitFor(4, 10*time.Second)
	env.waitOutbox(map[string]int{cases.MailSent: 4, cases.MailSending: 1}, 5*time.Second)
	// Past the lease the claim is taken for a crash: uncertain, not resent.
	env.clock.Advance(11 * time.Minute)
	env.waitOutbox(map[string]int{cases.MailSent: 4, cases.MailUncertain: 1}, 5*time.Second)
	env.restart()
	env.app.Start()
	env.clock.Advance(time.Hour)
	if n := env.sendMail(); n != 0 {
		t.Errorf("after another restart %d more mails went out", n)
	}
	if got = mails.received(); len(got) != 4 {
		t.Errorf("%d mails arrived, want 4: %v", len(got), subjects(got))
	}
	onceEach(t, got)
	checkPrivate(t, got, "Herstart")
}

// A mail sent in full whose answer never comes may have been accepted: it
// is marked uncertain and never sent again.
func TestNotifyUnansweredMailNotRepeated(t *testing.T) {
	mails := startSMTP(t)
	cfg := mails.config()
	cfg.Timeout = 300 * time.Millisecond
	env := newNotifyEnv(t, NotifyConfig{SMTP: cfg})
	env.setMailPreference("hoop.coord", "immediate")
	dock := env.login("dock.worker")
	dock.send(handoverBody(dock.dockResident("Stil"), "al-amal"))
	hold := make(chan struct{})
	mails.mu.Lock()
	mails.hold = hold
	mails.mu.Unlock()
	env.sendMail()
	close(hold)
	env.waitOutbox(map[string]int{cases.MailUncertain: 1}, time.Second)
	env.clock.Advance(time.Hour)
	if n := env.sendMail(); n != 0 {
		t.Errorf("the unanswered mail went out again (%d)", n)
	}
}

// blackHole accepts connections on addr and never says a word, like a
// mail server that hangs.
func blackHole(t *testing.T, addr string) (closeIt func()) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	}
}

// With the mail server hanging, then gone, every request succeeds and the
// mails wait; when the server is back they go out, each once. A refusal
// for now (4xx) is retried, a refusal for good (5xx) is not.
func TestNotifySMTPDown(t *testing.T) {
	mails := startSMTP(t)
	mails.down()
	hole := blackHole(t, mails.addr)
	cfg := mails.config()
	cfg.Timeout = 300 * time.Millisecond
	env := newNotifyEnv(t, NotifyConfig{SMTP: cfg, MailEvery: 20 * time.Millisecond})
	env.setMailPreference("hoop.coord", "immediate")
	env.app.Start()
	dock, coord, hoop := env.login("dock.worker"), env.login("hoop.coord"), env.login("hoop.worker")
	env.handoverLoop(dock, coord, hoop, "Hangend") // every move answers 2xx (the helpers check)
	hole()
	env.handoverLoop(dock, coord, hoop, "Weg")
	env.waitOutbox(map[string]int{cases.MailPending: 10}, 5*time.Second) // the worker tries, and fails
	var attempts int
	if err := env.app.DB.Read.QueryRow(`SELECT MAX(attempts) FROM mail_outbox`).Scan(&attempts); err != nil || attempts < 1 {
		t.Errorf("no attempt was made while the server was down (%d, %v)", attempts, err)
	}

	// Back, but refusing for now: retried later.
	mails.mu.Lock()
	mails.reject = "450"
	mails.mu.Unlock()
	mails.up()
	env.clock.Advance(2 * time.Minute)
	// Every mail tried at the new time (and refused) before the refusals
	// stop: an attempt still under way when the clock jumps again would
	// wait from that time, past the end of the test.
	triedBy := cases.FormatTime(env.clock.Now().Add(30 * time.Second)) // the first backoff
	deadline := time.Now().Add(10 * time.Second)
	for waiting := 1; waiting > 0; time.Sleep(20 * time.Millisecond) {
		if err := env.app.DB.Read.QueryRow(`SELECT COUNT(*) FROM mail_outbox WHERE next_attempt_at < ?`, triedBy).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails were not tried again while refused", waiting)
		}
	}
	if got := mails.received(); len(got) != 0 {
		t.Fatalf("mails arrived while the server refused: %v", subjects(got))
	}
	mails.mu.Lock()
	mails.reject = ""
	mails.mu.Unlock()
	env.clock.Advance(30 * time.Minute)
	got := mails.waitFor(10, 10*time.Second)
	env.waitOutbox(map[string]int{cases.MailSent: 10}, 5*time.Second)
	onceEach(t, got)
	checkPrivate(t, got, "Hangend", "Weg")

	// A refusal for good fails the mail at once.
	mails.mu.Lock()
	mails.reject = "550"
	mails.mu.Unlock()
	dock = env.login("dock.worker") // the clock ran past the idle timeout
	dock.send(handoverBody(dock.dockResident("Onbekend"), "al-amal"))
	env.waitOutbox(map[string]int{cases.MailSent: 10, cases.MailFailed: 1}, 5*time.Second)
	if n := len(mails.received()); n != 10 {
		t.Errorf("%d mails, want 10", n)
	}
	env.clock.Advance(time.Hour)
	time.Sleep(60 * time.Millisecond)
	if got := env.outboxStates(); !slices.Contains([]int{1}, got[cases.MailFailed]) || got[cases.MailPending] != 0 {
		t.Errorf("the refused mail: %v", got)
	}
}
