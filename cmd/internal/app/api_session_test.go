package app

import (
	"fmt"
	"net/http"
	"strings"
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
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.Secure ||
		cookie.MaxAge != int((12*time.Hour).Seconds()) || len(cookie.Value) < 32 {
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

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// Five failures for one username, each from another address: the
	// username is throttled everywhere, even with the right password ...
	for i := range 5 {
		c := env.anonymousFrom(fmt.Sprintf("127.0.0.%d", 10+i))
		if res := c.do("POST", "/api/v1/login", loginBody("hoop.worker", "wrong-password")); res.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %s", i, res)
		}
	}
	fresh := env.anonymousFrom("127.0.0.20")
	res := fresh.do("POST", "/api/v1/login", loginBody("hoop.worker", demo.Password))
	if res.status != http.StatusTooManyRequests || res.errorCode() != "too_many" || res.header.Get("Retry-After") == "" {
		t.Fatalf("sixth attempt: %s %v", res, res.header)
	}
	if res := fresh.do("POST", "/api/v1/login", loginBody("HOOP.WORKER", demo.Password)); res.status != http.StatusTooManyRequests {
		t.Errorf("same username in capitals: %s", res)
	}
	// ... while other users from that address log in.
	if res := fresh.do("POST", "/api/v1/login", loginBody("dock.worker", demo.Password)); res.status != http.StatusOK {
		t.Errorf("another user: %s", res)
	}

	// Five failures from one address, each for another username: the
	// address is throttled for everyone.
	attacker := env.anonymousFrom("127.0.0.30")
	for i := range 5 {
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

	// After the window, both may try again.
	env.clock.Advance(15*time.Minute + time.Second)
	if res := fresh.do("POST", "/api/v1/login", loginBody("hoop.worker", demo.Password)); res.status != http.StatusOK {
		t.Errorf("username after the window: %s", res)
	}
	if res := attacker.do("POST", "/api/v1/login", loginBody("dock.coord", demo.Password)); res.status != http.StatusOK {
		t.Errorf("address after the window: %s", res)
	}
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// Idle: two hours without a request ends the session.
	idle := env.login("hoop.worker")
	env.clock.Advance(2*time.Hour - time.Minute)
	if res := idle.do("GET", "/api/v1/me", nil); res.status != http.StatusOK {
		t.Fatalf("after 1h59m: %s", res)
	}
	env.clock.Advance(2*time.Hour - time.Minute)
	if res := idle.do("GET", "/api/v1/me", nil); res.status != http.StatusOK {
		t.Fatalf("used again within 2 hours: %s", res)
	}
	env.clock.Advance(2*time.Hour + time.Minute)
	res := idle.do("GET", "/api/v1/me", nil)
	if res.status != http.StatusUnauthorized || res.errorCode() != "unauthorized" {
		t.Errorf("after 2 idle hours: %s", res)
	}

	// Absolute: twelve hours after login, however busy.
	busy := env.login("hoop.worker")
	for h := 1; h <= 11; h++ {
		env.clock.Advance(time.Hour)
		if res := busy.do("GET", "/api/v1/me", nil); res.status != http.StatusOK {
			t.Fatalf("after %d hours: %s", h, res)
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
