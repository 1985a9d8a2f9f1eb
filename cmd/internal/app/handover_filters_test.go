package app

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestHandoverPageFilters: the worker's inbox and the coordinator's review
// take the API's filters (resident, state, partner, age) and narrow their
// lists with them; a wrong filter is shown at its field, in Dutch and
// English; an unknown parameter is refused naming it.
func TestHandoverPageFilters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	api := env.login("dock.worker")
	a, b, later := api.dockResident("Filterveld"), api.dockResident("Anderveld"), api.dockResident("Laterveld")
	aToAmal := api.send(handoverBody(a, "al-amal"))["id"].(string)
	bToAmal := api.send(handoverBody(b, "al-amal"))["id"].(string)
	aToBT := api.send(handoverBody(a, "buurtteam"))["id"].(string)
	env.clock.Advance(72 * time.Hour) // the sessions end: log in again
	api = env.login("dock.worker")
	bLater := api.send(handoverBody(later, "al-amal"))["id"].(string)
	api.move(bToAmal, "withdraw", map[string]any{"reason": "Per ongeluk."})

	worker, coord := env.pageLogin("dock.worker"), env.pageLogin("dock.coord")
	all := []string{aToAmal, bToAmal, aToBT, bLater}
	for _, tc := range []struct {
		who  *client
		path string
		want []string
	}{
		{worker, "/handovers", all},
		{worker, "/handovers?resident_id=" + a, []string{aToAmal, aToBT}},
		{worker, "/handovers?partner=buurtteam", []string{aToBT}},
		{worker, "/handovers?state=withdrawn", []string{bToAmal}},
		{worker, "/handovers?state=open&partner=al-amal", []string{aToAmal, bLater}},
		{worker, "/handovers?min_age_days=2", []string{aToAmal, bToAmal, aToBT}},
		{coord, "/handovers/review?state=all", all},
		{coord, "/handovers/review?resident_id=" + a, []string{aToAmal, aToBT}},
		{coord, "/handovers/review?resident_id=" + a + "&partner=al-amal", []string{aToAmal}},
		{coord, "/handovers/review?state=all&min_age_days=2&partner=al-amal", []string{aToAmal, bToAmal}},
	} {
		res := tc.who.get(tc.path)
		if res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tc.path, res.status, res.body)
		}
		for _, id := range all {
			if shown, want := strings.Contains(string(res.body), "/handovers/"+id), slices.Contains(tc.want, id); shown != want {
				t.Errorf("%s: handover %s shown %v, want %v", tc.path, id, shown, want)
			}
		}
		if strings.Contains(tc.path, "resident_id") {
			pageHas(t, tc.path, res.body, "Alleen overdrachten van Amina Filterveld", `name="resident_id" value="`+a+`"`)
		}
	}
	// The resident's page leads to its handovers in the list.
	pageHas(t, "resident page", worker.get("/residents/"+a).body, "/handovers?resident_id="+a)

	for _, tc := range []struct{ path, nl, en string }{
		{"/handovers?partner=atlantis", "Onbekende waarde", "Unknown value"},
		{"/handovers?state=nope", "Onbekende waarde", "Unknown value"},
		{"/handovers?min_age_days=-1", "tussen", "within"},
		{"/handovers?sort=oldest", "Onbekende parameter", "Unknown parameter"},
		{"/handovers?resident_id=nope", "moet een UUID zijn", "must be a UUID"},
		{"/handovers/review?resident_id=" + uuid.NewString(), "niet bekend", "not known"},
		{"/handovers/review?sort=oldest", "Onbekende parameter", "Unknown parameter"},
	} {
		who := worker
		if strings.HasPrefix(tc.path, "/handovers/review") {
			who = coord
		}
		res := who.get(tc.path)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), tc.nl) {
			t.Errorf("%s: %d, want 422 saying %q", tc.path, res.status, tc.nl)
		}
		if en := who.withLang("en").get(tc.path); en.status != http.StatusUnprocessableEntity || !strings.Contains(string(en.body), tc.en) {
			t.Errorf("%s in English: %d, want %q", tc.path, en.status, tc.en)
		}
	}
}
