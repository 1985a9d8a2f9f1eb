package app

import (
	"net/http"
	"testing"
)

func TestLoginAndLogAnonymousContact(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.login("hoop.worker")
	res := c.do("POST", "/api/v1/contacts", map[string]any{
		"id": "6f1c1a52-8a0e-4d59-9b8e-2a1d3c4b5e6f", "programme": "hoop", "neighbourhood": "zambesibuurt",
		"kind": "deur-aan-deur", "anonymous": true, "topics": []string{"schulden"},
	})
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	again := c.do("POST", "/api/v1/contacts", map[string]any{
		"id": "6f1c1a52-8a0e-4d59-9b8e-2a1d3c4b5e6f", "programme": "hoop", "neighbourhood": "zambesibuurt",
		"kind": "deur-aan-deur", "anonymous": true, "topics": []string{"schulden"},
	})
	if again.status != http.StatusOK {
		t.Fatalf("repeat: %d %s", again.status, again.body)
	}
	env.restart()
	c = env.login("hoop.worker")
	got := c.do("GET", "/api/v1/contacts/6f1c1a52-8a0e-4d59-9b8e-2a1d3c4b5e6f", nil)
	if got.status != http.StatusOK || got.json()["programme"] != "hoop" {
		t.Fatalf("after restart: %d %s", got.status, got.body)
	}
}
