package app

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

// Helpers of the handover_*_test.go files.

// coveredElsewhere lists API routes whose authorisation matrix is not
// TestAuthorisationMatrix's resident-and-contact fixture, with the test that
// covers them instead. Handover routes need a handover in a given state, a
// sending and a receiving organisation: TestHandoverAuthorisation walks
// every route × role × own/receiving/third organisation.
var coveredElsewhere = map[string]string{}

func init() {
	for _, r := range handoverRoutes {
		coveredElsewhere[r.key] = "TestHandoverAuthorisation"
	}
}

// handoverRoute is one handover API route with a valid body for it.
type handoverRoute struct {
	key  string // "METHOD /path" as in the router, {id} for the handover
	body func(env *testEnv) any
	// ok is the status of a successful call; side is who may make it on a
	// fresh handover in state: "sender", "receiver" or "" (no handover).
	ok    int
	side  string
	state string
}

var handoverRoutes = []handoverRoute{
	{key: "POST /api/v1/handovers", ok: http.StatusCreated},
	{key: "GET /api/v1/handovers", ok: http.StatusOK},
	{key: "GET /api/v1/handovers/{id}", ok: http.StatusOK, side: "either", state: "requested"},
	{key: "POST /api/v1/handovers/{id}/accept", ok: http.StatusOK, side: "receiver", state: "requested",
		body: func(*testEnv) any { return map[string]any{} }},
	{key: "POST /api/v1/handovers/{id}/contacted", ok: http.StatusOK, side: "receiver", state: "accepted",
		body: func(*testEnv) any { return map[string]any{"how": "phone-introduction", "note": "Gebeld."} }},
	{key: "POST /api/v1/handovers/{id}/complete", ok: http.StatusOK, side: "receiver", state: "contacted",
		body: func(*testEnv) any { return map[string]any{"outcome": "informatie-gegeven", "note": "Geholpen."} }},
	{key: "POST /api/v1/handovers/{id}/decline", ok: http.StatusOK, side: "receiver", state: "received",
		body: func(*testEnv) any { return map[string]any{"reason": "no_capacity", "note": "Vol."} }},
	{key: "POST /api/v1/handovers/{id}/withdraw", ok: http.StatusOK, side: "sender", state: "requested",
		body: func(*testEnv) any { return map[string]any{"reason": "Dubbel verstuurd."} }},
	{key: "POST /api/v1/handovers/{id}/consent/withdraw", ok: http.StatusOK, side: "sender", state: "requested",
		body: func(*testEnv) any { return map[string]any{"note": "Bewoner belde."} }},
	{key: "POST /api/v1/handovers/{id}/consent/renew", ok: http.StatusOK, side: "sender", state: "accepted",
		body: func(*testEnv) any { return map[string]any{"how": "written"} }},
	{key: "POST /api/v1/handovers/{id}/redirect", ok: http.StatusCreated, side: "sender", state: "declined",
		body: func(*testEnv) any { return redirectBody("buurtteam") }},
}

func consentBody(scope ...string) map[string]any {
	if scope == nil {
		scope = []string{}
	}
	return map[string]any{"given": true, "how": "verbal", "scope": scope}
}

func redirectBody(to string) map[string]any {
	return map[string]any{"to": to, "consent": consentBody("name", "phone", "story")}
}

// handoverBody is a valid new handover of residentID to organisation to.
func handoverBody(residentID, to string, scope ...string) map[string]any {
	if scope == nil {
		scope = []string{"name", "phone", "neighbourhood", "story"}
	}
	b := map[string]any{
		"resident_id": residentID, "to": to, "topics": []string{"schulden", "armoederegelingen"},
		"question":              "Mevrouw wil hulp bij een betalingsachterstand en weet niet welke regelingen er zijn.",
		"urgency":               "normal",
		"preferred_contact_way": "home-visit", "preferred_contact_time": "dinsdagochtend",
		"consent": consentBody(scope...),
	}
	if slices.Contains(scope, "story") {
		b["story"] = "Ontmoet bij de Weggeefbus. Heeft drie kinderen, werkt parttime, post blijft liggen."
	}
	return b
}

// dockResident registers a resident at the sender's organisation with every
// field filled in, including a private note that must never travel.
func (c *client) dockResident(family string) string {
	c.env.t.Helper()
	return c.newResident(map[string]any{
		"given_name": "Amina", "family_name": family, "birth_date": "1984-06-02", "phone": "06-12345678",
		"neighbourhood": "zambesibuurt", "gender": "vrouw", "note": "PRIVATE-SENDER-NOTE: alleen voor DOCK",
	})
}

// send posts a new handover and returns its JSON.
func (c *client) send(body map[string]any) map[string]any {
	c.env.t.Helper()
	res := c.do("POST", "/api/v1/handovers", body)
	if res.status != http.StatusCreated {
		c.env.t.Fatalf("send handover: %s", res)
	}
	return res.json()
}

// move posts a move and fails the test unless it answers 200.
func (c *client) move(id, move string, body any) map[string]any {
	c.env.t.Helper()
	res := c.do("POST", "/api/v1/handovers/"+id+"/"+move, body)
	if res.status != http.StatusOK {
		c.env.t.Fatalf("%s %s: %s", move, id, res)
	}
	return res.json()
}

// get reads a handover and fails the test unless it answers 200.
func (c *client) getHandover(id string) map[string]any {
	c.env.t.Helper()
	res := c.do("GET", "/api/v1/handovers/"+id, nil)
	if res.status != http.StatusOK {
		c.env.t.Fatalf("get handover %s: %s", id, res)
	}
	return res.json()
}

// handoverIn brings a fresh handover from dock to al-amal into state.
func (e *testEnv) handoverIn(state string, dock, hoop *client) string {
	e.t.Helper()
	h := dock.send(handoverBody(dock.dockResident("Fixture"), "al-amal"))
	id := h["id"].(string)
	steps := map[string][]func(){
		"requested": nil,
		"received":  {func() { hoop.getHandover(id) }},
		"accepted":  {func() { hoop.move(id, "accept", map[string]any{}) }},
		"contacted": {func() { hoop.move(id, "accept", map[string]any{}) },
			func() { hoop.move(id, "contacted", map[string]any{"how": "drop-in"}) }},
		"completed": {func() { hoop.move(id, "accept", map[string]any{}) },
			func() { hoop.move(id, "contacted", map[string]any{"how": "drop-in"}) },
			func() { hoop.move(id, "complete", map[string]any{"outcome": "informatie-gegeven"}) }},
		"declined":  {func() { hoop.move(id, "decline", map[string]any{"reason": "not_eligible"}) }},
		"withdrawn": {func() { dock.move(id, "withdraw", map[string]any{"reason": "Vergissing."}) }},
	}
	s, ok := steps[state]
	if !ok {
		e.t.Fatalf("no way to state %s", state)
	}
	for _, step := range s {
		step()
	}
	return id
}

// keys returns the keys of a JSON object, sorted.
func keys(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// auditActions lists the audit log's actions on one handover, oldest first.
func (e *testEnv) auditActions(entity, id string) []string {
	e.t.Helper()
	rows, err := e.app.DB.Read.Query(`SELECT action FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id`, entity, id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
