package app

import (
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Pages that were cut without saying so (issue 13) page like the others:
// "N–M van T" under the list and "Meer laden" to the next page.

var (
	moreRE  = regexp.MustCompile(`<a class="button more" href="([^"]+)" data-more="([^"]+)"`)
	countRE = regexp.MustCompile(`data-from="(\d+)" data-to="(\d+)" data-total="(\d+)"`)
)

// walkPage follows a page's "Meer laden" link for list id from path and
// returns, per page, what pick finds in the list's element.
func walkPage(t *testing.T, c *client, path, id string, pick *regexp.Regexp) (items []string, pages int) {
	t.Helper()
	for ; ; pages++ {
		if pages > 100 {
			t.Fatalf("%s: no last page", path)
		}
		found, next := onePage(t, c, path, id, pick)
		items = append(items, found...)
		if next == "" {
			return items, pages + 1
		}
		path = next
	}
}

// onePage returns what pick finds in list id of the page at path, and the
// path of its next page ("" on the last).
func onePage(t *testing.T, c *client, path, id string, pick *regexp.Regexp) (items []string, next string) {
	t.Helper()
	res := c.get(path)
	if res.status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, res.status, res.body)
	}
	body := string(res.body)
	start := strings.Index(body, `id="`+id+`"`)
	if start < 0 {
		t.Fatalf("%s: no list %s", path, id)
	}
	end := strings.Index(body[start:], `data-pager="`+id+`"`)
	if end < 0 {
		t.Fatalf("%s: no pager of %s", path, id)
	}
	for _, m := range pick.FindAllStringSubmatch(body[start:start+end], -1) {
		items = append(items, m[1])
	}
	if m := moreRE.FindStringSubmatch(body[start:]); m != nil && m[2] == id {
		next = html.UnescapeString(m[1])
	}
	return items, next
}

// TestNotificationsPaged: more notices than a page are all reached through
// "Meer laden", each once, unread first; the count says "1–50 van N"; a
// wrong query is said, in Dutch and English.
func TestNotificationsPaged(t *testing.T) {
	env := newTestEnv(t)
	dock, coord := env.login("dock.worker"), env.login("hoop.coord")
	var ids []string
	for range 57 {
		ids = append(ids, dock.send(handoverBody(dock.dockResident("Melding"), "al-amal"))["id"].(string))
	}
	coord.getHandover(ids[3]) // read: at the end of the list
	page := env.pageLogin("hoop.coord")
	first := page.get("/notifications")
	if m := countRE.FindSubmatch(first.body); m == nil || string(m[1]) != "1" || string(m[2]) != "50" || string(m[3]) != "57" {
		t.Errorf("first page's count: %q", m)
	}
	pageHas(t, "first page", first.body, "1–50 van 57", "Meer laden")
	got, pages := walkPage(t, page, "/notifications", "notice-list", regexp.MustCompile(`href="/handovers/([0-9a-f-]{36})"`))
	if pages != 2 {
		t.Errorf("%d pages, want 2", pages)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	once(t, "notices", got, want)
	if len(got) > 0 && got[len(got)-1] != ids[3] {
		t.Errorf("the read notice is not last: %v", got[len(got)-1])
	}
	// A notice read while someone pages keeps its place: the first page,
	// then one of its unread notices read, then the second page; each
	// notice is still there once.
	env.clock.Advance(time.Minute)
	handoverLink := regexp.MustCompile(`href="/handovers/([0-9a-f-]{36})"`)
	shown, next := onePage(t, page, "/notifications", "notice-list", handoverLink)
	env.clock.Advance(time.Minute)
	coord.getHandover(shown[0])
	rest, _ := onePage(t, page, next, "notice-list", handoverLink)
	once(t, "notices, one read while paging", append(shown, rest...), want)
	if en := page.withLang("en").get("/notifications"); !strings.Contains(string(en.body), "1–50 of 57") {
		t.Errorf("English count missing")
	}
	for _, tc := range []struct{ path, nl, en string }{
		{"/notifications?cursor=bm9wZQ", "Begin de lijst opnieuw", "Start the list again"},
		{"/notifications?page=2", "Onbekende parameter", "Unknown parameter"},
		{"/notifications?cursor=a&cursor=b", "meer dan één keer", "more than once"},
	} {
		res := page.get(tc.path)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), tc.nl) {
			t.Errorf("%s: %d, want 422 saying %q", tc.path, res.status, tc.nl)
		}
		if en := page.withLang("en").get(tc.path); en.status != http.StatusUnprocessableEntity || !strings.Contains(string(en.body), tc.en) {
			t.Errorf("%s in English: %d, want %q", tc.path, en.status, tc.en)
		}
	}
}

// TestUsersPagePaged: more accounts than a page are all reached on
// /admin/users through "Meer laden", each once; a coordinator pages the own
// organisation's; a wrong cursor is said, in Dutch and English.
func TestUsersPagePaged(t *testing.T) {
	env := newTestEnv(t)
	coord := env.login("hoop.coord")
	for i := range 101 {
		name := "pagina" + strconv.Itoa(1000+i)
		if res := coord.do("POST", "/api/v1/users", map[string]any{"username": name, "display_name": "Pagina", "roles": []string{"worker"},
			"organisation": "al-amal", "programme": "hoop", "password": "een-nieuw-lang-wachtwoord"}); res.status != http.StatusCreated {
			t.Fatalf("new account %s: %s", name, res)
		}
	}
	pick := regexp.MustCompile(`<span class="muted">([a-z0-9.]+)[ <]`)
	for _, who := range []struct {
		login, where string
	}{{"admin", ""}, {"hoop.coord", `WHERE organisation_id = (SELECT id FROM organisations WHERE slug = 'al-amal')`}} {
		want := env.textSet(`SELECT username FROM users ` + who.where)
		page := env.pageLogin(who.login)
		got, pages := walkPage(t, page, "/admin/users", "user-list", pick)
		if pages != 2 {
			t.Errorf("%s: %d pages, want 2", who.login, pages)
		}
		once(t, who.login+"'s accounts", got, want)
		pageHas(t, who.login, page.get("/admin/users").body, "1–100 van "+strconv.Itoa(len(want)), "Meer laden")
	}
	page := env.pageLogin("hoop.coord")
	for _, tc := range []struct{ path, nl, en string }{
		{"/admin/users?cursor=bm9wZQ", "Begin de lijst opnieuw", "Start the list again"},
		{"/admin/users?sort=name", "Onbekende parameter", "Unknown parameter"},
	} {
		res := page.get(tc.path)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), tc.nl) {
			t.Errorf("%s: %d, want 422 saying %q", tc.path, res.status, tc.nl)
		}
		if en := page.withLang("en").get(tc.path); en.status != http.StatusUnprocessableEntity || !strings.Contains(string(en.body), tc.en) {
			t.Errorf("%s in English: %d, want %q", tc.path, en.status, tc.en)
		}
	}
}

// TestMailOutboxPaged: more mails than a page are all reached on
// /admin/mail through "Meer laden", each once, newest first; a wrong cursor
// is said, in Dutch and English.
func TestMailOutboxPaged(t *testing.T) {
	env := newNotifyEnv(t, NotifyConfig{ShowMail: true})
	env.setMailPreference("hoop.coord", "immediate")
	dock := env.login("dock.worker")
	var ids []string
	for range 53 {
		ids = append(ids, dock.send(handoverBody(dock.dockResident("Postvak"), "al-amal"))["id"].(string))
	}
	admin := env.pageLogin("admin")
	pageHas(t, "outbox", admin.get("/admin/mail").body, "1–50 van 53", "Meer laden")
	got, pages := walkPage(t, admin, "/admin/mail", "mail-list", regexp.MustCompile(`<pre class="mail-body">[^<]*?/handovers/([0-9a-f-]{36})`))
	if pages != 2 {
		t.Errorf("%d pages, want 2", pages)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	once(t, "mails", got, want)
	for _, tc := range []struct{ path, nl, en string }{
		{"/admin/mail?cursor=bm9wZQ", "Begin de lijst opnieuw", "Start the list again"},
		{"/admin/mail?state=pending", "Onbekende parameter", "Unknown parameter"},
	} {
		res := admin.get(tc.path)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), tc.nl) {
			t.Errorf("%s: %d, want 422 saying %q", tc.path, res.status, tc.nl)
		}
		if en := admin.withLang("en").get(tc.path); en.status != http.StatusUnprocessableEntity || !strings.Contains(string(en.body), tc.en) {
			t.Errorf("%s in English: %d, want %q", tc.path, en.status, tc.en)
		}
	}
}
