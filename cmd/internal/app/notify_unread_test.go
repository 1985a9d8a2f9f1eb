package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

// wantUnread checks a client's unread counts: incoming, outcomes, overdue.
func wantUnread(t *testing.T, who string, c *client, incoming, outcomes, overdue float64) {
	t.Helper()
	u := c.unread()
	if u["incoming_handovers"] != incoming || u["outcomes"] != outcomes || u["overdue"] != overdue || len(u) != 3 {
		t.Errorf("%s: unread %v, want incoming %v, outcomes %v, overdue %v", who, u, incoming, outcomes, overdue)
	}
}

// Unread counts and badges for sender, receiving worker and receiving
// coordinator through the whole loop; a handover its addressee opens is no
// longer unread for them; after login, something waiting comes first.
func TestNotifyUnreadThroughTheLoop(t *testing.T) {
	env := newTestEnv(t)
	dock, hoop, coord := env.login("dock.worker"), env.login("hoop.worker"), env.login("hoop.coord")
	id := dock.send(handoverBody(dock.dockResident("Ongelezen"), "al-amal"))["id"].(string)
	wantUnread(t, "coordinator after sending", coord, 1, 0, 0)
	wantUnread(t, "worker after sending", hoop, 0, 0, 0)
	wantUnread(t, "sender after sending", dock, 0, 0, 0)

	// The coordinator logs in: "Voor jou" first, with the summary and the badge.
	page := env.pageLogin("hoop.coord")
	res := page.get("/")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/notifications" {
		t.Fatalf("coordinator's start: %s %s", res, res.header.Get("Location"))
	}
	res = page.get("/notifications")
	pageHas(t, "Voor jou", res.body, "Voor jou: 1 nieuwe overdracht", `id="badge-incoming"`, "Nieuwe overdracht van DOCK voor Al Amal",
		`href="/handovers/`+id+`"`)
	pageLacks(t, "Voor jou", res.body, "Ongelezen", "Amina")
	en := page.withLang("en").get("/notifications")
	pageHas(t, "For you", en.body, "For you: 1 new handover", "New handover from DOCK for Al Amal")
	if res := env.pageLogin("hoop.worker").get("/"); res.header.Get("Location") != "/contacts/new" {
		t.Errorf("a worker with nothing waiting starts at %q", res.header.Get("Location"))
	}

	coord.getHandover(id)
	wantUnread(t, "coordinator after opening", coord, 0, 0, 0)
	if res := page.get("/handovers"); strings.Contains(string(res.body), `id="badge-incoming"`) {
		t.Error("the badge stays after opening")
	}
	coord.move(id, "accept", map[string]any{"assignee": "hoop.worker"})
	wantUnread(t, "sender after acceptance", dock, 0, 1, 0)
	wantUnread(t, "assignee after acceptance", hoop, 1, 0, 0)
	wantUnread(t, "coordinator after accepting", coord, 0, 0, 0)
	hoop.getHandover(id)
	wantUnread(t, "assignee after opening", hoop, 0, 0, 0)
	hoop.move(id, "contacted", map[string]any{"how": "drop-in"})
	hoop.move(id, "complete", map[string]any{"outcome": "informatie-gegeven"})
	wantUnread(t, "sender after completion", dock, 0, 3, 0)
	wantUnread(t, "assignee after completing", hoop, 0, 0, 0)
	sender := env.pageLogin("dock.worker")
	res = sender.get("/notifications")
	pageHas(t, "sender's Voor jou", res.body, "Voor jou: 3 uitkomsten", `id="badge-outcomes"`,
		"Al Amal heeft je overdracht geaccepteerd", "Al Amal heeft je overdracht afgerond")
	dock.getHandover(id)
	wantUnread(t, "sender after opening", dock, 0, 0, 0)

	// Marking everything read.
	dock.send(handoverBody(dock.dockResident("Tweede"), "al-amal"))
	wantUnread(t, "coordinator, second", coord, 1, 0, 0)
	cp := env.pageLogin("hoop.coord")
	if res := cp.postForm("/notifications/read", url.Values{"csrf_token": {cp.pageToken()}}); res.status != http.StatusSeeOther {
		t.Fatalf("mark read: %s", res)
	}
	wantUnread(t, "coordinator after marking read", coord, 0, 0, 0)
}

// Who a new handover is for: the named team's workers; else the receiving
// coordinators; else, in an organisation without a coordinator, everyone
// who takes handovers. The programme and admin roles have nothing unread.
func TestNotifyAddressees(t *testing.T) {
	env := newTestEnv(t)
	dock, hoop, coord, bhb := env.login("dock.worker"), env.login("hoop.worker"), env.login("hoop.coord"), env.login("bhb.worker")
	body := handoverBody(dock.dockResident("Team"), "al-amal")
	body["to_programme"] = "hoop"
	dock.send(body)
	wantUnread(t, "team worker", hoop, 1, 0, 0)
	wantUnread(t, "coordinator, team named", coord, 0, 0, 0)
	dock.send(handoverBody(dock.dockResident("Zonder coordinator"), "dok030"))
	wantUnread(t, "worker of an organisation without a coordinator", bhb, 1, 0, 0)
	wantUnread(t, "programme staff", env.login("programme"), 0, 0, 0)
	wantUnread(t, "admin", env.login("admin"), 0, 0, 0)
}

// A handover to a partner nobody in Buurtbrug would read is refused (422
// on "to", naming the partner) and writes nothing; the form offers live
// partners only and shows the others with their intake to call.
func TestNotifyLivePartnersOnly(t *testing.T) {
	env := newTestEnv(t)
	dock := env.login("dock.worker")
	resident := dock.dockResident("Levend")
	before := env.fingerprint(true)
	res := dock.do("POST", "/api/v1/handovers", handoverBody(resident, "werkwinkel"))
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.field("to"), "Werkwinkel werkt nog niet met Buurtbrug") {
		t.Errorf("handover to Werkwinkel: %s", res)
	}
	if en := dock.withLang("en").do("POST", "/api/v1/handovers", handoverBody(resident, "werkwinkel")); !strings.Contains(en.field("to"), "Werkwinkel does not use Buurtbrug yet") {
		t.Errorf("in English: %s", en)
	}
	if env.fingerprint(true) != before {
		t.Error("a refused handover wrote something")
	}

	// The form: Werkwinkel is not a choice, but its intake is there.
	if _, err := env.app.Directory.SaveService(context.Background(), cases.System, "werkwinkel", "",
		cases.PartnerServiceInput{Name: "Werkwinkel", Phone: "030 000 07 21", Email: "intake@werkwinkel.example"}); err != nil {
		t.Fatal(err)
	}
	form := env.pageLogin("dock.worker").get("/handovers/new?resident_id=" + resident)
	pageHas(t, "handover form", form.body, `<option value="al-amal"`, `href="/partners"`,
		"Nog niet in Buurtbrug (11)", `href="tel:0300000721">bel 030 000 07 21<`, ">mail intake@werkwinkel.example<", "intake@werkwinkel.example")
	pageLacks(t, "handover form", form.body, `<option value="werkwinkel"`, `<option value="dock"`)

	// A worker of Werkwinkel makes it live; deactivated, it is not again.
	u, err := env.app.CreateUser(context.Background(), cases.UserInput{Username: "ww.worker", DisplayName: "Werkwinkel",
		Organisation: "werkwinkel", Roles: []string{"worker"}, Password: "overvecht-demo"})
	if err != nil {
		t.Fatal(err)
	}
	if res := dock.do("POST", "/api/v1/handovers", handoverBody(resident, "werkwinkel")); res.status != http.StatusCreated {
		t.Errorf("to a live Werkwinkel: %s", res)
	}
	if err := env.app.Users.SetActive(context.Background(), cases.System, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if res := dock.do("POST", "/api/v1/handovers", handoverBody(resident, "werkwinkel")); res.status != http.StatusUnprocessableEntity {
		t.Errorf("to Werkwinkel without an active account: %s", res)
	}
}
