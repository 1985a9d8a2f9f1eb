package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
)

// Paging of the lists that were whole (issue 13): accounts and the partner
// directory walk with next_cursor, every item once; a page size above the
// maximum, an unknown parameter and a cursor that is none are 422 naming
// them, in Dutch and English.

// walk pages through path with next_cursor and returns the values of key
// in each item of list, in order; every page answers want as total.
func walk(t *testing.T, c *client, path, list, key string, want int) []string {
	t.Helper()
	var out []string
	for pages := 0; ; pages++ {
		if pages > want+1 {
			t.Fatalf("%s: more pages than items", path)
		}
		res := c.do("GET", path, nil)
		if res.status != http.StatusOK || int(res.json()["total"].(float64)) != want {
			t.Fatalf("%s: %s, want total %d", path, res, want)
		}
		for _, item := range res.json()[list].([]any) {
			out = append(out, item.(map[string]any)[key].(string))
		}
		next, _ := res.json()["next_cursor"].(string)
		if next == "" {
			return out
		}
		path = withCursor(path, next)
	}
}

// withCursor is path with cursor set.
func withCursor(path, cursor string) string {
	u, _ := url.Parse(path)
	q := u.Query()
	q.Set("cursor", cursor)
	u.RawQuery = q.Encode()
	return u.String()
}

// once checks that got holds every one of want exactly once.
func once(t *testing.T, what string, got []string, want map[string]bool) {
	t.Helper()
	seen := map[string]bool{}
	for _, v := range got {
		if seen[v] || !want[v] {
			t.Errorf("%s: %s twice, or not expected", what, v)
		}
		seen[v] = true
	}
	if len(seen) != len(want) {
		t.Errorf("%s: %d of %d seen", what, len(seen), len(want))
	}
}

func TestUserAndPartnerPaging(t *testing.T) {
	env := newTestEnv(t)
	admin, coord, worker := env.login("admin"), env.login("hoop.coord"), env.login("hoop.worker")
	for _, name := range []string{"pagina1", "pagina2", "pagina3"} {
		if res := coord.do("POST", "/api/v1/users", map[string]any{"username": name, "display_name": name,
			"roles": []string{"worker"}, "organisation": "al-amal", "programme": "hoop", "password": "een-nieuw-lang-wachtwoord"}); res.status != http.StatusCreated {
			t.Fatalf("new account %s: %s", name, res)
		}
	}
	// Every account once, to an administrator; the own organisation's to
	// a coordinator.
	all := env.textSet(`SELECT username FROM users`)
	once(t, "admin, limit 2", walk(t, admin, "/api/v1/users?limit=2", "users", "username", len(all)), all)
	own := map[string]bool{}
	for u := range all {
		if env.count(`SELECT COUNT(*) FROM users u JOIN organisations o ON o.id = u.organisation_id
			WHERE u.username = ? AND o.slug = 'al-amal'`, u) == 1 {
			own[u] = true
		}
	}
	if len(own) < 4 {
		t.Fatalf("own organisation's accounts: %v", own)
	}
	once(t, "coordinator, limit 1", walk(t, coord, "/api/v1/users?limit=1", "users", "username", len(own)), own)
	if res := coord.do("GET", "/api/v1/users", nil); len(res.json()["users"].([]any)) != len(own) || res.json()["next_cursor"] != nil {
		t.Errorf("one default page: %s", res)
	}

	// The directory: every partner once; the export stays whole.
	if err := demo.SeedPartners(context.Background(), env.app.DB); err != nil {
		t.Fatal(err)
	}
	whole := worker.do("GET", "/api/v1/partners", nil)
	partners := map[string]bool{}
	for _, p := range whole.json()["partners"].([]any) {
		partners[p.(map[string]any)["organisation"].(string)] = true
	}
	if len(partners) < 3 {
		t.Fatalf("directory: %s", whole)
	}
	once(t, "partners, limit 2", walk(t, worker, "/api/v1/partners?limit=2", "partners", "organisation", len(partners)), partners)
	hsds := worker.do("GET", "/api/v1/partners?format=hsds", nil).json()
	if int(hsds["total_items"].(float64)) != len(partners) || len(hsds["contents"].([]any)) != len(partners) ||
		hsds["page_number"].(float64) != 1 || hsds["total_pages"].(float64) != 1 {
		t.Errorf("HSDS export not whole: total_items %v, page %v of %v", hsds["total_items"], hsds["page_number"], hsds["total_pages"])
	}

	// The directory page pages the same way: from a cursor on, the rest;
	// a wrong parameter is named and the directory's first page shown.
	first := worker.do("GET", "/api/v1/partners?limit=2", nil).json()
	rest := worker.do("GET", "/partners?cursor="+url.QueryEscape(first["next_cursor"].(string)), nil)
	shown := fmt.Sprintf("3–%d van %d", len(partners), len(partners))
	if rest.status != http.StatusOK || !strings.Contains(string(rest.body), shown) {
		t.Errorf("/partners from the third partner on: %d, want %q", rest.status, shown)
	}
	for _, p := range first["partners"].([]any) {
		if slug := p.(map[string]any)["organisation"].(string); strings.Contains(string(rest.body), `id="partner-`+slug+`"`) {
			t.Errorf("/partners from the third partner on shows %s of the first page", slug)
		}
	}
	for path, want := range map[string]string{"/partners?sort=naam": "Onbekende parameter", "/partners?cursor=bm9wZQ": "Begin de lijst opnieuw",
		"/partners?topic=geen-onderwerp": "onderwerp"} {
		res := worker.do("GET", path, nil)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), want) ||
			!strings.Contains(string(res.body), fmt.Sprintf("1–%d van %d", len(partners), len(partners))) {
			t.Errorf("%s: %d, want 422 saying %q above the first page", path, res.status, want)
		}
	}

	for _, tc := range []struct {
		c                   *client
		path, field, nl, en string
	}{
		{admin, "/api/v1/users?limit=501", "limit", "tussen 1-500", "between 1-500"},
		{admin, "/api/v1/users?limit=nul", "limit", "positief", "positive"},
		{coord, "/api/v1/users?organisation=dock", "organisation", "Onbekende parameter", "Unknown parameter"},
		{coord, "/api/v1/users?limit=1&limit=2", "limit", "meer dan één keer", "more than once"},
		{coord, "/api/v1/users?cursor=bm9wZQ", "cursor", "Begin de lijst opnieuw", "Start the list again"},
		{worker, "/api/v1/partners?limit=201", "limit", "tussen 1-200", "between 1-200"},
		{worker, "/api/v1/partners?sort=name", "sort", "Onbekende parameter", "Unknown parameter"},
		{worker, "/api/v1/partners?cursor=bm9wZQ", "cursor", "Begin de lijst opnieuw", "Start the list again"},
		{worker, "/api/v1/partners?format=hsds&limit=5", "limit", "hele lijst", "whole list"},
		{worker, "/api/v1/partners?format=hsds&cursor=bm9wZQ", "cursor", "hele lijst", "whole list"},
	} {
		before := env.fingerprint(false)
		res := tc.c.do("GET", tc.path, nil)
		if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.field(tc.field), tc.nl) {
			t.Errorf("%s: %s, want 422 naming %s (%q)", tc.path, res, tc.field, tc.nl)
		}
		if en := tc.c.withLang("en").do("GET", tc.path, nil); !strings.Contains(en.field(tc.field), tc.en) {
			t.Errorf("%s in English: %s", tc.path, en)
		}
		if env.fingerprint(false) != before {
			t.Errorf("%s: a refused list wrote something", tc.path)
		}
	}
}
