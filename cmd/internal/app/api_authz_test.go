package app

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/google/uuid"
)

// access is what a route demands of the caller.
type access int

const (
	accessPublic          access = iota // no session needed
	accessSession                       // any logged-in user
	accessReference                     // reference: read
	accessResidentsRead                 // residents: read
	accessResidentsWrite                // residents: write
	accessContactsRead                  // contacts: read
	accessContactsWrite                 // contacts: write (a correction: the author only)
	accessContactsManage                // contacts: manage (void)
	accessReachRead                     // reach: read
	accessReachManage                   // reach: manage (publish)
	accessTokensManage                  // tokens: manage (monitor tokens)
	accessPrivacyManage                 // privacy: manage (residents' requests)
	accessResidentsManage               // residents: manage (merging records, own legal ground)
	accessAuditRead                     // audit: read
	accessPartnersRead                  // partners: read (the directory)
)

// matrixRole is one column of the matrix: a demo login (or nobody), the
// login that writes the fixtures of its own organisation, and the login that
// writes the fixtures of another organisation.
type matrixRole struct {
	name    string
	user    string // "" = not logged in
	author  string // writes "own organisation" fixtures
	foreign string // writes "other organisation" fixtures
	grants  []access
}

var matrixRoles = []matrixRole{
	{"unauthenticated", "", "hoop.worker", "dock.worker", nil},
	{"worker", "hoop.worker", "hoop.worker", "dock.worker", []access{accessSession, accessReference,
		accessResidentsRead, accessResidentsWrite, accessContactsRead, accessContactsWrite, accessPartnersRead}},
	{"coordinator", "hoop.coord", "hoop.coord", "dock.worker", []access{accessSession, accessReference,
		accessResidentsRead, accessResidentsWrite, accessContactsRead, accessContactsWrite, accessContactsManage,
		accessReachRead, accessPrivacyManage, accessResidentsManage, accessPartnersRead}},
	{"programme", "programme", "bv.worker", "hoop.worker", []access{accessSession, accessReference,
		accessReachRead, accessReachManage}},
	{"admin", "admin", "bv.worker", "hoop.worker", []access{accessSession, accessReference, accessTokensManage,
		accessPartnersRead}},
	{"privacy", "hoop.privacy", "hoop.worker", "dock.worker", []access{accessSession, accessReference,
		accessAuditRead, accessPrivacyManage}},
}

// fixture is what one matrix cell works on: a fresh resident and contact,
// and a second resident of the same organisation.
type fixture struct {
	residentID, contactID string
	programme             string
	spareID               string
}

// matrixRoute is one row of the matrix.
type matrixRoute struct {
	access access
	// ok is the status when the caller may. 0: the matrix checks only that
	// the policy lets the caller through (no 401/403/5xx, on an unknown id
	// and an empty body); the route's own tests cover the rest.
	ok int
	// body builds a valid request body for the caller's own fixture
	// (nil: no body).
	body func(f fixture) any
	// other is the status for a caller who may, on another organisation's
	// fixture (0: the route has no such case).
	other int
}

// apiMatrix has one entry per API route: a route in the router without an
// entry here fails TestAuthorisationMatrix. Add yours when you add a route.
var apiMatrix = map[string]matrixRoute{
	"GET /healthz":             {access: accessPublic, ok: http.StatusOK},
	"GET /api/v1/openapi.json": {access: accessPublic, ok: http.StatusOK},
	"POST /api/v1/login":       {access: accessPublic, ok: http.StatusOK}, // runs first, with a new client; see below
	"POST /api/v1/logout":      {access: accessSession, ok: http.StatusNoContent},
	"GET /api/v1/me":           {access: accessSession, ok: http.StatusOK},
	// With a wrong current password: the password stays, the policy is what
	// is checked (the change itself: TestUsersAdminFlow).
	"POST /api/v1/me/password": {access: accessSession,
		body: func(fixture) any {
			return map[string]any{"current": "niet-het-wachtwoord", "new": "een-ander-lang-wachtwoord"}
		}},
	"GET /api/v1/reference":      {access: accessReference, ok: http.StatusOK},
	"POST /api/v1/residents":     {access: accessResidentsWrite, ok: http.StatusCreated, body: func(fixture) any { return map[string]any{"given_name": "Nieuw", "neighbourhood": "themadreven"} }},
	"GET /api/v1/residents":      {access: accessResidentsRead, ok: http.StatusOK},
	"GET /api/v1/residents/{id}": {access: accessResidentsRead, ok: http.StatusOK, other: http.StatusNotFound},
	"PATCH /api/v1/residents/{id}": {access: accessResidentsWrite, ok: http.StatusOK, other: http.StatusNotFound,
		body: func(fixture) any { return map[string]any{"phone": "06-12345678"} }},
	"POST /api/v1/contacts": {access: accessContactsWrite, ok: http.StatusCreated, other: http.StatusUnprocessableEntity,
		body: func(f fixture) any { return contactBody(f.programme, f.residentID) }},
	"GET /api/v1/contacts":      {access: accessContactsRead, ok: http.StatusOK},
	"GET /api/v1/contacts/{id}": {access: accessContactsRead, ok: http.StatusOK, other: http.StatusNotFound},
	"PATCH /api/v1/contacts/{id}": {access: accessContactsWrite, ok: http.StatusOK, other: http.StatusNotFound,
		body: func(fixture) any { return map[string]any{"note": "Gecorrigeerd."} }},
	"POST /api/v1/contacts/{id}/void": {access: accessContactsManage, ok: http.StatusOK, other: http.StatusNotFound,
		body: func(fixture) any { return map[string]any{"reason": "Dubbel ingevoerd."} }},

	// Residents' rights and the audit (the requests themselves:
	// privacy_test.go). Own ground needs a received record: on the
	// fixture, a record the organisation made itself, it is a conflict.
	"GET /api/v1/residents/{id}/export": {access: accessPrivacyManage, ok: http.StatusOK, other: http.StatusNotFound},
	"POST /api/v1/residents/{id}/erase": {access: accessPrivacyManage, ok: http.StatusOK, other: http.StatusNotFound,
		body: func(fixture) any { return map[string]any{"reason": "Verzoek van de bewoner."} }},
	"POST /api/v1/residents/{id}/own-ground": {access: accessResidentsManage, ok: http.StatusConflict, other: http.StatusNotFound,
		body: func(fixture) any { return map[string]any{"ground": "Eigen traject."} }},
	"GET /api/v1/audit": {access: accessAuditRead, ok: http.StatusOK},

	// Handover routes are in coveredElsewhere (handover_helpers_test.go):
	// TestHandoverAuthorisation walks them with handovers in every state.

	// Reach figures and monitor tokens: policy only here; see the reach tests.
	"GET /api/v1/reach":                {access: accessReachRead},
	"GET /api/v1/reach/published":      {access: accessReachRead},
	"POST /api/v1/reach/publish":       {access: accessReachManage, body: emptyBody},
	"GET /api/v1/reach/tokens":         {access: accessTokensManage},
	"POST /api/v1/reach/tokens":        {access: accessTokensManage, body: emptyBody},
	"DELETE /api/v1/reach/tokens/{id}": {access: accessTokensManage},
	// Drafts of releases (issue 11): programme staff only; the answers are in
	// TestReachAuthorisation and TestReachDrafts.
	"POST /api/v1/reach/drafts":                   {access: accessReachManage, body: emptyBody},
	"POST /api/v1/reach/drafts/{version}/discard": {access: accessReachManage, body: emptyBody},

	// Duplicates (issue 13). Matches needs a family name: policy only here
	// (TestResidentDuplicates covers the answers).
	"GET /api/v1/residents/matches": {access: accessResidentsRead},
	"POST /api/v1/residents/{id}/merge": {access: accessResidentsManage, ok: http.StatusOK, other: http.StatusNotFound,
		body: func(f fixture) any { return map[string]any{"into": f.spareID} }},
	// The directory of partners (notify_partners_test.go covers its content).
	"GET /api/v1/partners": {access: accessPartnersRead, ok: http.StatusOK},
}

func emptyBody(fixture) any { return map[string]any{} }

func TestAuthorisationMatrix(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)

	// The matrix and the router list the same routes.
	routes := apiRoutes(t, env)
	for _, r := range routes {
		if _, ok := apiMatrix[r]; !ok && coveredElsewhere[r] == "" {
			t.Errorf("route %s has no entry in apiMatrix (api_authz_test.go)", r)
		}
	}
	for r := range apiMatrix {
		if !slices.Contains(routes, r) {
			t.Errorf("apiMatrix has %s, which the router does not serve", r)
		}
	}

	// The login cells log the role users in (logins are slow: argon2); the
	// other logins needed happen on first use. The logout cells end them.
	clients := map[string]*client{"": env.anonymous()}
	clientOf := func(u string) *client {
		if _, ok := clients[u]; !ok {
			clients[u] = env.login(u)
		}
		return clients[u]
	}
	// newFixture writes a resident and a contact as author.
	newFixture := func(author string) fixture {
		c := clientOf(author)
		f := fixture{residentID: c.newResident(nil), spareID: c.newResident(nil), programme: programmeOf(author)}
		f.contactID = c.newContact(f.programme, f.residentID)
		return f
	}

	for _, key := range sortedKeys(apiMatrix) {
		route := apiMatrix[key]
		method, path, _ := strings.Cut(key, " ")
		for _, role := range matrixRoles {
			for _, other := range []bool{false, true} {
				hasID := strings.Contains(path, "{id}")
				if other && route.other == 0 {
					continue
				}
				cell := fmt.Sprintf("%s as %s", key, role.name)
				if other {
					cell += " on another organisation's record"
				}
				want := route.ok
				switch {
				case role.user == "" && route.access != accessPublic:
					want = http.StatusUnauthorized
				case route.access != accessPublic && !slices.Contains(role.grants, route.access):
					want = http.StatusForbidden
				case other:
					want = route.other
				}

				var f fixture
				if route.ok != 0 && (hasID || route.body != nil) {
					author := role.author
					if other {
						author = role.foreign
					}
					f = newFixture(author)
					if other && !hasID {
						// A new contact about another organisation's resident.
						f.programme = programmeOf(role.author)
					}
				}
				var body any
				if route.body != nil {
					body = route.body(f)
				}
				p := fillID(path, f)

				if key == "POST /api/v1/login" {
					// A new client logs in as the role's user (nobody logged in
					// logs in as another organisation's worker).
					user := role.user
					if user == "" {
						user = role.foreign
					}
					nc := env.anonymous()
					res := nc.do(method, p, map[string]string{"username": user, "password": demo.Password})
					if res.status != want {
						t.Fatalf("%s: got %s, want %d", cell, res, want)
					}
					nc.csrf, _ = res.json()["csrf_token"].(string)
					clients[user] = nc
					continue
				}
				c := clientOf(role.user)

				before := env.fingerprint(false)
				res := c.do(method, p, body)
				if want == 0 {
					if res.status == http.StatusUnauthorized || res.status == http.StatusForbidden || res.status >= 500 {
						t.Errorf("%s: got %s, want the policy to let it through", cell, res)
						continue
					}
				} else if res.status != want {
					t.Errorf("%s: got %s, want %d", cell, res, want)
					continue
				}
				if res.status >= 300 {
					if res.header.Get("Content-Type") != "application/json; charset=utf-8" || res.errorCode() == "" {
						t.Errorf("%s: error answer is not the JSON error: %s %q", cell, res, res.header.Get("Content-Type"))
					}
					if want == http.StatusUnprocessableEntity && res.field("resident_id") == "" {
						t.Errorf("%s: error does not name resident_id: %s", cell, res)
					}
					if after := env.fingerprint(false); after != before {
						t.Errorf("%s: a refused request changed data", cell)
					}
				}
				// Lists never show another organisation's records.
				if route.ok != 0 && res.status == http.StatusOK && method == http.MethodGet && strings.HasSuffix(path, "s") {
					foreign := newFixture(role.foreign)
					again := c.do(method, path, nil)
					if strings.Contains(string(again.body), foreign.residentID) || strings.Contains(string(again.body), foreign.contactID) {
						t.Errorf("%s: the list shows another organisation's record", cell)
					}
				}
			}
		}
	}
}

// TestCSRFRequired: every state-changing request with a session but without
// (or with a wrong) X-CSRF-Token is refused with 403 and writes nothing.
func TestCSRFRequired(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker, coord := env.login("hoop.worker"), env.login("hoop.coord")
	f := fixture{residentID: coord.newResident(nil), programme: "hoop"}
	f.contactID = coord.newContact("hoop", f.residentID)
	checked := 0
	// Every state-changing route of the router but login (which starts a
	// session), with a valid body where the matrix has one.
	for _, key := range apiRoutes(t, env) {
		method, path, _ := strings.Cut(key, " ")
		if method == http.MethodGet || key == "POST /api/v1/login" {
			continue
		}
		var body any = map[string]any{}
		if route, ok := apiMatrix[key]; ok && route.body != nil {
			body = route.body(f)
		}
		p := fillID(path, f)
		for name, c := range map[string]*client{"no token": coord.withCSRF(""), "another session's token": coord.withCSRF(worker.csrf)} {
			before := env.fingerprint(false)
			res := c.do(method, p, body)
			if res.status != http.StatusForbidden || res.errorCode() != "forbidden" {
				t.Errorf("%s with %s: got %s, want 403 forbidden", key, name, res)
			}
			if env.fingerprint(false) != before {
				t.Errorf("%s with %s: data changed", key, name)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no state-changing route checked")
	}
	// The session is still there: logout without the token did not end it.
	if res := coord.do("GET", "/api/v1/me", nil); res.status != http.StatusOK {
		t.Fatalf("me after refused logout: %s", res)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// Log in before logging out.
	slices.SortStableFunc(keys, func(a, b string) int {
		rank := func(k string) int {
			switch k {
			case "POST /api/v1/login":
				return 0
			case "POST /api/v1/logout":
				return 2
			}
			return 1
		}
		return rank(a) - rank(b)
	})
	return keys
}

// fillID puts the fixture's record in a path: the contact on contact
// routes, the resident on resident routes, an unknown id elsewhere.
func fillID(path string, f fixture) string {
	switch {
	case strings.HasPrefix(path, "/api/v1/contacts/"):
		return strings.Replace(path, "{id}", f.contactID, 1)
	case strings.HasPrefix(path, "/api/v1/residents/"):
		return strings.Replace(path, "{id}", f.residentID, 1)
	}
	return strings.Replace(path, "{id}", uuid.NewString(), 1)
}
