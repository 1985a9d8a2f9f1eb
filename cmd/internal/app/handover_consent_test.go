package app

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestHandoverConsentGate: without given consent nothing is written.
func TestHandoverConsentGate(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dock := env.login("dock.worker")
	residentID := dock.dockResident("Bakker")
	for _, tc := range []struct {
		name    string
		consent any // nil: no consent key at all
		field   string
	}{
		{"no consent", nil, "consent"},
		{"consent not given", map[string]any{"given": false, "how": "verbal", "scope": []string{"name"}}, "consent.given"},
		{"given left out", map[string]any{"how": "verbal", "scope": []string{"name"}}, "consent.given"},
		{"consent null", "null", "consent"},
	} {
		body := handoverBody(residentID, "al-amal", "name")
		switch c := tc.consent.(type) {
		case nil:
			delete(body, "consent")
		case string:
			body["consent"] = nil
		default:
			body["consent"] = c
		}
		before := env.fingerprint(true)
		res := dock.do("POST", "/api/v1/handovers", body)
		if res.status != http.StatusUnprocessableEntity || res.field(tc.field) == "" {
			t.Errorf("%s: %s, want 422 naming %s", tc.name, res, tc.field)
		}
		if env.fingerprint(true) != before {
			t.Errorf("%s: something was written (audit included)", tc.name)
		}
	}
	if n := env.count(`SELECT COUNT(*) FROM handovers`); n != 0 {
		t.Fatalf("%d handovers written", n)
	}
	// The message says why, in Dutch and in English.
	body := handoverBody(residentID, "al-amal", "name")
	body["consent"] = map[string]any{"given": false, "how": "verbal", "scope": []string{}}
	if msg := dock.do("POST", "/api/v1/handovers", body).field("consent.given"); !strings.Contains(msg, "toestemming") {
		t.Errorf("Dutch message: %q", msg)
	}
	if msg := dock.withLang("en").do("POST", "/api/v1/handovers", body).field("consent.given"); !strings.Contains(msg, "consent") {
		t.Errorf("English message: %q", msg)
	}
}

// TestHandoverFieldScoping: the receiver's view holds exactly the consented
// fields, and the sender's record stays out of it.
func TestHandoverFieldScoping(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dock, hoop := env.login("dock.worker"), env.login("hoop.worker")
	for _, scope := range [][]string{
		{},
		{"name"},
		{"phone"},
		{"birth_date", "neighbourhood"},
		{"name", "story"},
		{"name", "phone", "birth_date", "neighbourhood", "story"},
	} {
		residentID := dock.dockResident("Scope")
		body := handoverBody(residentID, "al-amal", scope...)
		body["preferred_contact_way"] = "drop-in"
		id := dock.send(body)["id"].(string)
		got := hoop.getHandover(id)
		want := slices.Clone(scope)
		slices.Sort(want)
		if k := keys(got["shared"]); !slices.Equal(k, want) {
			t.Errorf("scope %v: receiver sees %v", scope, k)
		}
		if mustJSON(t, got["consent"].(map[string]any)["scope"]) != mustJSON(t, scope) {
			t.Errorf("scope %v: consent record %v", scope, got["consent"])
		}
		// Only consented values were copied at all.
		var phone, birth, story *string
		if err := env.app.DB.Read.QueryRow(`SELECT shared_phone, shared_birth_date, shared_story FROM handovers WHERE id = ?`, id).
			Scan(&phone, &birth, &story); err != nil {
			t.Fatal(err)
		}
		if (phone != nil) != slices.Contains(scope, "phone") || (birth != nil) != slices.Contains(scope, "birth_date") ||
			(story != nil) != slices.Contains(scope, "story") {
			t.Errorf("scope %v: stored phone=%v birth=%v story=%v", scope, phone, birth, story)
		}
		raw := string(hoop.do("GET", "/api/v1/handovers/"+id, nil).body)
		if strings.Contains(raw, "PRIVATE-SENDER-NOTE") || strings.Contains(raw, residentID) {
			t.Errorf("scope %v: the sender's record leaks: %s", scope, raw)
		}
		if !slices.Contains(scope, "birth_date") && strings.Contains(raw, "1984") {
			t.Errorf("scope %v: birth date leaks", scope)
		}
		// The list shows the same view.
		list := hoop.do("GET", "/api/v1/handovers?direction=incoming", nil).json()
		for _, h := range list["handovers"].([]any) {
			if hm := h.(map[string]any); hm["id"] == id && !slices.Equal(keys(hm["shared"]), want) {
				t.Errorf("scope %v: list shows %v", scope, keys(hm["shared"]))
			}
		}
		// Accepting gives HOOP a record with those fields only.
		rec := hoop.do("GET", "/api/v1/residents/"+hoop.move(id, "accept", map[string]any{})["resident_id"].(string), nil).json()
		if (rec["given_name"] != "") != slices.Contains(scope, "name") || (rec["phone"] != "") != slices.Contains(scope, "phone") ||
			(rec["birth_date"] != nil) != slices.Contains(scope, "birth_date") || (rec["neighbourhood"] != "") != slices.Contains(scope, "neighbourhood") {
			t.Errorf("scope %v: receiver's record %s", scope, mustJSON(t, rec))
		}
	}
}

// TestHandoverConsentWithdrawal: withdrawing consent withdraws an open
// handover and hides (erases) the shared fields at once; either side may
// record it; once is enough.
func TestHandoverConsentWithdrawal(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dock, hoop := env.login("dock.worker"), env.login("hoop.worker")

	id := dock.send(handoverBody(dock.dockResident("Jansen"), "al-amal"))["id"].(string)
	if len(keys(hoop.getHandover(id)["shared"])) != 4 {
		t.Fatal("receiver does not see the shared fields before withdrawal")
	}
	w := dock.move(id, "consent/withdraw", map[string]any{"note": "Bewoner belde: wil het toch niet."})
	if w["state"] != "withdrawn" || w["withdrawn_at"] == nil {
		t.Fatalf("after consent withdrawal: %s", mustJSON(t, w))
	}
	got := hoop.getHandover(id)
	if k := keys(got["shared"]); len(k) != 0 {
		t.Errorf("receiver still sees %v", k)
	}
	c := got["consent"].(map[string]any)
	if c["withdrawn_at"] == nil || c["withdrawn_by"] != "dock.worker" {
		t.Errorf("consent: %v", c)
	}
	raw := string(hoop.do("GET", "/api/v1/handovers/"+id, nil).body)
	for _, s := range []string{"Amina", "Jansen", "06-12345678", "Weggeefbus. Heeft"} {
		if strings.Contains(raw, s) {
			t.Errorf("receiver still sees %q", s)
		}
	}
	if n := env.count(`SELECT COUNT(*) FROM handovers WHERE id = ? AND shared_given_name IS NULL AND shared_family_name IS NULL
		AND shared_phone IS NULL AND shared_neighbourhood_id IS NULL AND shared_story IS NULL`, id); n != 1 {
		t.Error("the shared copy was not erased")
	}
	if res := dock.do("POST", "/api/v1/handovers/"+id+"/consent/withdraw", map[string]any{}); res.status != http.StatusConflict {
		t.Errorf("second withdrawal: %s", res)
	}
	if res := hoop.do("POST", "/api/v1/handovers/"+id+"/accept", map[string]any{}); res.status != http.StatusConflict {
		t.Errorf("accepting a withdrawn handover: %s", res)
	}

	// The receiver may record it too, after acceptance; a completed handover
	// keeps its state but loses the shared fields.
	id2 := env.handoverIn("accepted", dock, hoop)
	if w := hoop.move(id2, "consent/withdraw", map[string]any{}); w["state"] != "withdrawn" {
		t.Errorf("receiver's withdrawal: %v", w["state"])
	}
	id3 := env.handoverIn("completed", dock, hoop)
	w3 := dock.move(id3, "consent/withdraw", map[string]any{"note": "AVG-verzoek"})
	if w3["state"] != "completed" || len(keys(hoop.getHandover(id3)["shared"])) != 0 {
		t.Errorf("completed handover after withdrawal: %s", mustJSON(t, w3))
	}
	if got := env.auditActions("handover", id); !slices.Contains(got, "withdraw_consent") {
		t.Errorf("audit: %v", got)
	}
}

// TestHandoverBadInputs: every bad input answers 422 (or 400 for unreadable
// JSON) naming the field, and writes nothing.
func TestHandoverBadInputs(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dock, hoop := env.login("dock.worker"), env.login("hoop.worker")
	residentID := dock.dockResident("Invoer")
	foreign := hoop.newResident(nil)
	base := func() map[string]any { return handoverBody(residentID, "al-amal") }
	with := func(k string, v any) map[string]any { b := base(); b[k] = v; return b }
	without := func(k string) map[string]any { b := base(); delete(b, k); return b }
	withConsent := func(k string, v any) map[string]any {
		b := base()
		c := b["consent"].(map[string]any)
		c[k] = v
		return b
	}
	create := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"missing resident", without("resident_id"), 422, "resident_id"},
		{"resident not a uuid", with("resident_id", "42"), 422, "resident_id"},
		{"another organisation's resident", with("resident_id", foreign), 422, "resident_id"},
		{"unknown resident", with("resident_id", "6f1c1a52-8a0e-4d59-9b8e-2a1d3c4b5e6f"), 422, "resident_id"},
		{"missing partner", without("to"), 422, "to"},
		{"unknown partner", with("to", "nergens"), 422, "to"},
		{"own organisation", with("to", "dock"), 422, "to"},
		{"programme of the partner", with("to_programme", "weggeefbus"), 422, "to_programme"},
		{"sender's programme of another organisation", with("programme", "hoop"), 422, "programme"},
		{"no topics", with("topics", []string{}), 422, "topics"},
		{"unknown topic", with("topics", []string{"schulden", "onbekend"}), 422, "topics[1]"},
		{"duplicate topics", with("topics", []string{"schulden", "schulden"}), 422, "topics"},
		{"missing question", without("question"), 422, "question"},
		{"question of 501 characters", with("question", strings.Repeat("v", 501)), 422, "question"},
		{"story of 4,001 characters", with("story", strings.Repeat("v", 4001)), 422, "story"},
		{"control characters", with("story", "a\x1b[31m"), 422, "story"},
		{"urgency", with("urgency", "morgen"), 422, "urgency"},
		{"contact way", with("preferred_contact_way", "duif"), 422, "preferred_contact_way"},
		{"unknown field", with("bsn", "123456789"), 422, "bsn"},
		{"wrong type", with("topics", "schulden"), 422, "topics"},
		{"consent how", withConsent("how", "knikte"), 422, "consent.how"},
		{"consent scope", withConsent("scope", []string{"bsn"}), 422, "consent.scope[0]"},
		{"consent in the future", withConsent("at", "2030-01-01T10:00:00+01:00"), 422, "consent.at"},
		{"consent time", withConsent("at", "gisteren"), 422, "consent.at"},
		{"consent unknown field", withConsent("signature", "x"), 422, "signature"},
		{"malformed JSON", `{"resident_id":`, 400, ""},
		{"a 1 MB body", `{"question":"` + strings.Repeat("x", 1<<20) + `"}`, 413, ""},
	}
	for _, tc := range create {
		before := env.fingerprint(true)
		res := dock.do("POST", "/api/v1/handovers", tc.body)
		if res.status != tc.status || (tc.field != "" && res.field(tc.field) == "") {
			t.Errorf("create, %s: %s, want %d naming %q", tc.name, res, tc.status, tc.field)
		}
		if env.fingerprint(true) != before {
			t.Errorf("create, %s: something was written", tc.name)
		}
	}

	moves := []struct {
		name, state, move string
		c                 *client
		body              any
		field             string
	}{
		{"unknown assignee", "received", "accept", hoop, map[string]any{"assignee": "dock.worker"}, "assignee"},
		{"assignee no user", "received", "accept", hoop, map[string]any{"assignee": "niemand"}, "assignee"},
		{"programme user as assignee", "received", "accept", hoop, map[string]any{"assignee": "programme"}, "assignee"},
		{"assignee type", "received", "accept", hoop, map[string]any{"assignee": 7}, "assignee"},
		{"contacted without how", "accepted", "contacted", hoop, map[string]any{"note": "x"}, "how"},
		{"contacted how", "accepted", "contacted", hoop, map[string]any{"how": "postduif"}, "how"},
		{"contacted in the future", "accepted", "contacted", hoop, map[string]any{"how": "drop-in", "at": "2030-01-01T10:00:00Z"}, "at"},
		{"contacted before sending", "accepted", "contacted", hoop, map[string]any{"how": "drop-in", "at": "2025-03-01T10:00:00Z"}, "at"},
		{"contacted time", "accepted", "contacted", hoop, map[string]any{"how": "drop-in", "at": "straks"}, "at"},
		{"contacted neighbourhood", "accepted", "contacted", hoop, map[string]any{"how": "drop-in", "neighbourhood": "nergens"}, "neighbourhood"},
		{"complete without outcome", "contacted", "complete", hoop, map[string]any{"note": "x"}, "outcome"},
		{"complete unknown outcome", "contacted", "complete", hoop, map[string]any{"outcome": "blij"}, "outcome"},
		{"complete note", "contacted", "complete", hoop, map[string]any{"outcome": "informatie-gegeven", "note": strings.Repeat("n", 2001)}, "note"},
		{"decline without reason", "received", "decline", hoop, map[string]any{"note": "x"}, "reason"},
		{"decline reason", "received", "decline", hoop, map[string]any{"reason": "zin"}, "reason"},
		{"withdraw without reason", "requested", "withdraw", dock, map[string]any{}, "reason"},
		{"withdraw reason too long", "requested", "withdraw", dock, map[string]any{"reason": strings.Repeat("r", 501)}, "reason"},
		{"consent withdrawal note", "requested", "consent/withdraw", dock, map[string]any{"note": strings.Repeat("r", 501)}, "note"},
		{"redirect to unknown", "declined", "redirect", dock, map[string]any{"to": "nergens", "consent": consentBody()}, "to"},
		{"redirect consent not given", "declined", "redirect", dock, map[string]any{"to": "buurtteam", "consent": map[string]any{"how": "verbal"}}, "consent.given"},
		{"unknown field", "received", "accept", hoop, map[string]any{"assignee": "hoop.worker", "priority": 1}, "priority"},
	}
	for _, tc := range moves {
		id := env.handoverIn(tc.state, dock, hoop)
		before := env.fingerprint(true)
		res := tc.c.do("POST", "/api/v1/handovers/"+id+"/"+tc.move, tc.body)
		if res.status != http.StatusUnprocessableEntity || res.field(tc.field) == "" {
			t.Errorf("%s: %s, want 422 naming %s", tc.name, res, tc.field)
		}
		if env.fingerprint(true) != before {
			t.Errorf("%s: something was written", tc.name)
		}
	}

	// List filters.
	for _, q := range []struct{ query, field string }{
		{"direction=sideways", "direction"}, {"state=lost", "state"}, {"overdue=yes", "overdue"},
		{"partner=nergens", "partner"}, {"limit=0", "limit"}, {"min_age_days=-1", "min_age_days"},
	} {
		if res := dock.do("GET", "/api/v1/handovers?"+q.query, nil); res.status != 422 || res.field(q.field) == "" {
			t.Errorf("list ?%s: %s", q.query, res)
		}
	}
	// Unknown or malformed IDs answer 404, like another organisation's.
	for _, id := range []string{"42", "6f1c1a52-8a0e-4d59-9b8e-2a1d3c4b5e6f", "../../etc"} {
		if res := dock.do("GET", "/api/v1/handovers/"+id, nil); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %s", id, res)
		}
	}
}
