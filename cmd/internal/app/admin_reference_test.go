package app

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// formLogin logs in through the login form and returns the session's CSRF
// token for posting forms (from /api/v1/me, which every role may read).
func formLogin(t *testing.T, env *testEnv, username string) (*client, string) {
	t.Helper()
	c := env.pageLogin(username)
	return c, c.do("GET", "/api/v1/me", nil).json()["csrf_token"].(string)
}

// postForm posts an HTML form (no CSRF header: forms carry the field).
func (c *client) postForm(path string, form url.Values) response {
	c.env.t.Helper()
	req, err := http.NewRequest("POST", c.env.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.env.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.http.Do(req)
	if err != nil {
		c.env.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

func TestAdminManagesReferenceData(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin, csrf := formLogin(t, env, "admin")

	page := admin.do("GET", "/admin/reference", nil)
	if page.status != http.StatusOK || !strings.Contains(string(page.body), "zambesibuurt") {
		t.Fatalf("reference page: %d", page.status)
	}
	res := admin.postForm("/admin/reference/topics", url.Values{"csrf_token": {csrf}, "slug": {"energiearmoede"},
		"name_nl": {"Energiearmoede"}, "name_en": {"Energy poverty"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("add topic: %d %s", res.status, res.body)
	}
	// The new topic is usable at once by a worker.
	worker := env.login("hoop.worker")
	ref := worker.do("GET", "/api/v1/reference", nil)
	if !strings.Contains(string(ref.body), `"energiearmoede"`) {
		t.Fatalf("new topic not in reference: %s", ref.body)
	}

	// A taken slug and a bad slug are refused with the field named, in Dutch.
	dup := admin.postForm("/admin/reference/topics", url.Values{"csrf_token": {csrf}, "slug": {"schulden"},
		"name_nl": {"Dubbel"}, "name_en": {"Double"}})
	if dup.status != http.StatusUnprocessableEntity || !strings.Contains(string(dup.body), "al in gebruik") {
		t.Fatalf("duplicate slug: %d", dup.status)
	}
	bad := admin.postForm("/admin/reference/topics", url.Values{"csrf_token": {csrf}, "slug": {"Met Spaties"},
		"name_nl": {"x"}, "name_en": {"x"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad slug: %d", bad.status)
	}
	unknownList := admin.postForm("/admin/reference/secrets", url.Values{"csrf_token": {csrf}, "slug": {"x"},
		"name_nl": {"x"}, "name_en": {"x"}})
	if unknownList.status != http.StatusNotFound {
		t.Fatalf("unknown list: %d", unknownList.status)
	}

	// Renaming keeps the slug.
	ren := admin.postForm("/admin/reference/topics/schulden", url.Values{"csrf_token": {csrf},
		"name_nl": {"Schulden en achterstanden"}, "name_en": {"Debts and arrears"}})
	if ren.status != http.StatusSeeOther {
		t.Fatalf("rename: %d", ren.status)
	}
	ref = worker.do("GET", "/api/v1/reference", nil)
	if !strings.Contains(string(ref.body), "Schulden en achterstanden") {
		t.Fatalf("renamed topic not served")
	}

	// A programme for a new organisation.
	if r := admin.postForm("/admin/organisations", url.Values{"csrf_token": {csrf}, "slug": {"buurthuis-test"},
		"name": {"Buurthuis Test"}}); r.status != http.StatusSeeOther {
		t.Fatalf("add organisation: %d", r.status)
	}
	if r := admin.postForm("/admin/programmes", url.Values{"csrf_token": {csrf}, "slug": {"inloop-test"},
		"name": {"Inloop"}, "organisation": {"buurthuis-test"}}); r.status != http.StatusSeeOther {
		t.Fatalf("add programme: %d", r.status)
	}
	if r := admin.postForm("/admin/programmes", url.Values{"csrf_token": {csrf}, "slug": {"inloop-twee"},
		"name": {"Inloop"}, "organisation": {"bestaat-niet"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("programme of unknown organisation: %d", r.status)
	}

	// Without the form token nothing changes.
	if r := admin.postForm("/admin/reference/topics", url.Values{"slug": {"zonder-token"}, "name_nl": {"x"},
		"name_en": {"x"}}); r.status != http.StatusForbidden {
		t.Fatalf("missing csrf: %d", r.status)
	}
	// Coordinators, workers and programme staff may not change reference data.
	for _, who := range []string{"hoop.coord", "hoop.worker", "programme"} {
		c, token := formLogin(t, env, who)
		if r := c.do("GET", "/admin/reference", nil); r.status != http.StatusForbidden {
			t.Errorf("%s GET /admin/reference: %d", who, r.status)
		}
		if r := c.postForm("/admin/reference/topics", url.Values{"csrf_token": {token}, "slug": {"mag-niet"},
			"name_nl": {"x"}, "name_en": {"x"}}); r.status != http.StatusForbidden {
			t.Errorf("%s add topic: %d", who, r.status)
		}
	}
	ref = worker.do("GET", "/api/v1/reference", nil)
	if strings.Contains(string(ref.body), "zonder-token") || strings.Contains(string(ref.body), "mag-niet") {
		t.Fatalf("a refused change was written")
	}
}

func TestAdminSetsHandoverDeadlines(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin, csrf := formLogin(t, env, "admin")
	set := func(accept, contact string) response {
		return admin.postForm("/admin/organisations/buurtteam/limits", url.Values{"csrf_token": {csrf},
			"accept_days": {accept}, "contact_days": {contact}})
	}
	if r := set("3", "8"); r.status != http.StatusSeeOther {
		t.Fatalf("set limits: %d %s", r.status, r.body)
	}
	limits, err := env.app.Handovers.AllLimits(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if l := limits["buurtteam"]; l.AcceptDays != 3 || l.ContactDays != 8 {
		t.Fatalf("limits not stored: %+v", l)
	}
	if l := limits["al-amal"]; l.AcceptDays != 5 || l.ContactDays != 10 {
		t.Fatalf("defaults: %+v", l)
	}
	for _, bad := range [][2]string{{"0", "8"}, {"drie", "8"}, {"9", "4"}, {"3", "500"}} {
		r := set(bad[0], bad[1])
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("limits %v: %d", bad, r.status)
		}
	}
	limits, _ = env.app.Handovers.AllLimits(t.Context())
	if l := limits["buurtteam"]; l.AcceptDays != 3 || l.ContactDays != 8 {
		t.Fatalf("a refused change was written: %+v", l)
	}
	if r := admin.postForm("/admin/organisations/bestaat-niet/limits", url.Values{"csrf_token": {csrf},
		"accept_days": {"3"}, "contact_days": {"8"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown organisation: %d", r.status)
	}
	coord, token := formLogin(t, env, "buurtteam.coord")
	if r := coord.postForm("/admin/organisations/buurtteam/limits", url.Values{"csrf_token": {token},
		"accept_days": {"20"}, "contact_days": {"40"}}); r.status != http.StatusForbidden {
		t.Fatalf("coordinator sets limits: %d", r.status)
	}
}
