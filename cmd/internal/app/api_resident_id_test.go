package app

import (
	"net/http"
	"strings"
	"testing"
)

// TestResidentClientID: a tablet may name a new record with its own UUID, so
// that a registration retried after a lost answer (the offline outbox)
// creates nothing the second time.
func TestResidentClientID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	hoop := env.login("hoop.worker")
	const id = "6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f"

	first := hoop.do("POST", "/api/v1/residents", map[string]any{"id": id, "given_name": "Bas", "family_name": "Nieuwkomer"})
	if first.status != http.StatusCreated || first.json()["id"] != id {
		t.Fatalf("first post: %d %s", first.status, first.body)
	}
	if loc := first.header.Get("Location"); loc != "/api/v1/residents/"+id {
		t.Errorf("Location %q", loc)
	}
	// The retry answers the stored record, whatever it says now, and in any case.
	for _, retry := range []map[string]any{
		{"id": id, "given_name": "Bas", "family_name": "Nieuwkomer"},
		{"id": strings.ToUpper(id), "given_name": "Anders", "family_name": "Genoemd"},
		{"id": id, "given_name": "", "family_name": ""}, // would not pass now
	} {
		res := hoop.do("POST", "/api/v1/residents", retry)
		if res.status != http.StatusOK || res.json()["id"] != id || res.json()["family_name"] != "Nieuwkomer" {
			t.Errorf("retry %v: %d %s", retry, res.status, res.body)
		}
	}
	if list := hoop.do("GET", "/api/v1/residents?q=nieuwkomer", nil).json()["residents"].([]any); len(list) != 1 {
		t.Errorf("%d records, want 1", len(list))
	}
	// Another organisation cannot take the id, nor learn whose it is.
	dock := env.login("dock.worker")
	res := dock.do("POST", "/api/v1/residents", map[string]any{"id": id, "given_name": "Iemand"})
	if res.status != http.StatusUnprocessableEntity || res.field("id") == "" || strings.Contains(string(res.body), "Nieuwkomer") {
		t.Errorf("another organisation's id: %d %s", res.status, res.body)
	}
	// Not a UUID: refused at the field.
	if res := hoop.do("POST", "/api/v1/residents", map[string]any{"id": "abc", "given_name": "X"}); res.status != http.StatusUnprocessableEntity || res.field("id") == "" {
		t.Errorf("id abc: %d %s", res.status, res.body)
	}
	// Without an id the server picks one, as before.
	if res := hoop.do("POST", "/api/v1/residents", map[string]any{"given_name": "Zonder"}); res.status != http.StatusCreated || res.json()["id"] == id {
		t.Errorf("without id: %d %s", res.status, res.body)
	}
}
