package app

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var inlineScriptOrStyle = regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|<script>|\sstyle=|<style|\son[a-z]+=`)

// TestHandoverPages walks the screens: "Warm overdragen" from a resident,
// the consent gate, the receiver's moves, the worker's inbox and the
// coordinator's review with reassigning, in Dutch and English.
func TestHandoverPages(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dockAPI := env.login("dock.worker")
	residentID := dockAPI.dockResident("Pagina")
	dock := env.pageLogin("dock.worker")
	token := dock.pageToken()

	checkPage := func(what string, res response, status int, parts ...string) {
		t.Helper()
		if res.status != status {
			t.Fatalf("%s: %d %s", what, res.status, res.body)
		}
		pageHas(t, what, res.body, parts...)
		if inlineScriptOrStyle.Match(res.body) {
			t.Errorf("%s: inline script or style (CSP forbids it)", what)
		}
	}

	// The resident's page links to the form.
	checkPage("resident page", dock.get("/residents/"+residentID), 200, "/handovers/new?resident_id="+residentID, "Warm overdragen")
	// Choosing the resident: a search, then the form.
	checkPage("search", dock.get("/handovers/new?q=pagina"), 200, "Warm overdragen", "/handovers/new?resident_id="+residentID)
	form := dock.get("/handovers/new?resident_id=" + residentID)
	checkPage("form", form, 200, "Amina Pagina", "Lees dit voor aan de bewoner", "Mag ik daarvoor je vraag",
		`name="consent_given"`, `value="story"`, "Al Amal", `name="topics"`, "/handover.js\"")
	pageLacks(t, "form", form.body, `<option value="dock"`) // not to my own organisation
	if m := regexp.MustCompile(`src="([^"]*handover\.js)"`).FindSubmatch(form.body); m == nil {
		t.Error("form: no handover.js")
	} else if js := dock.get(string(m[1])); js.status != http.StatusOK || !strings.Contains(string(js.body), "data-counter") {
		t.Errorf("GET %s: %d", m[1], js.status)
	}

	post := url.Values{"csrf_token": {token}, "resident_id": {residentID}, "programme": {"weggeefbus"}, "to": {"al-amal"},
		"topics": {"schulden"}, "question": {"Hulp bij rekeningen."}, "story": {"Post blijft liggen."},
		"urgency": {"urgent"}, "preferred_contact_way": {"home-visit"}, "consent_how": {"verbal"},
		"scope": {"name", "phone", "story"}}
	// (The page shows the resident again, which is an audited read: compare
	// the data, not the audit log.)
	before := env.fingerprint(false)
	noConsent := dock.postForm("/handovers/new", post)
	checkPage("without consent", noConsent, http.StatusUnprocessableEntity, "Zonder toestemming", "Hulp bij rekeningen.")
	if env.fingerprint(false) != before || env.count(`SELECT COUNT(*) FROM handovers`) != 0 {
		t.Error("the form without consent wrote something")
	}
	post.Set("consent_given", "yes")
	sent := dock.postForm("/handovers/new", post)
	if sent.status != http.StatusSeeOther || !strings.HasPrefix(sent.header.Get("Location"), "/handovers/") {
		t.Fatalf("send: %d %s", sent.status, sent.body)
	}
	id := strings.TrimPrefix(strings.Split(sent.header.Get("Location"), "?")[0], "/handovers/")
	checkPage("sent", dock.get(sent.header.Get("Location")), 200, "De overdracht is verstuurd", "Verstuurd", "Spoed",
		"Hulp bij rekeningen.", "Post blijft liggen.", "Overdracht intrekken", "Toestemming ingetrokken")
	checkPage("outbox", dock.get("/handovers"), 200, "Door mij verstuurd", id, "Al Amal")

	// HOOP: the inbox, opening (received), accepting, first contact, completing.
	hoop := env.pageLogin("hoop.worker")
	ht := hoop.pageToken()
	checkPage("inbox", hoop.get("/handovers"), 200, "Binnengekomen", "Amina Pagina", "DOCK")
	detail := hoop.get("/handovers/" + id)
	checkPage("received", detail, 200, "Ontvangen", "Accepteren", "Afwijzen", "Post blijft liggen.", "06-12345678")
	pageLacks(t, "received", detail.body, "PRIVATE-SENDER-NOTE", "1984", "Overdracht intrekken")
	move := func(c *client, path string, v url.Values, done string) {
		t.Helper()
		res := c.postForm("/handovers/"+id+"/"+path, v)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/handovers/"+id+"?done="+done {
			t.Fatalf("%s: %d %s %s", path, res.status, res.header.Get("Location"), res.body)
		}
	}
	move(hoop, "accept", url.Values{"csrf_token": {ht}, "assignee": {"hoop.worker"}}, "accept")
	checkPage("accepted", hoop.get("/handovers/"+id+"?done=accept"), 200, "De overdracht is geaccepteerd", "Eerste contact vastleggen",
		"Wijk van de bewoner")
	bad := hoop.postForm("/handovers/"+id+"/contacted", url.Values{"csrf_token": {ht}, "at": {"2025-03-12T11:00"}})
	checkPage("contacted without how", bad, http.StatusUnprocessableEntity, "Niet alle velden")
	// The neighbourhood was not shared: the worker names it.
	move(hoop, "contacted", url.Values{"csrf_token": {ht}, "how": {"home-visit"}, "at": {"2025-03-12T11:00"},
		"neighbourhood": {"3s-dreven"}, "note": {"Thuis bezocht."}}, "contacted")
	move(hoop, "complete", url.Values{"csrf_token": {ht}, "outcome": {"schuldhulptraject"}, "note": {"Traject gestart."}}, "complete")

	// DOCK sees it completed with the note back.
	checkPage("completed for DOCK", dock.get("/handovers/"+id), 200, "Afgerond", "Schuldhulptraject gestart", "Traject gestart.")
	pageLacks(t, "completed for DOCK", dock.get("/handovers/"+id).body, "Thuis bezocht.")

	// The coordinator's review: counts, filters, reassigning.
	second := dockAPI.send(handoverBody(dockAPI.dockResident("Tweede"), "al-amal"))["id"].(string)
	hoopAPI := env.login("hoop.worker")
	hoopAPI.move(second, "accept", map[string]any{})
	coord := env.pageLogin("hoop.coord")
	ct := coord.pageToken()
	review := coord.get("/handovers/review")
	checkPage("review", review, 200, "Overzicht overdrachten", "Te laat", "Afgerond", "Tot acceptatie",
		`action="/handovers/`+second+`/reassign"`, "DOCK")
	checkPage("review filtered", coord.get("/handovers/review?direction=incoming&state=accepted&partner=dock&min_age_days=0"), 200, second)
	checkPage("review bad filter", coord.get("/handovers/review?state=nope"), 422, "Onbekende waarde")
	res := coord.postForm("/handovers/"+second+"/reassign", url.Values{"csrf_token": {ct}, "assignee": {"hoop.coord"}, "back": {"/handovers/review"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/handovers/review?done=reassign" {
		t.Fatalf("reassign: %d %s", res.status, res.body)
	}
	if got := hoopAPI.getHandover(second)["assignee"]; got != "hoop.coord" {
		t.Errorf("reassigned to %v", got)
	}
	// A worker may not reassign or open the review.
	if res := hoop.postForm("/handovers/"+second+"/reassign", url.Values{"csrf_token": {ht}, "assignee": {"hoop.worker"}}); res.status != http.StatusForbidden {
		t.Errorf("worker reassigns: %d", res.status)
	}
	if res := hoop.get("/handovers/review"); res.status != http.StatusForbidden {
		t.Errorf("worker's review: %d", res.status)
	}
	// Forms without the CSRF field are refused.
	if res := coord.postForm("/handovers/"+second+"/reassign", url.Values{"assignee": {"hoop.worker"}}); res.status != http.StatusForbidden {
		t.Errorf("no CSRF field: %d", res.status)
	}

	// A third organisation gets the 404 page; programme staff and admins 403.
	bt := env.pageLogin("buurtteam.worker")
	if res := bt.get("/handovers/" + id); res.status != http.StatusNotFound || strings.Contains(string(res.body), "Amina") {
		t.Errorf("third organisation: %d", res.status)
	}
	for _, who := range []string{"programme", "admin"} {
		c := env.pageLogin(who)
		for _, p := range []string{"/handovers", "/handovers/new", "/handovers/review", "/handovers/" + id} {
			if res := c.get(p); res.status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", who, p, res.status)
			}
		}
	}

	// Decline and redirect from the pages.
	third := dockAPI.send(handoverBody(dockAPI.dockResident("Derde"), "al-amal"))["id"].(string)
	decl := hoop.postForm("/handovers/"+third+"/decline", url.Values{"csrf_token": {ht}, "reason": {"other"}})
	checkPage("decline other without note", decl, 422, "Licht de reden")
	if res := hoop.postForm("/handovers/"+third+"/decline", url.Values{"csrf_token": {ht}, "reason": {"not_eligible"}, "note": {"Buiten ons gebied."}}); res.status != http.StatusSeeOther {
		t.Fatalf("decline: %d %s", res.status, res.body)
	}
	checkPage("declined for DOCK", dock.get("/handovers/"+third), 200, "Komt niet in aanmerking", "Buiten ons gebied.", "Doorsturen naar een andere partner")
	redirectForm := dock.get("/handovers/new?redirect_from=" + third)
	checkPage("redirect form", redirectForm, 200, `name="redirect_from" value="`+third+`"`, "Mevrouw wil hulp")
	pageLacks(t, "redirect form", redirectForm.body, `<option value="al-amal"`)
	rd := dock.postForm("/handovers/new", url.Values{"csrf_token": {token}, "redirect_from": {third}, "to": {"buurtteam"},
		"topics": {"schulden"}, "question": {"Nieuwe vraag."}, "urgency": {"normal"}, "consent_how": {"written"},
		"consent_given": {"yes"}, "scope": {"name"}})
	if rd.status != http.StatusSeeOther {
		t.Fatalf("redirect: %d %s", rd.status, rd.body)
	}
	newID := strings.TrimPrefix(strings.Split(rd.header.Get("Location"), "?")[0], "/handovers/")
	if got := dockAPI.getHandover(newID); got["redirected_from"] != third || got["question"] != "Nieuwe vraag." {
		t.Errorf("redirected: %s", mustJSON(t, got))
	}

	// English.
	en := env.pageLogin("hoop.coord")
	en.do("GET", "/lang/en?back=/handovers", nil)
	checkPage("English review", en.get("/handovers/review"), 200, "Handover review", "Overdue", "Completed")
	checkPage("English detail", en.get("/handovers/"+id), 200, "Debt trajectory started", "Timeline")
}
