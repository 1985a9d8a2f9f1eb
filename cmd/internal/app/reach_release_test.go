package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cases"
)

// TestReachReleaseConflicts: the moves of a release that are not allowed
// answer 4xx in Dutch (and English) and write nothing: publishing again
// with nothing changed, discarding a published version, a new draft while
// fewer than 10 persons' figures changed (the difference between two
// versions would single them out). With enough changed, a draft is made;
// monitor tokens still read the published version only, and every release
// of the year passes the audit together.
func TestReachReleaseConflicts(t *testing.T) {
	env := newTestEnv(t)
	worker := env.login("hoop.worker")
	prog := env.login("programme")
	admin := env.login("admin")
	_, token := env.newReachToken(admin)
	person := 0
	addPersons := func(n int) {
		t.Helper()
		for range n {
			person++
			res := worker.newResident(map[string]any{"given_name": "Bewoner", "family_name": fmt.Sprintf("Versie %d", person),
				"birth_date": "1975-04-04", "neighbourhood": "zambesibuurt"})
			body := contactBody("hoop", res)
			body["occurred_at"] = time.Date(2025, 2, 1+person%20, 10, 0, 0, 0, cases.Amsterdam).Format(time.RFC3339)
			if r := worker.do("POST", "/api/v1/contacts", body); r.status != http.StatusCreated {
				t.Fatalf("contact: %s", r)
			}
		}
	}
	addPersons(40)
	q1 := map[string]any{"period": "2025-Q1"}
	if res := prog.do("POST", "/api/v1/reach/publish", q1); res.status != http.StatusCreated || res.json()["version"].(float64) != 1 {
		t.Fatalf("publish: %s", res)
	}
	refused := func(what string, res response, status int, dutch, english string, again func() response) {
		t.Helper()
		if res.status != status || !strings.Contains(res.errorMessage(), dutch) {
			t.Errorf("%s: %s, want %d saying %q", what, res, status, dutch)
		}
		if en := again(); en.status != status || !strings.Contains(en.errorMessage(), english) {
			t.Errorf("%s in English: %s, want %q", what, en, english)
		}
	}
	releases := func() int { return env.count(`SELECT COUNT(*) FROM reach_releases`) }
	before, n := env.fingerprint(false), releases()
	refused("publishing again unchanged", prog.do("POST", "/api/v1/reach/publish", q1), http.StatusConflict,
		"minstens 10 personen", "at least 10 persons",
		func() response { return prog.withLang("en").do("POST", "/api/v1/reach/publish", q1) })
	refused("discarding the published version", prog.do("POST", "/api/v1/reach/drafts/1/discard", q1), http.StatusConflict,
		"geen concept", "not (or no longer) a draft",
		func() response { return prog.withLang("en").do("POST", "/api/v1/reach/drafts/1/discard", q1) })
	if env.fingerprint(false) != before || releases() != n {
		t.Error("a refused move wrote something")
	}

	// One person more: a second version would show that person's
	// neighbourhood, age and gender as the difference.
	addPersons(1)
	n = releases()
	refused("a draft one person after the last version", prog.do("POST", "/api/v1/reach/drafts", q1), http.StatusConflict,
		"minstens 10 personen", "at least 10 persons",
		func() response { return prog.withLang("en").do("POST", "/api/v1/reach/drafts", q1) })
	if releases() != n {
		t.Error("a refused draft was stored")
	}
	addPersons(9)
	res := prog.do("POST", "/api/v1/reach/drafts", q1)
	if res.status != http.StatusCreated || res.json()["version"].(float64) != 2 || res.json()["status"] != cases.ReleaseDraft {
		t.Fatalf("draft after 10 persons: %s", res)
	}
	read := func(c func(path string) response, query string) cases.ReachTable {
		t.Helper()
		r := c("/api/v1/reach?period=2025-Q1&table=T1" + query)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %s", query, r)
		}
		var tab cases.ReachTable
		if err := json.Unmarshal(r.body, &tab); err != nil {
			t.Fatal(err)
		}
		return tab
	}
	asProg := func(path string) response { return prog.do("GET", path, nil) }
	asToken := func(path string) response { return env.bearer(token, "GET", path, nil) }
	if tab := read(asProg, ""); tab.Status != cases.ReachPublished || tab.Version != 1 {
		t.Errorf("default answer with a draft beside the published version: %s v%d", tab.Status, tab.Version)
	}
	if tab := read(asProg, "&version=2"); tab.Status != cases.ReleaseDraft || tab.Version != 2 {
		t.Errorf("the draft: %s v%d", tab.Status, tab.Version)
	}
	if tab := read(asToken, ""); tab.Status != cases.ReachPublished || tab.Version != 1 {
		t.Errorf("token: %s v%d", tab.Status, tab.Version)
	}
	if r := asToken("/api/v1/reach?period=2025-Q1&table=T1&version=2"); r.status != http.StatusNotFound {
		t.Errorf("token on a draft: %s", r)
	}
	// Discarded, it stays a release the next one is protected against;
	// discarding it twice is refused.
	if r := prog.do("POST", "/api/v1/reach/drafts/2/discard", q1); r.status != http.StatusOK || r.json()["status"] != cases.ReleaseDiscarded {
		t.Fatalf("discard: %s", r)
	}
	if r := prog.do("POST", "/api/v1/reach/drafts/2/discard", q1); r.status != http.StatusConflict {
		t.Errorf("discarding twice: %s", r)
	}
	if r := prog.do("POST", "/api/v1/reach/publish", q1); r.status != http.StatusConflict {
		t.Errorf("publishing right after a discarded draft of the same figures: %s", r)
	}
	env.auditYear(2025)
}
