package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/auth"
	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/buurtbrug/buurtbrug/storage"
	"github.com/buurtbrug/buurtbrug/storage/storagetest"
)

// TestMain runs the tests on SQLite and, with BUURTBRUG_TEST_POSTGRES, those
// on a database again on PostgreSQL.
func TestMain(m *testing.M) {
	storagetest.Main(m, func(ctx context.Context, dsn string) error {
		db, err := storage.Open(ctx, dsn)
		if err != nil {
			return err
		}
		return db.Close()
	})
}

// testEnv is a real server on a real database with the demo logins: a
// SQLite file, or with BUURTBRUG_TEST_POSTGRES (a second run of the tests)
// a PostgreSQL database of its own.
type testEnv struct {
	t      *testing.T
	app    *App
	srv    *httptest.Server
	dbPath string // the file or the URL
	clock  *testClock
	notify NotifyConfig // notifications (notify_helpers_test.go)
}

// testClock is a settable clock shared by the database and the sessions.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *testClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// demoPasswordHash hashes the demo password once for all tests: argon2id is
// deliberately slow, and every test creates the ten demo users.
var demoPasswordHash = sync.OnceValue(func() string {
	hash, err := auth.HashPassword(demo.Password)
	if err != nil {
		panic(err)
	}
	return hash
})

// testPasswords hashes the demo password once for all tests (argon2id is
// deliberately slow, and every test makes the ten demo accounts); any other
// password is hashed for real.
type testPasswords struct{ *auth.Passwords }

func (p testPasswords) Hash(password string) (string, error) {
	if password == demo.Password {
		return demoPasswordHash(), nil
	}
	return p.Passwords.Hash(password)
}

// testSecret keys pseudonyms in tests; a made-up value, like all test data.
const testSecret = "test-secret-0123456789abcdef0123456789abcdef"

// demoUsersOnly seeds the demo accounts without the made-up residents, so
// tests start from a known, small state.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	env := &testEnv{t: t, dbPath: storagetest.DSN(t, "test"),
		clock: &testClock{now: time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)}}
	env.open()
	ctx := context.Background()
	if _, err := demo.CreateUsers(ctx, demoServices(env.app)); err != nil {
		t.Fatalf("creating the demo users: %v", err)
	}
	return env
}

func (e *testEnv) open() {
	e.t.Helper()
	a, err := Open(context.Background(), Config{DBPath: e.dbPath, Secret: testSecret, Now: e.clock.Now,
		Passwords: testPasswords{auth.NewPasswords(runtime.GOMAXPROCS(0), 5*time.Second)}, Notify: e.notify})
	if err != nil {
		e.t.Fatalf("open: %v", err)
	}
	e.app = a
	e.srv = httptest.NewServer(a.Handler)
	e.t.Cleanup(e.close)
}

func (e *testEnv) close() {
	if e.srv != nil {
		e.srv.Close()
		e.srv = nil
	}
	if e.app != nil {
		e.app.Close()
		e.app = nil
	}
}

// restart closes the server and database and opens them again on the same file.
func (e *testEnv) restart() {
	e.close()
	e.open()
}

// client is a browser-like API client with its own cookies and CSRF token.
type client struct {
	env  *testEnv
	http *http.Client
	csrf string
	lang string
}

func (e *testEnv) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{env: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login logs a demo user in through the API.
func (e *testEnv) login(username string) *client {
	e.t.Helper()
	c := e.anonymous()
	res := c.do("POST", "/api/v1/login", map[string]string{"username": username, "password": demo.Password})
	if res.status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", username, res.status, res.body)
	}
	c.csrf = res.json()["csrf_token"].(string)
	return c
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json() map[string]any {
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		panic("not a JSON object: " + string(r.body))
	}
	return m
}

// field returns the error message for one field, or "".
func (r response) field(name string) string {
	var body struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &body)
	return body.Error.Fields[name]
}

// errorCode returns error.code of a JSON error answer.
func (r response) errorCode() string {
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &body)
	return body.Error.Code
}

// do sends a request; body may be nil, a string/[]byte (sent as is) or a
// value encoded as JSON. The CSRF header is sent when the client has one.
func (c *client) do(method, path string, body any) response {
	c.env.t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	case []byte:
		reader = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.env.t.Fatal(err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.env.srv.URL+path, reader)
	if err != nil {
		c.env.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.env.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: data}
}

// demoServices are the use cases the demo data is loaded through.
func demoServices(a *App) demo.Services {
	return demo.Services{Store: a.DB, Users: a.Users, Residents: a.Residents, Handovers: a.Handovers}
}
