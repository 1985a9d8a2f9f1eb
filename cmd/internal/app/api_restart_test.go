package app

import (
	"net/http"
	"testing"
)

// TestDataSurvivesRestart: records, contacts with their history, voids,
// person links, sessions and idempotency keys are all in the database file.
func TestDataSurvivesRestart(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker, coord, dock := env.login("hoop.worker"), env.login("hoop.coord"), env.login("dock.worker")
	a := worker.newResident(map[string]any{"given_name": "Petra", "family_name": "van Dijk", "birth_date": "1950-05-05", "note": "Hoort slecht."})
	b := dock.newResident(map[string]any{"given_name": "P.", "family_name": "Dijk, van", "birth_date": "1950-05-05"})
	body := contactBody("hoop", a)
	if res := worker.do("POST", "/api/v1/contacts", body); res.status != http.StatusCreated {
		t.Fatalf("contact: %s", res)
	}
	contact := body["id"].(string)
	worker.do("PATCH", "/api/v1/contacts/"+contact, map[string]any{"note": "Gecorrigeerd."})
	voided := worker.newContact("hoop", "")
	coord.do("POST", "/api/v1/contacts/"+voided+"/void", map[string]any{"reason": "Test."})

	reads := []string{"/api/v1/residents/" + a, "/api/v1/contacts/" + contact, "/api/v1/contacts/" + voided,
		"/api/v1/contacts?resident_id=" + a, "/api/v1/residents?q=dijk"}
	before := map[string]string{}
	for _, path := range reads {
		res := worker.do("GET", path, nil)
		if res.status != http.StatusOK {
			t.Fatalf("%s: %s", path, res)
		}
		before[path] = string(res.body)
	}
	person := env.personOf(a)

	env.restart()

	// The session is stored server-side: the same cookie still works.
	for _, path := range reads {
		res := worker.do("GET", path, nil)
		if res.status != http.StatusOK || string(res.body) != before[path] {
			t.Errorf("%s after restart:\n%s\nbefore:\n%s", path, res, before[path])
		}
	}
	if env.personOf(a) != person || env.personOf(b) != person {
		t.Error("person links changed on restart")
	}
	// The same tablet retrying after the restart creates nothing.
	if res := worker.do("POST", "/api/v1/contacts", body); res.status != http.StatusOK {
		t.Errorf("retry after restart: %s", res)
	}
	// The pseudonym key is the same after the restart.
	c := env.login("bhb.worker").newResident(map[string]any{"family_name": "VAN DIJK", "birth_date": "1950-05-05"})
	if env.personOf(c) != person {
		t.Error("a record registered after the restart is not linked")
	}
}
