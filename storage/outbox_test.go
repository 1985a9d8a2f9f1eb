package storage

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// scripted is a mail sender that answers from a script, one answer a send.
type scripted struct {
	mu      sync.Mutex
	answers []error
	sent    []string
	slow    time.Duration
}

func (s *scripted) Send(_ context.Context, m cases.OutgoingMail) error {
	time.Sleep(s.slow)
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if len(s.answers) > 0 {
		err, s.answers = s.answers[0], s.answers[1:]
	}
	if err == nil {
		s.sent = append(s.sent, m.Event)
	}
	return err
}

type outboxEnv struct {
	t    *testing.T
	db   *DB
	now  atomic.Pointer[time.Time]
	user int64
}

func newOutboxEnv(t *testing.T) *outboxEnv {
	t.Helper()
	db, err := Open(context.Background(), storagetest.DSN(t, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &outboxEnv{t: t, db: db}
	start := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	e.now.Store(&start)
	db.Clock = func() time.Time { return *e.now.Load() }
	u := &cases.User{Username: "m.test", DisplayName: "Made Up", OrganisationID: 1, Roles: []string{cases.RoleWorker},
		Active: true, MailPreference: cases.MailImmediate, Email: "m.test@test.example"}
	if err := db.Update(context.Background(), func(ctx context.Context, tx cases.Tx) error {
		return tx.Users().InsertUser(ctx, u, "x")
	}); err != nil {
		t.Fatal(err)
	}
	e.user = u.ID
	return e
}

func (e *outboxEnv) advance(d time.Duration) {
	t := e.now.Load().Add(d)
	e.now.Store(&t)
}

// enqueue adds a mail for event and reports whether it was new.
func (e *outboxEnv) enqueue(event string) bool {
	e.t.Helper()
	var fresh bool
	if err := e.db.Update(context.Background(), func(ctx context.Context, tx cases.Tx) error {
		var err error
		fresh, err = tx.Outbox().EnqueueMail(ctx, cases.OutgoingMail{Event: event, UserID: e.user, To: "m.test@test.example",
			Subject: "s", Body: "b", CreatedAt: tx.Now(), NextAttemptAt: tx.Now()})
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return fresh
}

// states lists the mails' states and attempts by event.
func (e *outboxEnv) states() map[string]string {
	e.t.Helper()
	mails, err := e.db.View(context.Background()).Outbox().Mails(context.Background(), 100)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range mails {
		out[m.Event] = m.State + "/" + string(rune('0'+m.Attempts))
	}
	return out
}

func (e *outboxEnv) deliver(d *cases.MailDelivery, s cases.MailSender) int {
	e.t.Helper()
	n, err := d.DeliverDue(context.Background(), s)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// The outbox under cases.MailDelivery: one mail per (event, recipient),
// back-off after a failure, permanent refusals and uncertain sends never
// retried, crashed claims taken for uncertain, giving up after GiveUp.
func TestOutboxDelivery(t *testing.T) {
	e := newOutboxEnv(t)
	d := cases.NewMailDelivery(e.db)
	if !e.enqueue("a") || e.enqueue("a") {
		t.Fatal("the same (event, recipient) was queued twice")
	}
	e.enqueue("b")
	e.enqueue("c")
	down := errors.New("connection refused")
	s := &scripted{answers: []error{nil, down}}
	if n := e.deliver(d, s); n != 1 {
		t.Errorf("sent %d, want 1 before the server went down", n)
	}
	want := map[string]string{"a": "sent/1", "b": "pending/1", "c": "pending/0"}
	if got := e.states(); !mapsEqualStr(got, want) {
		t.Errorf("after a failure: %v, want %v (the pass stops at the first failure)", got, want)
	}
	e.advance(29 * time.Second)
	if n := e.deliver(d, s); n != 1 || e.states()["b"] != "pending/1" {
		t.Errorf("within the back-off: %v", e.states()) // only c went
	}
	s.answers = []error{down}
	e.advance(2 * time.Second)
	e.deliver(d, s)
	var next time.Time
	mails, _ := e.db.View(context.Background()).Outbox().Mails(context.Background(), 10)
	for _, m := range mails {
		if m.Event == "b" {
			next = m.NextAttemptAt
		}
	}
	if got := next.Sub(*e.now.Load()); got != time.Minute {
		t.Errorf("second back-off %s, want 1m (doubling)", got)
	}

	e.enqueue("refused")
	e.enqueue("unanswered")
	e.advance(time.Hour)
	// Oldest due first: refused and unanswered (due since they were queued), then b.
	s.answers = []error{&cases.MailError{Permanent: true, Err: errors.New("550 no such user")},
		&cases.MailError{Uncertain: true, Err: errors.New("no answer to the message")}, nil}
	e.deliver(d, s)
	want = map[string]string{"a": "sent/1", "b": "sent/3", "c": "sent/1", "refused": "failed/1", "unanswered": "uncertain/1"}
	if got := e.states(); !mapsEqualStr(got, want) {
		t.Errorf("%v, want %v", got, want)
	}
	e.advance(time.Hour)
	if n := e.deliver(d, &scripted{}); n != 0 {
		t.Errorf("%d failed or uncertain mails went again", n)
	}

	// A claim a crash left behind becomes uncertain after the lease.
	e.enqueue("crashed")
	if err := e.db.Update(context.Background(), func(ctx context.Context, tx cases.Tx) error {
		var id int64
		if err := tx.(*Tx).QueryRow(`SELECT id FROM mail_outbox WHERE event = 'crashed'`).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Outbox().ClaimMail(ctx, id, tx.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e.advance(9 * time.Minute)
	e.deliver(d, &scripted{})
	if got := e.states()["crashed"]; got != "sending/1" {
		t.Errorf("within the lease: %s", got)
	}
	e.advance(2 * time.Minute)
	e.deliver(d, &scripted{})
	if got := e.states()["crashed"]; got != "uncertain/1" {
		t.Errorf("after the lease: %s", got)
	}

	// A mail that cannot go out for three days fails.
	e.enqueue("old")
	e.advance(73 * time.Hour)
	e.deliver(d, &scripted{answers: []error{down}})
	if got := e.states()["old"]; got != "failed/1" {
		t.Errorf("given up: %s", got)
	}
}

// Two workers on one outbox send each mail once.
func TestOutboxTwoWorkers(t *testing.T) {
	e := newOutboxEnv(t)
	for _, ev := range []string{"1", "2", "3", "4", "5", "6", "7", "8"} {
		e.enqueue(ev)
	}
	s := &scripted{slow: 5 * time.Millisecond}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cases.NewMailDelivery(e.db).DeliverDue(context.Background(), s); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(s.sent) != 8 {
		t.Errorf("sent %v, want each of 8 once", s.sent)
	}
}

func mapsEqualStr(a, b map[string]string) bool {
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
