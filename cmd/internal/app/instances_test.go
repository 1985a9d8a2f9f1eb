package app

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/buurtbrug/buurtbrug/cases"
)

// Two server instances on one database, as behind a load balancer (on
// PostgreSQL; on SQLite, two writers of one file): the load tool's work
// split over both, bounded in count, not timed.

// secondInstance opens another server on e's database, with e's clock.
func (e *testEnv) secondInstance() *testEnv {
	e.t.Helper()
	other := &testEnv{t: e.t, dbPath: e.dbPath, clock: e.clock, notify: e.notify}
	other.open()
	return other
}

// loadClient is a logged-in worker posting contacts to one instance, and
// again to the other.
type loadClient struct {
	here, there *client
	programme   string
	resident    string
}

func newLoadClient(t *testing.T, here, there *testEnv, username string) *loadClient {
	t.Helper()
	c := &loadClient{here: here.login(username), there: there.anonymous()}
	c.there.http.Jar, c.there.csrf = c.here.http.Jar, c.here.csrf // one session, valid on both
	ref := c.here.do("GET", "/api/v1/reference", nil).json()
	c.programme = ref["programmes"].([]any)[0].(map[string]any)["slug"].(string)
	res := c.here.do("POST", "/api/v1/residents", map[string]any{"given_name": "Load", "family_name": "Twee " + username,
		"neighbourhood": "zambesibuurt"})
	if res.status != http.StatusCreated {
		t.Fatalf("resident: %s", res.body)
	}
	c.resident = res.json()["id"].(string)
	return c
}

func (c *loadClient) contact(i int) map[string]any {
	p := map[string]any{"id": uuid.NewString(), "programme": c.programme, "neighbourhood": "zambesibuurt",
		"kind": "spreekuur", "topics": []string{"schulden"}}
	if i%2 == 0 {
		p["anonymous"] = true
	} else {
		p["resident_id"] = c.resident
		p["outcomes"] = []string{"regeling-aangevraagd"}
	}
	return p
}

func TestTwoInstancesShareTheLoad(t *testing.T) {
	a := newTestEnv(t)
	b := a.secondInstance()
	workers := []string{"hoop.worker", "dock.worker", "bhb.worker", "bv.worker", "buurtteam.worker"}
	const perClient, clients = 24, 10
	var mu sync.Mutex
	created := 0
	var wg sync.WaitGroup
	for i := range clients {
		here, there := a, b
		if i%2 == 1 {
			here, there = b, a
		}
		c := newLoadClient(t, here, there, workers[i%len(workers)])
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range perClient {
				p := c.contact(j)
				switch j % 4 {
				case 0: // the same contact to both instances at once: one is stored, the other a retry
					got := make(chan int, 2)
					for _, to := range []*client{c.here, c.there} {
						go func() { got <- to.do("POST", "/api/v1/contacts", p).status }()
					}
					if s1, s2 := <-got, <-got; min(s1, s2) != http.StatusOK || max(s1, s2) != http.StatusCreated {
						t.Errorf("the same contact to both instances: %d and %d, want 201 and 200", s1, s2)
					}
				case 1: // sent again to the other instance, as a tablet whose answer got lost
					if res := c.here.do("POST", "/api/v1/contacts", p); res.status != http.StatusCreated {
						t.Errorf("contact: %s", res.body)
					}
					if res := c.there.do("POST", "/api/v1/contacts", p); res.status != http.StatusOK || res.json()["id"] != p["id"] {
						t.Errorf("the retry on the other instance: %d %s", res.status, res.body)
					}
				default:
					if res := c.here.do("POST", "/api/v1/contacts", p); res.status != http.StatusCreated {
						t.Errorf("contact: %s", res.body)
					}
				}
				mu.Lock()
				created++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if n := a.count(`SELECT COUNT(*) FROM contacts`); n != created {
		t.Errorf("%d contacts stored for %d logged", n, created)
	}
	if n := a.count(`SELECT COUNT(*) FROM (SELECT id FROM contacts GROUP BY id HAVING COUNT(*) > 1) d`); n != 0 {
		t.Errorf("%d contacts stored twice", n)
	}

	// The incremental reach counters of both instances' writes are what a
	// rebuild from the contacts makes of them.
	ctx := context.Background()
	if err := b.app.Reach.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	incremental := countersOf(t, a)
	if err := a.app.Reach.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if rebuilt := countersOf(t, a); fmt.Sprint(rebuilt) != fmt.Sprint(incremental) || len(rebuilt) == 0 {
		t.Errorf("reach counters after both instances wrote differ from a rebuild:\n%v\n%v", incremental, rebuilt)
	}
	// Both appended to one audit chain.
	if broken, checked, err := b.app.DB.VerifyAudit(ctx); err != nil || broken != 0 || checked < created {
		t.Errorf("audit chain: broken at %d after %d lines, %v", broken, checked, err)
	}
}

// countersOf reads the reach counters that are not zero, in order.
func countersOf(t *testing.T, e *testEnv) []string {
	t.Helper()
	rows, err := e.app.DB.Read.Query(`SELECT period, programme_id, measure, key, n FROM reach_counts WHERE n <> 0
		ORDER BY period, programme_id, measure, key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k cases.CounterKey
		var n int
		if err := rows.Scan(&k.Period, &k.Programme, &k.Measure, &k.Key, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s/%d/%s/%s=%d", k.Period, k.Programme, k.Measure, k.Key, n))
	}
	return out
}

// Both instances' mail workers send the one outbox, each mail once.
func TestTwoInstancesSendEachMailOnce(t *testing.T) {
	mails := startSMTP(t)
	a := newNotifyEnv(t, NotifyConfig{SMTP: mails.config()})
	b := a.secondInstance()
	a.setMailPreference("hoop.coord", "immediate")
	dock, coord, hoop := a.login("dock.worker"), b.login("hoop.coord"), a.login("hoop.worker")
	for i := range 3 {
		a.handoverLoop(dock, coord, hoop, fmt.Sprintf("Tweemaal%d", i))
	}
	queued := a.count(`SELECT COUNT(*) FROM mail_outbox`)
	if queued == 0 {
		t.Fatal("no mail queued")
	}
	var wg sync.WaitGroup
	for _, e := range []*testEnv{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.app.SendMail(context.Background()); err != nil {
				t.Errorf("send mail: %v", err)
			}
		}()
	}
	wg.Wait()
	got := mails.waitFor(queued, 10*time.Second)
	time.Sleep(100 * time.Millisecond) // a mail sent twice would arrive now
	if got = mails.received(); len(got) != queued {
		t.Errorf("%d mails received for %d queued: %v", len(got), queued, subjects(got))
	}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.MessageID] {
			t.Errorf("mail %s received twice", m.MessageID)
		}
		seen[m.MessageID] = true
	}
	if states := a.outboxStates(); states[cases.MailSent] != queued {
		t.Errorf("outbox after both workers: %v", states)
	}
}
