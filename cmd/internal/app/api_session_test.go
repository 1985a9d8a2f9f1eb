package app

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
)

func loginBody(username, password string) map[string]string {
	return map[string]string{"username": username, "password": password}
}

func sessionCookie(t *testing.T, res response) *http.Cookie {
	t.Helper()
	for _, line := range res.header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && c.Name == "buurtbrug_session" {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", res.header)
	return nil
}

func TestLogin(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.anonymous()
	res := c.do("POST", "/api/v1/login", loginBody("hoop.worker", demo.Password))
	if res.status != http.StatusOK {
		t.Fatalf("login: %s", res)
	}
	body := res.json()
	user := body["user"].(map[string]any)
	if user["username"] != "hoop.worker" || user["organisation"] != "al-amal" || body["csrf_token"] == "" {
		t.Errorf("login answer: %s", res.body)
	}
	for _, secret := range []string{"password", "argon2", "hash"} {
		if contains(res.body, secret) {
			t.Errorf("login answer mentions %q: %s", secret, res.body)
		}
	}
	cookie := sessionCookie(t, res)
	// A browser-session cookie: no Max-Age or Expires, so closing a shared
	// tablet's browser drops it.
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Secure ||
		cookie.MaxAge != 0 || !cookie.Expires.IsZero() || len(cookie.Value) < 32 {
		t.Errorf("session cookie: %+v", cookie)
	}
	c.csrf = body["csrf_token"].(string)

	me := c.do("GET", "/api/v1/me", nil)
	if me.status != http.StatusOK {
		t.Fatalf("me: %s", me)
	}
	m := me.json()
	if m["csrf_token"] != c.csrf || m["organisation"].(map[string]any)["slug"] != "al-amal" ||
		fmt.Sprint(m["roles"]) != "[worker]" || m["user"].(map[string]any)["programme"] != "hoop" {
		t.Errorf("me: %s", me.body)
	}
	ref := c.do("GET", "/api/v1/reference", nil)
	if ref.status != http.StatusOK {
		t.Fatalf("reference: %s", ref)
	}
	programmes := ref.json()["programmes"].([]any)
	if len(programmes) != 1 || programmes[0].(map[string]any)["slug"] != "hoop" {
		t.Errorf("reference lists other organisations' programmes: %v", programmes)
	}
	for _, list := range []string{"neighbourhoods", "topics", "outcomes", "kinds"} {
		if items, _ := ref.json()[list].([]any); len(items) == 0 {
			t.Errorf("reference has no %s", list)
		}
	}

	// Logout ends the session on the server, not only in the browser.
	out := c.do("POST", "/api/v1/logout", nil)
	if out.status != http.StatusNoContent || sessionCookie(t, out).MaxAge >= 0 {
		t.Fatalf("logout: %s %v", out, out.header.Values("Set-Cookie"))
	}
	if res := c.do("GET", "/api/v1/me", nil); res.status != http.StatusUnauthorized {
		t.Errorf("me after logout: %s", res)
	}
	replay := env.anonymous()
	req, _ := http.NewRequest("GET", env.srv.URL+"/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	old, err := replay.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	old.Body.Close()
	if old.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old cookie still works after logout: %d", old.StatusCode)
	}
	if n := env.count(`SELECT COUNT(*) FROM sessions`); n != 0 {
		t.Errorf("%d sessions after logout", n)
	}
	// Usernames are not case-sensitive.
	if res := env.anonymous().do("POST", "/api/v1/login", loginBody(" HOOP.Worker ", demo.Password)); res.status != http.StatusOK {
		t.Errorf("login with capitals: %s", res)
	}

	// Unknown users and wrong passwords get the same answer.
	for _, lang := range []string{"", "en"} {
		c := env.anonymousFrom("127.0.0.2").withLang(lang)
		unknown := c.do("POST", "/api/v1/login", loginBody("nobody.here", demo.Password))
		wrong := c.do("POST", "/api/v1/login", loginBody("hoop.worker", "wrong-password"))
		if unknown.status != http.StatusUnauthorized || string(unknown.body) != string(wrong.body) || wrong.status != unknown.status {
			t.Errorf("%q: unknown user %s, wrong password %s", lang, unknown, wrong)
		}
		if contains(unknown.body, "nobody") || len(unknown.header.Values("Set-Cookie")) != 0 {
			t.Errorf("%q: failed login answer: %s %v", lang, unknown, unknown.header)
		}
	}
}

// TestLoginThrottling: failures count per username and address together,
// so a worker's mistakes lock neither the office (one address) nor the
// worker elsewhere; an address and a username alone have limits of their own.
func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// Five failures of one username from one address: that pair waits,
	// even with the right password, and is told how long ...
	office := env.anonymousFrom("127.0.0.10")
	for i := range 5 {
		if res := office.do("POST", "/api/v1/login", loginBody("hoop.worker", "wrong-password")); res.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %s", i, res)
		}
	}
	res := office.do("POST", "/api/v1/login", loginBody("hoop.worker", demo.Password))
	if res.status != http.StatusTooManyRequests || res.errorCode() != "too_many" || res.header.Get("Retry-After") != "900" {
		t.Fatalf("sixth attempt: %s %v", res, res.header)
	}
	if res := office.do("POST", "/api/v1/login", loginBody("HOOP.WORKER", demo.Password)); res.status != http.StatusTooManyRequests {
		t.Errorf("same username in capitals: %s", res)
	}
	// ... while every other user of that office logs in, and the same
	// worker from another address too.
	if res := office.do("POST", "/api/v1/login", loginBody("hoop.coord", demo.Password)); res.status != http.StatusOK {
		t.Errorf("a colleague behind the same address: %s", res)
	}
	if res := env.anonymousFrom("127.0.0.11").do("POST", "/api/v1/login", loginBody("hoop.worker", demo.Password)); res.status != http.StatusOK {
		t.Errorf("the same worker elsewhere: %s", res)
	}
	// After the lock, one more failure locks twice as long.
	env.clock.Advance(15*time.Minute + time.Second)
	if res := office.do("POST", "/api/v1/login", loginBody("hoop.worker", "wrong-again")); res.status != http.StatusUnauthorized {
		t.Fatalf("after the lock: %s", res)
	}
	if res := office.do("POST", "/api/v1/login", loginBody("hoop.worker", demo.Password)); res.status != http.StatusTooManyRequests ||
		res.header.Get("Retry-After") != "1800" {
		t.Errorf("sixth failure: %s %v", res, res.header)
	}
	// A coordinator lifts the lock; a success then forgets the pair.
	coord := env.login("hoop.coord")
	u, _ := env.app.Users.ByUsername(t.Context(), "hoop.worker")
	if res := coord.do("POST", fmt.Sprintf("/api/v1/users/%d/unlock", u.ID), nil); res.status != http.StatusNoContent {
		t.Fatalf("unlock: %s", res)
	}
	if res := office.do("POST", "/api/v1/login", loginBody("hoop.worker", demo.Password)); res.status != http.StatusOK {
		t.Errorf("after unlocking: %s", res)
	}
	if n := env.count(`SELECT COUNT(*) FROM login_failures WHERE username = 'hoop.worker'`); n != 0 {
		t.Errorf("%d failures kept after a success", n)
	}

	// Many failures from one address, for many usernames: the address
	// waits once they reach 50 in 15 minutes, for everyone.
	attacker := env.anonymousFrom("127.0.0.30")
	for i := range 50 {
		if res := attacker.do("POST", "/api/v1/login", loginBody(fmt.Sprintf("guess%d", i), "x")); res.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %s", i, res)
		}
	}
	if res := attacker.do("POST", "/api/v1/login", loginBody("dock.coord", demo.Password)); res.status != http.StatusTooManyRequests {
		t.Errorf("from a throttled address: %s", res)
	}
	if res := env.anonymousFrom("127.0.0.31").do("POST", "/api/v1/login", loginBody("dock.coord", demo.Password)); res.status != http.StatusOK {
		t.Errorf("from another address: %s", res)
	}
	env.clock.Advance(15*time.Minute + time.Second)
	if res := attacker.do("POST", "/api/v1/login", loginBody("dock.coord", demo.Password)); res.status != http.StatusOK {
		t.Errorf("address after the window: %s", res)
	}
	// Every refusal is in the audit log.
	if n := env.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'`); n < 56 {
		t.Errorf("%d failed logins audited", n)
	}
	if n := env.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'login_throttled'`); n < 3 {
		t.Errorf("%d throttled logins audited", n)
	}
}

// TestLoginRace: 40 wrong logins at once for one username from one address
// are counted before any password is checked, so at most five are checked
// (401) and the rest wait (429); the right password of another user from
// another address is then let in at once.
func TestLoginRace(t *testing.T) {
	env := newTestEnv(t)
	statuses := make(chan int, 40)
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := env.anonymousFrom("127.0.0.40")
			statuses <- c.do("POST", "/api/v1/login", loginBody("dock.worker", "wrong-password")).status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	if count[http.StatusUnauthorized] > 5 || count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != 40 {
		t.Errorf("40 parallel wrong logins: %v", count)
	}
	if res := env.anonymousFrom("127.0.0.41").do("POST", "/api/v1/login", loginBody("hoop.worker", demo.Password)); res.status != http.StatusOK {
		t.Errorf("another user from another address: %s", res)
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// Idle: half an hour without a request ends the session (a shared
	// tablet left behind).
	idle := env.login("hoop.worker")
	env.clock.Advance(29 * time.Minute)
	if res := idle.do("GET", "/api/v1/me", nil); res.status != http.StatusOK {
		t.Fatalf("after 29 minutes: %s", res)
	}
	env.clock.Advance(29 * time.Minute)
	if res := idle.do("GET", "/api/v1/me", nil); res.status != http.StatusOK {
		t.Fatalf("used again within half an hour: %s", res)
	}
	env.clock.Advance(31 * time.Minute)
	res := idle.do("GET", "/api/v1/me", nil)
	if res.status != http.StatusUnauthorized || res.errorCode() != "unauthorized" {
		t.Errorf("after 31 idle minutes: %s", res)
	}

	// Absolute: twelve hours after login, however busy.
	busy := env.login("hoop.worker")
	for step := 1; step <= 11*3; step++ {
		env.clock.Advance(20 * time.Minute)
		if res := busy.do("GET", "/api/v1/me", nil); res.status != http.StatusOK {
			t.Fatalf("after %d minutes: %s", step*20, res)
		}
	}
	env.clock.Advance(time.Hour + time.Second)
	if res := busy.do("GET", "/api/v1/me", nil); res.status != http.StatusUnauthorized {
		t.Errorf("after 12 hours: %s", res)
	}
	if res := busy.do("POST", "/api/v1/contacts", contactBody("hoop", "")); res.status != http.StatusUnauthorized {
		t.Errorf("write after 12 hours: %s", res)
	}
}

// contains reports whether body mentions s, ignoring case.
func contains(body []byte, s string) bool {
	return strings.Contains(strings.ToLower(string(body)), strings.ToLower(s))
}

// TestNewLoginEndsOldSession: on a shared tablet, logging in as another
// user ends the session the browser still held.
func TestNewLoginEndsOldSession(t *testing.T) {
	env := newTestEnv(t)
	tablet := env.login("hoop.worker")
	old := tablet.do("GET", "/api/v1/me", nil)
	if old.status != http.StatusOK {
		t.Fatal(old)
	}
	res := tablet.do("POST", "/api/v1/login", loginBody("hoop.coord", demo.Password))
	if res.status != http.StatusOK {
		t.Fatal(res)
	}
	if n := env.count(`SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'hoop.worker'`); n != 0 {
		t.Errorf("the earlier session of hoop.worker is still there (%d)", n)
	}
}
