package app

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestHandoverAuthorisation walks every handover route: the side that may
// gets its status; a third organisation gets 404 (existence not revealed)
// and writes nothing; programme staff and administrators get 403, even when
// their organisation is the receiving one; without a session 401; without
// the CSRF header 403.
func TestHandoverAuthorisation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	clients := map[string]*client{"": env.anonymous()}
	for _, u := range []string{"dock.worker", "dock.coord", "hoop.worker", "hoop.coord", "buurtteam.worker",
		"buurtteam.coord", "programme", "admin", "bv.worker"} {
		clients[u] = env.login(u)
	}
	dock, hoop := clients["dock.worker"], clients["hoop.worker"]

	// The router serves exactly these handover routes.
	var served []string
	for _, r := range apiRoutes(t, env) {
		if strings.Contains(r, "/handovers") {
			served = append(served, r)
		}
	}
	var listed []string
	for _, r := range handoverRoutes {
		listed = append(listed, r.key)
	}
	slices.Sort(listed)
	if !slices.Equal(served, listed) {
		t.Fatalf("router serves %v, the test covers %v", served, listed)
	}

	cells := 0
	for _, r := range handoverRoutes {
		method, path, _ := strings.Cut(r.key, " ")
		body := func() any {
			if r.body != nil {
				return r.body(env)
			}
			if r.key == "POST /api/v1/handovers" {
				return nil // set per caller below
			}
			return nil
		}
		type cell struct {
			who    string
			status int
		}
		var cellsOf []cell
		switch r.side {
		case "":
			cellsOf = []cell{{"dock.worker", r.ok}, {"hoop.coord", r.ok}, {"programme", 403}, {"admin", 403}, {"", 401}}
		default:
			owner := "dock.worker"
			if r.side == "receiver" {
				owner = "hoop.worker"
			}
			cellsOf = []cell{{owner, r.ok}, {"buurtteam.worker", 404}, {"buurtteam.coord", 404},
				{"programme", 403}, {"admin", 403}, {"", 401}}
		}
		for _, cl := range cellsOf {
			cells++
			name := r.key + " as " + cl.who
			p, b := path, body()
			var id string
			if r.state != "" {
				id = env.handoverIn(r.state, dock, hoop)
				p = strings.Replace(p, "{id}", id, 1)
			}
			if r.key == "POST /api/v1/handovers" && cl.who != "" {
				rid := dock.dockResident("Authz")
				if cl.who == "hoop.coord" {
					rid = clients["hoop.coord"].newResident(nil)
				}
				b = handoverBody(rid, "buurtteam")
			}
			before := env.fingerprint(false)
			res := clients[cl.who].do(method, p, b)
			if res.status != cl.status {
				t.Errorf("%s: %s, want %d", name, res, cl.status)
				continue
			}
			if cl.status >= 300 {
				if res.errorCode() == "" || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
					t.Errorf("%s: not a JSON error: %s", name, res)
				}
				if env.fingerprint(false) != before {
					t.Errorf("%s: a refused request changed data", name)
				}
			}
			// A third organisation's list never shows the handover.
			if id != "" && cl.status == http.StatusNotFound {
				list := clients[cl.who].do("GET", "/api/v1/handovers", nil)
				if list.status != http.StatusOK || strings.Contains(string(list.body), id) {
					t.Errorf("%s: third organisation's list: %s", name, list)
				}
			}
		}
		// Without the CSRF header: 403 and nothing written.
		if method == http.MethodPost {
			p, b := path, body()
			if r.state != "" {
				p = strings.Replace(p, "{id}", env.handoverIn(r.state, dock, hoop), 1)
			}
			if b == nil {
				b = handoverBody(dock.dockResident("CSRF"), "buurtteam")
			}
			who := dock
			if r.side == "receiver" {
				who = hoop
			}
			before := env.fingerprint(false)
			if res := who.withCSRF("").do(method, p, b); res.status != http.StatusForbidden || res.errorCode() != "forbidden" {
				t.Errorf("%s without CSRF: %s", r.key, res)
			}
			if env.fingerprint(false) != before {
				t.Errorf("%s without CSRF: data changed", r.key)
			}
		}
	}

	// A third organisation gets 404 on every handover route of one and the
	// same handover, in every state, whatever the body.
	for _, state := range []string{"requested", "received", "accepted", "contacted", "completed", "declined", "withdrawn"} {
		id := env.handoverIn(state, dock, hoop)
		for _, r := range handoverRoutes {
			if r.state == "" {
				continue
			}
			method, path, _ := strings.Cut(r.key, " ")
			var b any
			if r.body != nil {
				b = r.body(env)
			}
			for _, who := range []string{"buurtteam.worker", "buurtteam.coord", "bv.worker"} {
				cells++
				if res := clients[who].do(method, strings.Replace(path, "{id}", id, 1), b); res.status != http.StatusNotFound {
					t.Errorf("%s on a %s handover as %s: %s", r.key, state, who, res)
				}
			}
		}
	}

	// Programme and admin users get 403 even where their organisation
	// (gemeente) receives the handover.
	bv := clients["bv.worker"]
	toGemeente := dock.send(handoverBody(dock.dockResident("Gemeente"), "gemeente"))["id"].(string)
	for _, who := range []string{"programme", "admin"} {
		for _, r := range handoverRoutes {
			method, path, _ := strings.Cut(r.key, " ")
			var b any
			if r.body != nil {
				b = r.body(env)
			}
			cells++
			if res := clients[who].do(method, strings.Replace(path, "{id}", toGemeente, 1), b); res.status != http.StatusForbidden {
				t.Errorf("%s as %s on a handover to gemeente: %s", r.key, who, res)
			}
		}
	}
	if got := bv.getHandover(toGemeente); got["state"] != "received" {
		t.Errorf("a gemeente worker cannot open it: %v", got["state"])
	}
	t.Logf("%d cells", cells)
}
