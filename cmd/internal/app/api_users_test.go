package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

// userRoutes are the account routes; TestUserAccountsAuthorisation covers
// them (who may manage an account depends on the account's roles).
var userRoutes = []string{
	"GET /api/v1/users", "POST /api/v1/users", "POST /api/v1/users/{id}/password",
	"POST /api/v1/users/{id}/active", "POST /api/v1/users/{id}/unlock",
}

func init() {
	for _, r := range userRoutes {
		coveredElsewhere[r] = "TestUserAccountsAuthorisation"
	}
}

// TestUserAccountsAuthorisation walks the account routes with every role
// against a case account of the own organisation, one of another
// organisation and an office account: the separation of duties as the API
// answers it, and nothing written when refused.
func TestUserAccountsAuthorisation(t *testing.T) {
	env := newTestEnv(t)
	ids := map[string]int64{}
	for _, u := range []string{"hoop.worker", "dock.worker", "programme"} {
		ids[u] = pgUserID(t, env, u)
	}
	type target struct{ name, user string }
	own, other, office := target{"own case account", "hoop.worker"}, target{"other organisation's case account", "dock.worker"},
		target{"office account", "programme"}
	// want[role][target] per change route (password, active, unlock).
	type answers map[target][3]int
	const ok, no, nf, unauth = http.StatusNoContent, http.StatusForbidden, http.StatusNotFound, http.StatusUnauthorized
	cases_ := []struct {
		user    string
		list    int
		changes answers
	}{
		{"", unauth, answers{own: {unauth, unauth, unauth}, other: {unauth, unauth, unauth}, office: {unauth, unauth, unauth}}},
		{"hoop.worker", no, answers{own: {no, no, no}, other: {no, no, no}, office: {no, no, no}}},
		{"programme", no, answers{own: {no, no, no}, other: {no, no, no}, office: {no, no, no}}},
		{"hoop.coord", http.StatusOK, answers{own: {ok, ok, ok}, other: {nf, nf, nf}, office: {nf, nf, nf}}},
		{"admin", http.StatusOK, answers{own: {no, ok, ok}, other: {no, ok, ok}, office: {ok, ok, ok}}},
	}
	for _, tc := range cases_ {
		c := env.anonymous()
		if tc.user != "" {
			c = env.login(tc.user)
		}
		role := tc.user
		if role == "" {
			role = "nobody"
		}
		list := c.do("GET", "/api/v1/users", nil)
		if list.status != tc.list {
			t.Errorf("%s lists users: %s", role, list)
		} else if tc.user == "hoop.coord" && strings.Contains(string(list.body), "dock.worker") {
			t.Errorf("a coordinator's list shows another organisation's accounts: %s", list.body)
		}
		for tg, want := range tc.changes {
			id := ids[tg.user]
			for i, change := range []struct {
				path string
				body any
			}{
				{fmt.Sprintf("/api/v1/users/%d/password", id), map[string]any{"password": "een-nieuw-lang-wachtwoord"}},
				{fmt.Sprintf("/api/v1/users/%d/active", id), map[string]any{"active": true}},
				{fmt.Sprintf("/api/v1/users/%d/unlock", id), nil},
			} {
				before := env.fingerprint(false)
				res := c.do("POST", change.path, change.body)
				if res.status != want[i] {
					t.Errorf("%s: %s on the %s: %s, want %d", role, change.path, tg.name, res, want[i])
				}
				if res.status >= 300 && env.fingerprint(false) != before {
					t.Errorf("%s: refused %s changed data", role, change.path)
				}
			}
		}
	}

	// Making accounts: a coordinator case accounts of the own organisation,
	// an administrator office accounts; never one account with both.
	coord, admin := env.login("hoop.coord"), env.login("admin")
	newUser := func(username, org, role string) map[string]any {
		return map[string]any{"username": username, "display_name": "Nieuw", "organisation": org,
			"roles": strings.Split(role, ","), "password": "een-nieuw-lang-wachtwoord"}
	}
	for _, tc := range []struct {
		c    *client
		who  string
		body map[string]any
		want int
	}{
		{coord, "coordinator", newUser("hoop.nieuw", "al-amal", cases.RoleWorker), http.StatusCreated},
		{coord, "coordinator", newUser("hoop.nieuw2", "al-amal", cases.RoleCoordinator), http.StatusCreated},
		{coord, "coordinator", newUser("dock.nieuw", "dock", cases.RoleWorker), http.StatusForbidden},
		{coord, "coordinator", newUser("hoop.beheer", "al-amal", cases.RoleAdmin), http.StatusForbidden},
		{admin, "admin", newUser("dock.nieuw", "dock", cases.RoleWorker), http.StatusForbidden},
		{admin, "admin", newUser("dock.fg", "dock", cases.RolePrivacy), http.StatusCreated},
		{admin, "admin", newUser("gem.beheer", "gemeente", "admin,worker"), http.StatusUnprocessableEntity},
	} {
		before := env.fingerprint(false)
		res := tc.c.do("POST", "/api/v1/users", tc.body)
		if res.status != tc.want {
			t.Errorf("%s makes %v: %s, want %d", tc.who, tc.body["roles"], res, tc.want)
		}
		if res.status >= 300 && env.fingerprint(false) != before {
			t.Errorf("%s: a refused account changed data", tc.who)
		}
		if res.status == http.StatusForbidden && tc.who == "admin" && !strings.Contains(res.json()["error"].(map[string]any)["message"].(string), "coördinator") {
			t.Errorf("the refusal does not say who may: %s", res)
		}
	}
	// The privacy account an administrator made in DOCK can read DOCK's
	// records: DOCK's privacy officer sees who made it, Al Amal's does not.
	seen := func(officer string) bool {
		res := env.login(officer).do("GET", "/api/v1/audit?action=create", nil)
		if res.status != http.StatusOK {
			t.Fatalf("%s audit: %s", officer, res)
		}
		for _, e := range res.json()["entries"].([]any) {
			if line := e.(map[string]any); line["entity_id"] == "dock.fg" && line["user"] == "admin" {
				return true
			}
		}
		return false
	}
	if !seen("dock.privacy") || seen("hoop.privacy") {
		t.Errorf("the administrator's new privacy account in DOCK: seen by dock.privacy %v, by hoop.privacy %v",
			seen("dock.privacy"), seen("hoop.privacy"))
	}
}
