package app

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHandoverEndToEnd: a DOCK worker hands a resident over to HOOP (Al
// Amal) with consent; HOOP opens it (received), accepts, makes contact and
// completes; the DOCK worker sees every step, the outcome and the note back.
func TestHandoverEndToEnd(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dock, hoop, hoopCoord := env.login("dock.worker"), env.login("hoop.worker"), env.login("hoop.coord")
	// advance moves the clock; sessions idle out, so everyone logs in again.
	advance := func(d time.Duration) {
		env.clock.Advance(d)
		dock, hoop, hoopCoord = env.login("dock.worker"), env.login("hoop.worker"), env.login("hoop.coord")
	}
	residentID := dock.dockResident("El Idrissi")
	dock.newContact("weggeefbus", residentID) // the sender's own contact: never shown to HOOP

	sent := dock.send(handoverBody(residentID, "al-amal"))
	id := sent["id"].(string)
	if sent["state"] != "requested" || sent["direction"] != "outgoing" || sent["resident_id"] != residentID {
		t.Fatalf("sent: %s", mustJSON(t, sent))
	}
	if from := sent["from"].(map[string]any); from["organisation"] != "dock" || from["programme"] != "weggeefbus" || from["worker"] != "dock.worker" {
		t.Errorf("from: %v", from)
	}
	if sent["received_at"] != nil {
		t.Error("received before anyone of HOOP opened it")
	}

	// Listing is not opening: still requested.
	list := hoop.do("GET", "/api/v1/handovers?direction=incoming", nil)
	if list.status != http.StatusOK || !strings.Contains(string(list.body), id) {
		t.Fatalf("HOOP's incoming list: %s", list)
	}
	if dock.getHandover(id)["state"] != "requested" {
		t.Fatal("a list read marked the handover received")
	}

	// HOOP opens it: received, and only what the consent covers.
	advance(90 * time.Minute)
	got := hoop.getHandover(id)
	if got["state"] != "received" || got["direction"] != "incoming" || got["received_at"] == nil {
		t.Fatalf("opened by HOOP: %s", mustJSON(t, got))
	}
	if k := keys(got["shared"]); !slices.Equal(k, []string{"name", "neighbourhood", "phone", "story"}) {
		t.Errorf("shared keys %v", k)
	}
	raw := hoop.do("GET", "/api/v1/handovers/"+id, nil)
	for _, secret := range []string{"PRIVATE-SENDER-NOTE", "1984-06-02", residentID, "Vraag over een betalingsregeling", "gender"} {
		if strings.Contains(string(raw.body), secret) {
			t.Errorf("HOOP sees %q of DOCK's record: %s", secret, raw.body)
		}
	}
	if got["resident_id"] != nil {
		t.Errorf("HOOP sees a resident_id before accepting: %v", got["resident_id"])
	}
	// The sender sees when it arrived.
	if d := dock.getHandover(id); d["state"] != "received" || d["received_at"] == nil {
		t.Fatalf("DOCK after receipt: %s", mustJSON(t, d))
	}

	// The HOOP coordinator accepts and assigns the HOOP worker.
	advance(24 * time.Hour)
	acc := hoopCoord.move(id, "accept", map[string]any{"assignee": "hoop.worker"})
	if acc["state"] != "accepted" || acc["assignee"] != "hoop.worker" || acc["accepted_at"] == nil {
		t.Fatalf("accepted: %s", mustJSON(t, acc))
	}
	// HOOP's own record of the resident: only the consented fields, same person.
	ownID, _ := acc["resident_id"].(string)
	if ownID == "" || ownID == residentID {
		t.Fatalf("receiver's record: %q", ownID)
	}
	rec := hoop.do("GET", "/api/v1/residents/"+ownID, nil).json()
	if rec["given_name"] != "Amina" || rec["family_name"] != "El Idrissi" || rec["phone"] != "06-12345678" ||
		rec["neighbourhood"] != "zambesibuurt" || rec["birth_date"] != nil || rec["note"] != "" || rec["gender"] != nil {
		t.Errorf("receiver's record holds more or less than the consent: %s", mustJSON(t, rec))
	}
	if env.personOf(ownID) != env.personOf(residentID) {
		t.Error("the receiver's record is not linked to the same person: reach would count twice")
	}
	if dock.do("GET", "/api/v1/residents/"+ownID, nil).status != http.StatusNotFound {
		t.Error("DOCK can read HOOP's record")
	}

	// The HOOP worker makes the first contact: a contact of HOOP's programme.
	advance(24 * time.Hour)
	at := env.clock.Now().Add(-2 * time.Hour).Format(time.RFC3339)
	ct := hoop.move(id, "contacted", map[string]any{"at": at, "how": "phone-introduction", "note": "Gebeld, afspraak gemaakt."})
	fc := ct["first_contact"].(map[string]any)
	if ct["state"] != "contacted" || fc["how"] != "phone-introduction" || fc["note"] != "Gebeld, afspraak gemaakt." {
		t.Fatalf("contacted: %s", mustJSON(t, ct))
	}
	contactID := fc["contact_id"].(string)
	contact := hoop.do("GET", "/api/v1/contacts/"+contactID, nil).json()
	if contact["programme"] != "hoop" || contact["kind"] != "telefoon" || contact["resident_id"] != ownID ||
		contact["neighbourhood"] != "zambesibuurt" || contact["worker"] != "hoop.worker" ||
		mustJSON(t, contact["topics"]) != `["armoederegelingen","schulden"]` {
		t.Errorf("the logged contact: %s", mustJSON(t, contact))
	}
	// The sender sees that contact was made, not the receiver's note.
	d := dock.getHandover(id)
	dfc := d["first_contact"].(map[string]any)
	if d["state"] != "contacted" || dfc["how"] != "phone-introduction" || dfc["note"] != nil || dfc["contact_id"] != nil {
		t.Errorf("DOCK after contact: %s", mustJSON(t, d))
	}

	// Completed, with an outcome and a note back.
	advance(72 * time.Hour)
	done := hoop.move(id, "complete", map[string]any{"outcome": "regeling-aangevraagd", "note": "Aanvraag Utrechtse Energietoeslag gedaan."})
	if done["state"] != "completed" {
		t.Fatalf("completed: %s", mustJSON(t, done))
	}
	d = dock.getHandover(id)
	if d["state"] != "completed" || d["outcome"] != "regeling-aangevraagd" ||
		d["completion_note"] != "Aanvraag Utrechtse Energietoeslag gedaan." || d["completed_at"] == nil {
		t.Errorf("DOCK sees: %s", mustJSON(t, d))
	}
	for _, stamp := range []string{"requested_at", "received_at", "accepted_at", "contacted_at", "completed_at"} {
		if d[stamp] == nil {
			t.Errorf("timestamp %s not kept", stamp)
		}
	}
	if d["declined_at"] != nil || d["withdrawn_at"] != nil || d["overdue"] != false {
		t.Errorf("DOCK sees: %s", mustJSON(t, d))
	}
	// DOCK's outgoing list shows it completed.
	out := dock.do("GET", "/api/v1/handovers?direction=outgoing&state=completed", nil).json()
	if hs := out["handovers"].([]any); len(hs) != 1 || hs[0].(map[string]any)["id"] != id {
		t.Errorf("outgoing completed: %s", mustJSON(t, out))
	}

	// Every move is in the audit log, in order, with who.
	want := []string{"create", "read", "receive", "read", "read", "read", "accept", "contact", "read", "complete", "read"}
	if got := env.auditActions("handover", id); !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
	var who string
	if err := env.app.DB.Read.QueryRow(`SELECT username FROM audit_log WHERE entity = 'handover' AND entity_id = ? AND action = 'accept'`, id).Scan(&who); err != nil || who != "hoop.coord" {
		t.Errorf("accept audited as %q (%v)", who, err)
	}

	// Survives a restart.
	env.restart()
	dock = env.login("dock.worker")
	if dock.getHandover(id)["state"] != "completed" {
		t.Error("lost after restart")
	}
}

// TestHandoverDeclineAndRedirect: HOOP declines with a reason; DOCK sees it
// and redirects the resident to the Buurtteam, linked to the first handover.
func TestHandoverDeclineAndRedirect(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dock, hoop, bt := env.login("dock.worker"), env.login("hoop.worker"), env.login("buurtteam.worker")
	residentID := dock.dockResident("Yilmaz")
	id := dock.send(handoverBody(residentID, "al-amal"))["id"].(string)

	// Redirect before a decline is not a move of the state machine.
	res := dock.do("POST", "/api/v1/handovers/"+id+"/redirect", redirectBody("buurtteam"))
	if res.status != http.StatusConflict || res.errorCode() != "not_allowed" {
		t.Fatalf("redirect while requested: %s", res)
	}
	// "other" needs a note; nothing is written.
	before := env.fingerprint(true)
	res = hoop.do("POST", "/api/v1/handovers/"+id+"/decline", map[string]any{"reason": "other"})
	if res.status != http.StatusUnprocessableEntity || res.field("note") == "" {
		t.Fatalf("decline other without note: %s", res)
	}
	if env.fingerprint(true) != before {
		t.Error("a refused decline wrote something")
	}
	dec := hoop.move(id, "decline", map[string]any{"reason": "no capacity", "note": "Wachtlijst tot juni."})
	if dec["state"] != "declined" || dec["decline_reason"] != "no_capacity" {
		t.Fatalf("declined: %s", mustJSON(t, dec))
	}
	d := dock.getHandover(id)
	if d["state"] != "declined" || d["decline_reason"] != "no_capacity" || d["decline_note"] != "Wachtlijst tot juni." || d["declined_at"] == nil {
		t.Fatalf("DOCK sees: %s", mustJSON(t, d))
	}

	// The receiver cannot redirect; the same partner is refused.
	if res := hoop.do("POST", "/api/v1/handovers/"+id+"/redirect", redirectBody("buurtteam")); res.status != http.StatusForbidden {
		t.Errorf("receiver redirects: %s", res)
	}
	if res := dock.do("POST", "/api/v1/handovers/"+id+"/redirect", redirectBody("al-amal")); res.status != http.StatusUnprocessableEntity || res.field("to") == "" {
		t.Errorf("redirect to the same partner: %s", res)
	}
	// A redirect needs consent of its own.
	if res := dock.do("POST", "/api/v1/handovers/"+id+"/redirect", map[string]any{"to": "buurtteam"}); res.status != http.StatusUnprocessableEntity || res.field("consent") == "" {
		t.Errorf("redirect without consent: %s", res)
	}

	res = dock.do("POST", "/api/v1/handovers/"+id+"/redirect", redirectBody("buurtteam"))
	if res.status != http.StatusCreated {
		t.Fatalf("redirect: %s", res)
	}
	second := res.json()
	newID := second["id"].(string)
	if second["redirected_from"] != id || second["state"] != "requested" || second["to"].(map[string]any)["organisation"] != "buurtteam" ||
		second["question"] != d["question"] || mustJSON(t, second["topics"]) != mustJSON(t, d["topics"]) {
		t.Errorf("second handover: %s", mustJSON(t, second))
	}
	if k := keys(second["shared"]); !slices.Equal(k, []string{"name", "phone", "story"}) {
		t.Errorf("second handover shares %v", k)
	}
	if dock.getHandover(id)["redirected_to"] != newID {
		t.Error("the first handover does not link to the second")
	}
	if res := dock.do("POST", "/api/v1/handovers/"+id+"/redirect", redirectBody("voedselbank")); res.status != http.StatusConflict {
		t.Errorf("second redirect: %s", res)
	}
	// The Buurtteam sees the new handover, not the declined one.
	if bt.getHandover(newID)["state"] != "received" {
		t.Error("Buurtteam cannot open the redirected handover")
	}
	if res := bt.do("GET", "/api/v1/handovers/"+id, nil); res.status != http.StatusNotFound {
		t.Errorf("Buurtteam reads the first handover: %s", res)
	}
	// And HOOP does not see the second.
	if res := hoop.do("GET", "/api/v1/handovers/"+newID, nil); res.status != http.StatusNotFound {
		t.Errorf("HOOP reads the redirected handover: %s", res)
	}
}

// TestHandoverMovesRefused: moves outside the state machine answer 409
// naming the current state; the wrong side or role answers 403; nothing is
// written either way.
func TestHandoverMovesRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dock, hoop, hoopCoord := env.login("dock.worker"), env.login("hoop.worker"), env.login("hoop.coord")
	dockCoord := env.login("dock.coord")
	for _, tc := range []struct {
		state, move string
		c           *client
		body        any
		status      int
		contains    string // in the Dutch message
	}{
		{"requested", "complete", hoop, map[string]any{"outcome": "informatie-gegeven"}, http.StatusConflict, "verzonden"},
		{"requested", "contacted", hoop, map[string]any{"how": "drop-in"}, http.StatusConflict, "verzonden"},
		{"completed", "withdraw", dock, map[string]any{"reason": "Te laat."}, http.StatusConflict, "afgerond"},
		{"completed", "decline", hoop, map[string]any{"reason": "not_eligible"}, http.StatusConflict, "afgerond"},
		{"declined", "accept", hoop, map[string]any{}, http.StatusConflict, "afgewezen"},
		{"withdrawn", "accept", hoop, map[string]any{}, http.StatusConflict, "ingetrokken"},
		{"contacted", "accept", hoop, map[string]any{}, http.StatusConflict, "contact gelegd"},
		{"accepted", "accept", hoopCoord, map[string]any{}, http.StatusConflict, "geaccepteerd"},
		{"requested", "accept", dock, map[string]any{}, http.StatusForbidden, "ontvangende organisatie"},
		{"requested", "accept", dockCoord, map[string]any{}, http.StatusForbidden, "ontvangende organisatie"},
		{"received", "withdraw", hoop, map[string]any{"reason": "Niet voor ons."}, http.StatusForbidden, "verzendende organisatie"},
		{"declined", "redirect", hoopCoord, redirectBody("buurtteam"), http.StatusForbidden, "verzendende organisatie"},
	} {
		id := env.handoverIn(tc.state, dock, hoop)
		before := env.fingerprint(false)
		res := tc.c.do("POST", "/api/v1/handovers/"+id+"/"+tc.move, tc.body)
		if res.status != tc.status || !strings.Contains(res.message(), tc.contains) {
			t.Errorf("%s on %s: %s, want %d mentioning %q", tc.move, tc.state, res, tc.status, tc.contains)
		}
		if env.fingerprint(false) != before {
			t.Errorf("%s on %s: a refused move changed data", tc.move, tc.state)
		}
	}
	// English too.
	id := env.handoverIn("completed", dock, hoop)
	res := dock.withLang("en").do("POST", "/api/v1/handovers/"+id+"/withdraw", map[string]any{"reason": "x"})
	if res.status != http.StatusConflict || !strings.Contains(res.message(), "state: completed") {
		t.Errorf("English 409: %s", res)
	}
}
