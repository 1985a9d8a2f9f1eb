package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/auth"
	"github.com/buurtbrug/buurtbrug/cases"
)

// The handler tests run the real router on fakes of the use cases
// (services.go). Each fake embeds its interface, left nil, and implements
// only what a test needs: any other call panics, which the server's
// recovery answers with 500, so a refused request that answers 4xx also
// shows that no use case ran.

var testNow = time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)

// The session the tests log in with: a worker of Al Amal.
const (
	workerToken = "worker-session-token"
	workerCSRF  = "worker-csrf-token"
)

var testWorker = &cases.User{ID: 7, Username: "hoop.worker", DisplayName: "Hoop Worker", OrganisationID: 1,
	OrganisationSlug: "al-amal", Programme: "hoop", Roles: []string{cases.RoleWorker}, Active: true}

type fakeAuth struct {
	authService
	sessions map[string]*auth.Session
}

func (f *fakeAuth) Authenticate(_ context.Context, token string) (*auth.Session, error) {
	if s, ok := f.sessions[token]; ok {
		return s, nil
	}
	return nil, cases.Errorf(cases.EUNAUTHORIZED, "login_required")
}

func (f *fakeAuth) Now() time.Time { return testNow }

// fakePolicy allows everything but the "object action" pairs in deny, and
// records what it was asked.
type fakePolicy struct {
	mu    sync.Mutex
	deny  map[string]bool
	asked []string // "generation user organisation object action"
}

func (p *fakePolicy) Allowed(_ context.Context, gen int64, user, organisation, obj, act string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, strings.Join([]string{strconv.FormatInt(gen, 10), user, organisation, obj, act}, " "))
	return !p.deny["*"] && !p.deny[obj+" "+act]
}

type fakeReference struct{ referenceCases }

func (fakeReference) Reference(context.Context, int64) (*cases.Reference, error) {
	return cases.Reference{Organisations: []cases.Organisation{{ID: 1, Slug: "al-amal", Name: "Al Amal"}}}.Indexed(), nil
}

// fakeResidents answers ByID with err, when set.
type fakeResidents struct {
	residentCases
	err error
}

func (f *fakeResidents) ByID(_ context.Context, _ cases.Actor, id string) (*cases.Resident, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &cases.Resident{ID: id, GivenName: "Fatima"}, nil
}

// fakeContacts records what Create was given.
type fakeContacts struct {
	contactCases
	created []cases.ContactInput
}

func (f *fakeContacts) Create(_ context.Context, _ cases.Actor, in cases.ContactInput) (*cases.Contact, bool, error) {
	f.created = append(f.created, in)
	return &cases.Contact{ID: in.ID, Note: in.Note}, true, nil
}

type fakeHandovers struct{ handoverCases }
type fakeUsers struct{ userCases }

// fakeReach lists no publications.
type fakeReach struct{ reachCases }

func (fakeReach) Published(context.Context) ([]cases.ReachPublication, error) {
	return []cases.ReachPublication{}, nil
}

// fakeTokens knows one monitor token.
type fakeTokens struct{ tokenCases }

const monitorSecret = "bbr_monitor"

func (fakeTokens) Authenticate(_ context.Context, secret string) (*cases.ReachToken, error) {
	if secret == monitorSecret {
		return &cases.ReachToken{ID: 1, Name: "monitor"}, nil
	}
	return nil, cases.Errorf(cases.EUNAUTHORIZED, "token_invalid")
}

type fakeTimeline struct{ timelineCases }
type fakePrivacy struct{ privacyCases }
type fakeDirectory struct{ directoryCases }
type fakeMail struct{ mailCases }

// fakeAudit records the refusals allow reports, as "METHOD path".
type fakeAudit struct {
	auditCases
	mu      sync.Mutex
	refused []string
}

func (f *fakeAudit) Refused(_ context.Context, _ cases.Actor, what string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refused = append(f.refused, what)
	return nil
}

// fakeNotify has nothing unread and sends no mail: the menu of every page
// asks it.
type fakeNotify struct{ notifyCases }

func (fakeNotify) Unread(context.Context, cases.Actor) (cases.Unread, error) {
	return cases.Unread{}, nil
}
func (fakeNotify) SendsMail() bool { return false }

// testServer is the router on the fakes.
type testServer struct {
	t         *testing.T
	handler   http.Handler
	engine    *gin.Engine
	services  Services
	auth      *fakeAuth
	policy    *fakePolicy
	audit     *fakeAudit
	residents *fakeResidents
	contacts  *fakeContacts
	log       *bytes.Buffer
}

func newTestServer(t *testing.T, configure ...func(*Server)) *testServer {
	t.Helper()
	ts := &testServer{t: t, policy: &fakePolicy{deny: map[string]bool{}}, audit: &fakeAudit{}, residents: &fakeResidents{},
		contacts: &fakeContacts{}, log: &bytes.Buffer{}}
	ts.auth = &fakeAuth{sessions: map[string]*auth.Session{workerToken: {Token: workerToken, CSRFToken: workerCSRF,
		User: testWorker, ExpiresAt: testNow.Add(time.Hour), Generation: 42}}}
	srv := &Server{
		// A fake of every interface of services.go (TestEveryServiceIsFaked).
		Services: Services{
			Auth: ts.auth, Policy: ts.policy, Reference: fakeReference{}, Residents: ts.residents, Contacts: ts.contacts,
			Handovers: fakeHandovers{}, Timeline: fakeTimeline{}, Users: fakeUsers{}, Reach: fakeReach{}, Tokens: fakeTokens{},
			Privacy: fakePrivacy{}, Audit: ts.audit, Notify: fakeNotify{}, Directory: fakeDirectory{}, Mail: fakeMail{},
		},
		Log: slog.New(slog.NewTextHandler(&syncWriter{w: ts.log}, nil)),
	}
	for _, c := range configure {
		c(srv)
	}
	h, err := srv.Handler()
	if err != nil {
		t.Fatal(err)
	}
	ts.handler, ts.engine, ts.services = h, h.(*gin.Engine), srv.Services
	return ts
}

// login adds a session of user to the fake and returns its token and
// CSRF token.
func (ts *testServer) login(user *cases.User) (token, csrf string) {
	token, csrf = user.Username+"-session-token", user.Username+"-csrf-token"
	ts.auth.sessions[token] = &auth.Session{Token: token, CSRFToken: csrf, User: user, ExpiresAt: testNow.Add(time.Hour),
		Generation: 42}
	return token, csrf
}

// syncWriter lets the server log from its goroutines into one buffer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// apiRequest is a request of the logged-in worker: session cookie, CSRF
// header and, with a body, the JSON content type.
func apiRequest(method, path, body string) *http.Request {
	return apiRequestOf(workerToken, workerCSRF, method, path, body)
}

// apiRequestOf is apiRequest in the session of token.
func apiRequestOf(token, csrf, method, path, body string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	req.Header.Set(csrfHeader, csrf)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func (ts *testServer) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	ts.handler.ServeHTTP(rec, req)
	return rec
}

// apiErrorOf decodes an error answer.
func apiErrorOf(t *testing.T, rec *httptest.ResponseRecorder) apiError {
	t.Helper()
	var body apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("not a JSON error (%d): %s", rec.Code, rec.Body)
	}
	return body
}

// routes lists the router's routes as "METHOD path": those under prefix,
// or with prefix "" the pages (every route not under /api/).
func (ts *testServer) routes(prefix string) []string {
	var out []string
	for _, r := range ts.engine.Routes() {
		if prefix == "" && !strings.HasPrefix(r.Path, "/api/") || prefix != "" && strings.HasPrefix(r.Path, prefix) {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// Every interface of services.go has a fake in the test server, so a
// route that calls a use case reaches a fake (which panics on a method it
// lacks) and never a nil interface.
func TestEveryServiceIsFaked(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	v := reflect.ValueOf(ts.services)
	for i := range v.NumField() {
		if f := v.Field(i); f.IsNil() {
			t.Errorf("Services.%s (%s) has no fake", v.Type().Field(i).Name, f.Type())
		}
	}
	if v.NumField() < 15 {
		t.Errorf("Services has %d fields: the test no longer sees them all", v.NumField())
	}
}
