package app

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
)

func TestContactIdempotent(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.login("hoop.worker")
	resident := c.newResident(nil)
	body := contactBody("hoop", resident)
	body["topics"] = []string{"schulden", "rondkomen"} // not in sorted order
	body["outcomes"] = []string{"informatie-gegeven"}

	first := c.do("POST", "/api/v1/contacts", body)
	if first.status != http.StatusCreated {
		t.Fatalf("create: %s", first)
	}
	for range 3 {
		again := c.do("POST", "/api/v1/contacts", body)
		if again.status != http.StatusOK {
			t.Fatalf("repeat: %s", again)
		}
		if string(again.body) != string(first.body) {
			t.Errorf("a repeat answers differently:\n%s\n%s", first.body, again.body)
		}
	}
	// A retry with other content (a tablet's second attempt after an edit)
	// still answers the stored contact and changes nothing.
	changed := contactBody("hoop", "")
	changed["id"] = body["id"]
	if res := c.do("POST", "/api/v1/contacts", changed); res.status != http.StatusOK || res.json()["resident_id"] != resident {
		t.Errorf("repeat with other content: %s", res)
	}
	// Upper-case spelling of the same UUID is the same contact.
	upper := contactBody("hoop", resident)
	upper["id"] = upperUUID(body["id"].(string))
	if res := c.do("POST", "/api/v1/contacts", upper); res.status != http.StatusOK || res.json()["id"] != body["id"] {
		t.Errorf("upper-case id: %s", res)
	}
	// Without outcomes: an empty list, first time and on a repeat.
	bare := contactBody("hoop", "")
	delete(bare, "outcomes")
	r1, r2 := c.do("POST", "/api/v1/contacts", bare), c.do("POST", "/api/v1/contacts", bare)
	if r1.status != http.StatusCreated || r2.status != http.StatusOK || string(r1.body) != string(r2.body) {
		t.Errorf("contact without outcomes:\n%s\n%s", r1, r2)
	}
	if outcomes, ok := r1.json()["outcomes"].([]any); !ok || len(outcomes) != 0 {
		t.Errorf("outcomes of a contact without outcomes: %s", r1.body)
	}
	// A retry arriving after the contact's time has left the window is
	// still recognised.
	env.clock.Advance(100 * 24 * time.Hour)
	c = env.login("hoop.worker")
	if res := c.do("POST", "/api/v1/contacts", body); res.status != http.StatusOK {
		t.Errorf("late retry: %s", res)
	}
	if n := env.count(`SELECT COUNT(*) FROM contacts WHERE id = ?`, body["id"]); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
	if n := env.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND entity = 'contact' AND entity_id = ?`, body["id"]); n != 1 {
		t.Errorf("%d create audit rows, want 1", n)
	}
}

func upperUUID(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch >= 'a' && ch <= 'f' {
			b[i] = ch - 'a' + 'A'
		}
	}
	return string(b)
}

func TestContactConcurrentRetries(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tablets := []*client{env.login("hoop.worker"), env.login("hoop.worker")} // two sessions of one worker
	body := contactBody("hoop", "")
	const n = 24
	var wg sync.WaitGroup
	statuses := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := tablets[i%2].try("POST", "/api/v1/contacts", body)
			statuses[i], errs[i] = res.status, err
		}()
	}
	close(start)
	wg.Wait()
	created, repeated := 0, 0
	for i := range n {
		switch {
		case errs[i] != nil:
			t.Errorf("request %d: %v", i, errs[i])
		case statuses[i] == http.StatusCreated:
			created++
		case statuses[i] == http.StatusOK:
			repeated++
		default:
			t.Errorf("request %d: status %d", i, statuses[i])
		}
	}
	if created != 1 || repeated != n-1 {
		t.Errorf("%d created and %d repeats, want 1 and %d", created, repeated, n-1)
	}
	if got := env.count(`SELECT COUNT(*) FROM contacts WHERE id = ?`, body["id"]); got != 1 {
		t.Errorf("%d rows, want 1", got)
	}
	if got := env.count(`SELECT COUNT(*) FROM contact_topics WHERE contact_id = ?`, body["id"]); got != 2 {
		t.Errorf("%d topic rows, want 2", got)
	}
}

func TestContactCorrection(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	if _, err := env.app.CreateUser(ctx, cases.UserInput{Username: "hoop.worker2", DisplayName: "Tweede HOOP-werker",
		Organisation: "al-amal", Programme: "hoop", Roles: []string{cases.RoleWorker}, Password: demo.Password}); err != nil {
		t.Fatal(err)
	}
	author, colleague, coord := env.login("hoop.worker"), env.login("hoop.worker2"), env.login("hoop.coord")
	resident := author.newResident(nil)
	id := author.newContact("hoop", resident)
	path := "/api/v1/contacts/" + id

	env.clock.Advance(20 * time.Minute) // within the sessions' idle time
	at := env.clock.Now().Add(-30 * time.Minute).Truncate(time.Second)
	res := author.do("PATCH", path, map[string]any{
		"version": 1, "note": "Toch over de huur.", "topics": []string{"verhuizen-renovatie"},
		"outcomes": []string{"warme-overdracht"}, "kind": "huisbezoek",
		"occurred_at": at.In(cases.Amsterdam).Format(time.RFC3339),
	})
	if res.status != http.StatusOK {
		t.Fatalf("correct: %s", res)
	}
	got := res.json()
	if got["version"] != float64(2) || got["note"] != "Toch over de huur." || got["kind"] != "huisbezoek" ||
		got["occurred_at"] != at.UTC().Format(time.RFC3339) || got["resident_id"] != resident {
		t.Errorf("corrected: %s", res.body)
	}
	history, _ := got["history"].([]any)
	if len(history) != 1 {
		t.Fatalf("history: %s", res.body)
	}
	prev := history[0].(map[string]any)
	if prev["version"] != float64(1) || prev["note"] != "Vraag over een betalingsregeling." || prev["kind"] != "deur-aan-deur" ||
		prev["changed_by"] != "hoop.worker" || len(prev["topics"].([]any)) != 2 {
		t.Errorf("previous version: %v", prev)
	}
	// The answer is what a read answers.
	if read := author.do("GET", path, nil); string(read.body) != string(res.body) {
		t.Errorf("PATCH answered\n%s\nGET answers\n%s", res.body, read.body)
	}
	// A stale version is refused.
	if res := author.do("PATCH", path, map[string]any{"version": 1, "note": "oud"}); res.status != http.StatusConflict {
		t.Errorf("stale version: %s", res)
	}
	// Nobody but the author corrects, not even the coordinator.
	before := env.fingerprint(false)
	for name, c := range map[string]*client{"colleague": colleague, "coordinator": coord} {
		if res := c.do("PATCH", path, map[string]any{"note": "niet van mij"}); res.status != http.StatusForbidden || res.errorCode() != "forbidden" {
			t.Errorf("%s corrects: %s", name, res)
		}
	}
	if env.fingerprint(false) != before {
		t.Error("a refused correction changed data")
	}
	// Within 7 days, a second correction adds to the history.
	env.clock.Advance(6*24*time.Hour + 22*time.Hour)
	author = env.login("hoop.worker")
	res = author.do("PATCH", path, map[string]any{"outcomes": []string{}})
	if res.status != http.StatusOK || res.json()["version"] != float64(3) || len(res.json()["history"].([]any)) != 2 {
		t.Fatalf("second correction: %s", res)
	}
	// After 7 days: 409.
	env.clock.Advance(2 * time.Hour)
	author = env.login("hoop.worker")
	before = env.fingerprint(false)
	if res := author.do("PATCH", path, map[string]any{"note": "te laat"}); res.status != http.StatusConflict || res.errorCode() != "conflict" {
		t.Errorf("correction after 7 days: %s", res)
	}
	if env.fingerprint(false) != before {
		t.Error("a late correction changed data")
	}
	if n := env.count(`SELECT COUNT(*) FROM contact_versions WHERE contact_id = ?`, id); n != 2 {
		t.Errorf("%d stored versions, want 2", n)
	}
}

func TestContactVoid(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker, coord, dockCoord := env.login("hoop.worker"), env.login("hoop.coord"), env.login("dock.coord")
	id := worker.newContact("hoop", "")
	path := "/api/v1/contacts/" + id

	before := env.fingerprint(false)
	if res := worker.do("POST", path+"/void", map[string]any{"reason": "dubbel"}); res.status != http.StatusForbidden {
		t.Errorf("worker voids: %s", res)
	}
	if res := dockCoord.do("POST", path+"/void", map[string]any{"reason": "dubbel"}); res.status != http.StatusNotFound {
		t.Errorf("another organisation's coordinator voids: %s", res)
	}
	if res := coord.do("POST", path+"/void", map[string]any{}); res.status != http.StatusUnprocessableEntity || res.field("reason") == "" {
		t.Errorf("void without reason: %s", res)
	}
	if env.fingerprint(false) != before {
		t.Error("a refused void changed data")
	}

	res := coord.do("POST", path+"/void", map[string]any{"reason": "  Dubbel ingevoerd.  "})
	if res.status != http.StatusOK || res.json()["void_reason"] != "Dubbel ingevoerd." || res.json()["voided_at"] != env.clock.Now().UTC().Format(time.RFC3339) {
		t.Fatalf("void: %s", res)
	}
	if read := worker.do("GET", path, nil); string(read.body) != string(res.body) {
		t.Errorf("void answered\n%s\nGET answers\n%s", res.body, read.body)
	}
	before = env.fingerprint(false)
	if res := coord.do("POST", path+"/void", map[string]any{"reason": "nog eens"}); res.status != http.StatusConflict {
		t.Errorf("second void: %s", res)
	}
	if res := worker.do("PATCH", path, map[string]any{"note": "na vervallen"}); res.status != http.StatusConflict {
		t.Errorf("correcting a voided contact: %s", res)
	}
	if env.fingerprint(false) != before {
		t.Error("a refused change to a voided contact changed data")
	}
	// A voided contact is kept: still listed, marked void.
	list := worker.do("GET", "/api/v1/contacts", nil)
	contacts := list.json()["contacts"].([]any)
	if len(contacts) != 1 || contacts[0].(map[string]any)["voided_at"] == nil {
		t.Errorf("list after void: %s", list)
	}
	var deleteErr error
	_, deleteErr = env.app.DB.Write.Exec(`DELETE FROM contacts WHERE id = ?`, id)
	if deleteErr == nil {
		t.Error("contacts can be deleted")
	}
}

func TestContactList(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker, coord := env.login("hoop.worker"), env.login("hoop.coord")
	r1, r2 := worker.newResident(nil), worker.newResident(nil)
	now := env.clock.Now()
	post := func(c *client, resident string, at time.Time) string {
		b := contactBody("hoop", resident)
		b["occurred_at"] = at.Format(time.RFC3339)
		res := c.do("POST", "/api/v1/contacts", b)
		if res.status != http.StatusCreated {
			t.Fatalf("create: %s", res)
		}
		return b["id"].(string)
	}
	a := post(worker, r1, now.Add(-48*time.Hour))
	b := post(worker, r1, now.Add(-time.Hour))
	cc := post(coord, r2, now.Add(-2*time.Hour))
	ids := func(res response) []string {
		if res.status != http.StatusOK {
			t.Fatalf("list: %s", res)
		}
		var out []string
		for _, c := range res.json()["contacts"].([]any) {
			out = append(out, c.(map[string]any)["id"].(string))
		}
		return out
	}
	check := func(query string, want ...string) {
		t.Helper()
		got := ids(worker.do("GET", "/api/v1/contacts"+query, nil))
		if len(got) != len(want) {
			t.Errorf("%s: got %v, want %v", query, got, want)
			return
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: got %v, want %v (newest first)", query, got, want)
				return
			}
		}
	}
	check("", b, cc, a)
	check("?resident_id="+r1, b, a)
	check("?resident_id="+upperUUID(r1), b, a)
	check("?mine=true", b, a)
	check("?limit=1", b)
	today := now.In(cases.Amsterdam).Format(time.DateOnly)
	check("?from="+today, b, cc)
	check("?to="+now.Add(-24*time.Hour).In(cases.Amsterdam).Format(time.DateOnly), a)
	check("?from="+now.Add(-3*time.Hour).UTC().Format(time.RFC3339)+"&to="+now.Add(-90*time.Minute).UTC().Format(time.RFC3339), cc)
}
