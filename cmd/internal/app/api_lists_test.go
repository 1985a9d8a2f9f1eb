package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// Lists through the API (issue 13): cursors, page sizes, strict filters,
// handovers by resident, duplicates and merging.

// TestListQueriesRefused: a page size above the maximum, an unknown or
// repeated parameter and a cursor that is none are 422 naming them, in
// Dutch and English, and write nothing.
func TestListQueriesRefused(t *testing.T) {
	env := newTestEnv(t)
	worker := env.login("hoop.worker")
	worker.newResident(nil)
	for _, tc := range []struct{ path, field, nl, en string }{
		{"/api/v1/residents?limit=101", "limit", "tussen 1-100", "between 1-100"},
		{"/api/v1/residents?limit=0", "limit", "positief", "positive"},
		{"/api/v1/residents?limt=5", "limt", "Onbekende parameter", "Unknown parameter"},
		{"/api/v1/residents?q=a&q=b", "q", "meer dan één keer", "more than once"},
		{"/api/v1/residents?neighbourhood=atlantis", "neighbourhood", "Onbekende waarde", "Unknown value"},
		{"/api/v1/residents?cursor=bm9wZQ", "cursor", "Begin de lijst opnieuw", "Start the list again"},
		{"/api/v1/residents?no_contact=true&last_contact_from=2025-01-01", "no_contact", "Nooit contact", "Never contacted"},
		{"/api/v1/contacts?limit=501", "limit", "tussen 1-500", "between 1-500"},
		{"/api/v1/contacts?worker=dock.worker", "worker", "Onbekende waarde", "Unknown value"},
		{"/api/v1/contacts?mine=true&worker=hoop.coord", "worker", "mijn contacten", "my contacts"},
		{"/api/v1/contacts?topic=geen", "topic", "Onbekende waarde", "Unknown value"},
		{"/api/v1/contacts?sort=oldest", "sort", "Onbekende parameter", "Unknown parameter"},
		{"/api/v1/contacts?cursor=" + url.QueryEscape("eyJrIjpbIngiLCJ5Il0sIm4iOjB9"), "cursor", "vervolgpagina", "next page"},
		{"/api/v1/handovers?resident=" + uuid.NewString(), "resident", "Onbekende parameter", "Unknown parameter"},
		{"/api/v1/handovers?resident_id=" + uuid.NewString(), "resident_id", "niet bekend", "not known"},
		{"/api/v1/handovers?state=open&limit=900", "limit", "tussen 1-500", "between 1-500"},
		{"/api/v1/residents/matches?birth_year=1990", "family_name", "verplicht", "required"},
	} {
		before := env.fingerprint(false)
		res := worker.do("GET", tc.path, nil)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.field(tc.field), tc.nl) {
			t.Errorf("%s: %s, want 422 naming %s (%q)", tc.path, res, tc.field, tc.nl)
		}
		if en := worker.withLang("en").do("GET", tc.path, nil); !strings.Contains(en.field(tc.field), tc.en) {
			t.Errorf("%s in English: %s", tc.path, en)
		}
		if env.fingerprint(false) != before {
			t.Errorf("%s: a refused list wrote something", tc.path)
		}
	}
	if res := worker.do("GET", "/api/v1/residents?limit=100", nil); res.status != http.StatusOK {
		t.Errorf("limit 100: %s", res)
	}
}

// TestContactCursorAPI: paging through the API with next_cursor reaches
// every contact once; the total is on every page.
func TestContactCursorAPI(t *testing.T) {
	env := newTestEnv(t)
	worker := env.login("hoop.worker")
	r := worker.newResident(nil)
	want := map[string]bool{}
	for range 23 {
		want[worker.newContact("hoop", r)] = true // all at the test clock's one moment: ties
	}
	seen := map[string]bool{}
	path := "/api/v1/contacts?limit=5&resident_id=" + r
	for pages := 0; ; pages++ {
		res := worker.do("GET", path, nil)
		if res.status != http.StatusOK || res.json()["total"].(float64) != 23 {
			t.Fatalf("page %d: %s", pages, res)
		}
		for _, c := range res.json()["contacts"].([]any) {
			id := c.(map[string]any)["id"].(string)
			if seen[id] || !want[id] {
				t.Errorf("contact %s again, or not ours", id)
			}
			seen[id] = true
		}
		next, _ := res.json()["next_cursor"].(string)
		if next == "" {
			break
		}
		path = "/api/v1/contacts?limit=5&resident_id=" + r + "&cursor=" + url.QueryEscape(next)
	}
	if len(seen) != 23 {
		t.Errorf("saw %d of 23", len(seen))
	}
}

// TestHandoversOfResident: GET /api/v1/handovers?resident_id= lists the
// record's handovers only, on either side; a second open handover of the
// same record to the same partner is 422 naming resident_id and writes
// nothing; another organisation's own record of the person may still go.
func TestHandoversOfResident(t *testing.T) {
	env := newTestEnv(t)
	dock, hoop := env.login("dock.worker"), env.login("hoop.worker")
	a, b := dock.dockResident("Eerste"), dock.dockResident("Tweede")
	first := dock.send(handoverBody(a, "al-amal"))["id"].(string)
	toBT := dock.send(handoverBody(a, "buurtteam"))["id"].(string)
	dock.send(handoverBody(b, "al-amal"))
	ids := func(c *client, q string) []string {
		t.Helper()
		res := c.do("GET", "/api/v1/handovers?"+q, nil)
		if res.status != http.StatusOK {
			t.Fatalf("%s: %s", q, res)
		}
		var out []string
		for _, h := range res.json()["handovers"].([]any) {
			out = append(out, h.(map[string]any)["id"].(string))
		}
		return out
	}
	if got := ids(dock, "resident_id="+a); len(got) != 2 || !strings.Contains(strings.Join(got, " "), first) ||
		!strings.Contains(strings.Join(got, " "), toBT) {
		t.Errorf("the sender's record: %v", got)
	}
	before := env.fingerprint(false)
	again := dock.do("POST", "/api/v1/handovers", handoverBody(a, "al-amal"))
	if again.status != http.StatusUnprocessableEntity || !strings.Contains(again.field("resident_id"), "Al Amal") {
		t.Errorf("second open handover: %s", again)
	}
	if env.fingerprint(false) != before {
		t.Error("the refused handover wrote something")
	}
	// The receiver's own record, made on acceptance, has the incoming one.
	rec := hoop.move(first, "accept", map[string]any{})["resident_id"].(string)
	if got := ids(hoop, "resident_id="+rec); len(got) != 1 || got[0] != first {
		t.Errorf("the receiver's record: %v", got)
	}
	// HOOP sends its own record of the person on to DOCK: allowed, and
	// nothing of DOCK's other handovers is said.
	if res := hoop.do("POST", "/api/v1/handovers", handoverBody(rec, "buurtteam")); res.status != http.StatusCreated {
		t.Errorf("the receiver sends its own record on: %s", res)
	}
}

// TestMergeAPI: a coordinator merges a duplicate; a worker may not; the
// merged record points at the one kept and its contacts moved.
func TestMergeAPI(t *testing.T) {
	env := newTestEnv(t)
	worker, coord, dock := env.login("hoop.worker"), env.login("hoop.coord"), env.login("dock.coord")
	person := map[string]any{"given_name": "Fatima", "family_name": "El Idrissi", "birth_date": "1990-04-01", "neighbourhood": "zambesibuurt"}
	kept, twin := worker.newResident(person), worker.newResident(person)
	contact := worker.newContact("hoop", twin)
	if res := worker.do("GET", "/api/v1/residents/matches?family_name=el-idrissi&birth_year=1990", nil); res.status != http.StatusOK ||
		len(res.json()["residents"].([]any)) != 2 {
		t.Errorf("matches: %s", res)
	}
	if res := dock.do("GET", "/api/v1/residents/matches?family_name=El%20Idrissi&birth_date=1990-04-01", nil); res.status != http.StatusOK ||
		len(res.json()["residents"].([]any)) != 0 {
		t.Errorf("another organisation's matches: %s", res)
	}
	before := env.fingerprint(false)
	for _, tc := range []struct {
		c      *client
		path   string
		body   any
		status int
	}{
		{worker, "/api/v1/residents/" + twin + "/merge", map[string]any{"into": kept}, http.StatusForbidden},
		{dock, "/api/v1/residents/" + twin + "/merge", map[string]any{"into": kept}, http.StatusNotFound},
		{coord, "/api/v1/residents/" + twin + "/merge", map[string]any{"into": twin}, http.StatusUnprocessableEntity},
		{coord, "/api/v1/residents/" + twin + "/merge", map[string]any{"into": uuid.NewString()}, http.StatusUnprocessableEntity},
		{coord, "/api/v1/residents/" + twin + "/merge", map[string]any{"into": kept, "extra": 1}, http.StatusUnprocessableEntity},
		{coord, "/api/v1/residents/" + twin + "/merge", map[string]any{}, http.StatusUnprocessableEntity},
	} {
		if res := tc.c.do("POST", tc.path, tc.body); res.status != tc.status {
			t.Errorf("%v: %s, want %d", tc.body, res, tc.status)
		}
	}
	if env.fingerprint(false) != before {
		t.Error("a refused merge wrote something")
	}
	res := coord.do("POST", "/api/v1/residents/"+twin+"/merge", map[string]any{"into": kept})
	if res.status != http.StatusOK || res.json()["moved"].(map[string]any)["contacts"].(float64) != 1 {
		t.Fatalf("merge: %s", res)
	}
	if got := worker.do("GET", "/api/v1/residents/"+twin, nil).json(); got["merged_into"] != kept {
		t.Errorf("the merged record: %v", got)
	}
	if got := worker.do("GET", "/api/v1/contacts/"+contact, nil).json(); got["resident_id"] != kept {
		t.Errorf("the moved contact: %v", got)
	}
	if again := coord.do("POST", "/api/v1/residents/"+twin+"/merge", map[string]any{"into": kept}); again.status != http.StatusConflict {
		t.Errorf("merged twice: %s", again)
	}
	if got := env.auditActions("resident", twin); !strings.Contains(strings.Join(got, " "), "merged") {
		t.Errorf("the merge is not audited on the merged record: %v", got)
	}
}
