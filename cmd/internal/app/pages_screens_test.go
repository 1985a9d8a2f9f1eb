package app

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The screens of issue 13 through the real server, as HTML: the contact
// page, the resident's story, merging from the page, and the smaller fixes.

// TestContactPageCorrectVoid: the author corrects within the window, a
// coordinator voids with a reason, both through the page; the history
// keeps the earlier version; rows of every contact list open the page.
func TestContactPageCorrectVoid(t *testing.T) {
	env := newTestEnv(t)
	api := env.login("hoop.worker")
	resident := pgResident(t, api, "Chaima", "Proef", "1990-07-15")
	id := api.newContact("hoop", resident)
	worker, wt := formLogin(t, env, "hoop.worker")
	coord, ct := formLogin(t, env, "hoop.coord")

	for _, list := range []string{"/contacts", "/residents/" + resident} {
		pageHas(t, list, worker.get(list).body, `href="/contacts/`+id+`"`)
	}
	page := worker.get("/contacts/" + id)
	pageHas(t, "the author's contact page", page.body, "Vraag over een betalingsregeling.", "Corrigeren",
		`action="/contacts/`+id+`/correct"`, "Dit contact is niet gecorrigeerd.", "Chaima Proef")
	pageLacks(t, "the author's contact page", page.body, `action="/contacts/`+id+`/void"`)
	form := url.Values{"csrf_token": {wt}, "version": {"1"}, "programme": {"hoop"}, "occurred_at": {"2025-03-12T11:00"},
		"neighbourhood": {"zambesibuurt"}, "kind": {"deur-aan-deur"}, "topics": {"schulden", "rondkomen"},
		"note": {"Vraag over een betalingsregeling."}}
	// Nothing changed: said so, nothing written.
	before := env.fingerprint(false)
	if res := worker.postForm("/contacts/"+id+"/correct", form); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(res.body), "Er is niets om te wijzigen") {
		t.Errorf("an empty correction: %d", res.status)
	}
	form.Del("topics")
	if res := worker.postForm("/contacts/"+id+"/correct", form); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(res.body), "<details open>") ||
		!strings.Contains(string(res.body), `href="/lang/en?back=%2fcontacts%2f`+id+`"`) {
		t.Errorf("a correction without topics: %d, or its language switch leaves the page", res.status)
	}
	if env.fingerprint(false) != before {
		t.Error("a refused correction wrote something")
	}
	form["topics"] = []string{"taal"}
	form.Set("note", "Wil taalles.")
	if res := worker.postForm("/contacts/"+id+"/correct", form); res.status != http.StatusSeeOther ||
		res.header.Get("Location") != "/contacts/"+id+"?done=correct" {
		t.Fatalf("correct: %d %s", res.status, res.body)
	}
	after := worker.get("/contacts/" + id + "?done=correct")
	pageHas(t, "after the correction", after.body, "De correctie is opgeslagen", "Wil taalles.", "Versie 1",
		"Vraag over een betalingsregeling.", "vervangen op", "Samira (HOOP)")
	// A stale form (version 1 again) is refused.
	form.Set("note", "Een andere correctie.")
	if res := worker.postForm("/contacts/"+id+"/correct", form); res.status != http.StatusConflict {
		t.Errorf("a stale correction: %d", res.status)
	}

	// The coordinator: no correction (not the author), voiding with a reason.
	cp := coord.get("/contacts/" + id)
	pageHas(t, "the coordinator's contact page", cp.body, "Ongeldig maken", `action="/contacts/`+id+`/void"`)
	pageLacks(t, "the coordinator's contact page", cp.body, `action="/contacts/`+id+`/correct"`)
	if res := coord.postForm("/contacts/"+id+"/void", url.Values{"csrf_token": {ct}}); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(res.body), "Reden") {
		t.Errorf("voiding without a reason: %d", res.status)
	}
	if res := worker.postForm("/contacts/"+id+"/void", url.Values{"csrf_token": {wt}, "reason": {"x"}}); res.status != http.StatusForbidden {
		t.Errorf("a worker voids: %d", res.status)
	}
	if res := coord.postForm("/contacts/"+id+"/void", url.Values{"csrf_token": {ct}, "reason": {"Dubbel ingevoerd."}}); res.status != http.StatusSeeOther {
		t.Fatalf("void: %d %s", res.status, res.body)
	}
	pageHas(t, "voided", coord.get("/contacts/"+id).body, "Ongeldig gemaakt op", "Dubbel ingevoerd.")
	pageLacks(t, "voided, for the author", worker.get("/contacts/"+id).body, `action="/contacts/`+id+`/correct"`)
	// Another organisation: the 404 page, with its menu.
	other := env.pageLogin("dock.worker").get("/contacts/" + id)
	if other.status != http.StatusNotFound || strings.Contains(string(other.body), "taalles") {
		t.Errorf("another organisation: %d", other.status)
	}
}

// TestResidentStoryPage: a handover's whole loop in the story of the
// sender's record and of the receiver's, with the open handover said at
// the top while it runs; merging a duplicate from the page.
func TestResidentStoryPage(t *testing.T) {
	env := newTestEnv(t)
	dockAPI, hoopAPI := env.login("dock.worker"), env.login("hoop.worker")
	resident := dockAPI.dockResident("Verhaal")
	dockAPI.newContact("weggeefbus", resident)
	id := dockAPI.send(handoverBody(resident, "al-amal"))["id"].(string)
	dock := env.pageLogin("dock.worker")
	open := dock.get("/residents/" + resident)
	pageHas(t, "story while open", open.body, "Loopt al: overdracht naar Al Amal", "Overdracht naar Al Amal", "Verstuurd",
		`href="/handovers/`+id+`"`, "Mevrouw wil hulp", "Vraag over een betalingsregeling.")
	record := hoopAPI.move(id, "accept", map[string]any{})["resident_id"].(string)
	hoopAPI.move(id, "contacted", map[string]any{"how": "drop-in"})
	hoopAPI.move(id, "complete", map[string]any{"outcome": "schuldhulptraject", "note": "Traject gestart."})
	done := dock.get("/residents/" + resident)
	pageHas(t, "sender's story", done.body, "Afgerond", "Schuldhulptraject gestart", "Traject gestart.",
		"Geaccepteerd · Samira (HOOP)", "Contact gelegd · Spreekuur", "(1 contacten, 1 overdrachten)")
	pageLacks(t, "sender's story", done.body, "Loopt al")
	hoop := env.pageLogin("hoop.worker")
	theirs := hoop.get("/residents/" + record)
	pageHas(t, "receiver's story", theirs.body, "Overdracht van DOCK", "Afgerond", "Traject gestart.")
}

// TestMergePage: a coordinator sees the possible duplicates of a record
// and merges one into it after confirming; a worker sees no merging.
func TestMergePage(t *testing.T) {
	env := newTestEnv(t)
	api := env.login("hoop.worker")
	kept := pgResident(t, api, "Fatima", "El Idrissi", "1990-04-01")
	twin := pgResident(t, api, "Fatima", "El-Idrissi", "1990-04-01")
	api.newContact("hoop", twin)
	pageLacks(t, "worker's page", env.pageLogin("hoop.worker").get("/residents/"+kept).body, "Dubbel dossier samenvoegen")
	coord, ct := formLogin(t, env, "hoop.coord")
	page := coord.get("/residents/" + kept)
	pageHas(t, "coordinator's page", page.body, "Dubbel dossier samenvoegen", "Mogelijk dezelfde persoon",
		`action="/residents/`+twin+`/merge"`)
	form := url.Values{"csrf_token": {ct}, "into": {kept}}
	before := env.fingerprint(false)
	if res := coord.postForm("/residents/"+twin+"/merge", form); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(res.body), "dezelfde persoon gaat") {
		t.Errorf("merge without confirming: %d", res.status)
	}
	if env.fingerprint(false) != before {
		t.Error("an unconfirmed merge wrote something")
	}
	form.Set("confirm", "yes")
	res := coord.postForm("/residents/"+twin+"/merge", form)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/residents/"+kept+"?saved=merge" {
		t.Fatalf("merge: %d %s", res.status, res.body)
	}
	after := coord.get("/residents/" + kept + "?saved=merge")
	pageHas(t, "after merging", after.body, "De dossiers zijn samengevoegd", "Samengevoegde dossiers", `href="/residents/`+twin+`"`,
		"(1 contacten, 0 overdrachten)")
	pageHas(t, "the merged record", coord.get("/residents/"+twin).body, "samengevoegd met een ander dossier", `href="/residents/`+kept+`"`)
	pageLacks(t, "the residents list", coord.get("/residents?q=idrissi").body, `href="/residents/`+twin+`"`)
}

// TestScreenFixes: the smaller things of issue 13, one by one.
func TestScreenFixes(t *testing.T) {
	env := newTestEnv(t)
	dockAPI, hoopAPI := env.login("dock.worker"), env.login("hoop.worker")
	worker, wt := formLogin(t, env, "hoop.worker")
	coord, ct := formLogin(t, env, "hoop.coord")
	resident := pgResident(t, hoopAPI, "Bas", "Voorbeeld", "1975-02-03")

	// The error page of a logged-in user has the menu.
	lost := worker.get("/nergens")
	if lost.status != http.StatusNotFound || !strings.Contains(string(lost.body), `href="/contacts"`) {
		t.Errorf("404 page: %d, menu: %v", lost.status, strings.Contains(string(lost.body), `href="/contacts"`))
	}
	// Switching language keeps the page's query (the period and table of
	// the reach page, the chosen resident of the handover form).
	form := worker.get("/handovers/new?resident_id=" + resident)
	pageHas(t, "language link", form.body, `href="/lang/en?back=%2fhandovers%2fnew%3fresident_id%3d`+resident+`"`)
	if res := worker.get("/lang/en?back=" + url.QueryEscape("/reach?period=2024-H2&table=T2")); res.header.Get("Location") != "/reach?period=2024-H2&table=T2" {
		t.Errorf("language switch goes to %q", res.header.Get("Location"))
	}
	worker.get("/lang/nl?back=/")
	// The consent scope starts empty; the partner's field is named so.
	pageLacks(t, "handover form", form.body, "checked><span>Naam", "checked><span>Telefoonnummer", "checked><span>Verhaal")
	noPartner := worker.postForm("/handovers/new", url.Values{"csrf_token": {wt}, "resident_id": {resident}, "topics": {"schulden"},
		"question": {"Hulp."}, "urgency": {"normal"}, "consent_how": {"verbal"}, "consent_given": {"yes"}})
	if noPartner.status != http.StatusUnprocessableEntity || !strings.Contains(string(noPartner.body), "Partner") ||
		regexp.MustCompile(`field-error" id="err-to">Tot `).Match(noPartner.body) {
		t.Errorf("handover without a partner: %d %s", noPartner.status, regexp.MustCompile(`id="err-to">[^<]*`).Find(noPartner.body))
	}
	// "Nieuw" on the contact form asks for a birth year too.
	pageHas(t, "contact form", worker.get("/contacts/new").body, `id="new-birth_year" name="birth_year"`, `data-window-days="90"`)
	// The two CSV downloads have names of their own.
	prog := env.login("programme")
	names := map[string]bool{}
	for _, d := range []string{"intl", "nl"} {
		res := prog.do("GET", "/api/v1/reach?period=2025-Q1&format=csv&dialect="+d, nil)
		names[res.header.Get("Content-Disposition")] = true
	}
	if len(names) != 2 {
		t.Errorf("CSV downloads named %v", names)
	}

	// The review: open ones by default, assignees by name, "1 werkdag",
	// assigning before acceptance, also from the handover's page.
	open := dockAPI.send(handoverBody(dockAPI.dockResident("Open"), "al-amal"))["id"].(string)
	closed := dockAPI.send(handoverBody(dockAPI.dockResident("Dicht"), "al-amal"))["id"].(string)
	hoopAPI.move(closed, "decline", map[string]any{"reason": "no_capacity"})
	env.clock.Advance(26 * time.Hour) // Wednesday to Thursday; the sessions end meanwhile
	hoopAPI = env.login("hoop.worker")
	worker, _ = formLogin(t, env, "hoop.worker")
	coord, ct = formLogin(t, env, "hoop.coord")
	hoopAPI.getHandover(open)
	review := coord.get("/handovers/review")
	pageHas(t, "review", review.body, open, "1 werkdag")
	pageLacks(t, "review", review.body, "/handovers/"+closed+`"`, "werkdag(en)")
	pageHas(t, "review, all", coord.get("/handovers/review?state=all").body, closed)
	if res := coord.postForm("/handovers/"+open+"/reassign", url.Values{"csrf_token": {ct}, "assignee": {"hoop.worker"},
		"back": {"/handovers/" + open}}); res.status != http.StatusSeeOther || res.header.Get("Location") != "/handovers/"+open+"?done=reassign" {
		t.Fatalf("assign before acceptance: %d %s", res.status, res.header.Get("Location"))
	}
	detail := coord.get("/handovers/" + open + "?done=reassign")
	pageHas(t, "assigned", detail.body, "De overdracht is toegewezen", "Samira (HOOP)", "Opnieuw toewijzen")
	pageHas(t, "review with names", coord.get("/handovers/review").body, "Samira (HOOP)")
	pageLacks(t, "review with names", coord.get("/handovers/review").body, ">hoop.worker<")
	// The worker's inbox and every list say how many there are.
	pageHas(t, "inbox", worker.get("/handovers").body, "1–2 van 2") // the assigned one and the declined one
	for i := range 3 {
		pgResident(t, hoopAPI, "Test", fmt.Sprintf("Lijst %d", i), "")
	}
	list := worker.get("/residents")
	pageHas(t, "residents", list.body, "1–4 van 4", "Laatste contact")
}
