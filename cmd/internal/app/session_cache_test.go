package app

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

// Sessions and their users are cached for a moment (auth.Service); logout,
// deactivation and a password reset must still end a session at once, on
// the very next request, even while it sits in the cache.
func TestSessionCacheEndsAtOnce(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := context.Background()
	me := func(c *client) int { return c.do("GET", "/api/v1/me", nil).status }

	// Logout: the other requests of that session fail; another session lives.
	a, other := env.login("hoop.worker"), env.login("hoop.worker")
	if me(a) != http.StatusOK || me(other) != http.StatusOK {
		t.Fatal("fresh sessions refused")
	}
	base, err := url.Parse(env.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	token := a.http.Jar.Cookies(base)
	if res := a.do("POST", "/api/v1/logout", nil); res.status != http.StatusNoContent {
		t.Fatalf("logout: %s", res)
	}
	replay := env.anonymous()
	replay.http.Jar.SetCookies(base, token)
	if got := me(replay); got != http.StatusUnauthorized {
		t.Errorf("the logged-out session's cookie: %d, want 401", got)
	}
	if got := me(other); got != http.StatusOK {
		t.Errorf("another session of the same user after logout: %d", got)
	}

	// Deactivation ends every session of the user.
	u, err := env.app.Users.ByUsername(ctx, "hoop.worker")
	if err != nil {
		t.Fatal(err)
	}
	second := env.login("hoop.worker")
	if me(other) != http.StatusOK || me(second) != http.StatusOK {
		t.Fatal("sessions refused before deactivation")
	}
	if err := env.app.Users.SetActive(ctx, cases.System, u.ID, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client{other, second} {
		if got := me(c); got != http.StatusUnauthorized {
			t.Errorf("session of a deactivated user: %d, want 401", got)
		}
		if res := c.do("POST", "/api/v1/contacts", contactBody("hoop", "")); res.status != http.StatusUnauthorized {
			t.Errorf("contact by a deactivated user: %s", res)
		}
	}

	// A password reset ends the sessions too.
	if err := env.app.Users.SetActive(ctx, cases.System, u.ID, true); err != nil {
		t.Fatal(err)
	}
	third := env.login("hoop.worker")
	if me(third) != http.StatusOK {
		t.Fatal("session refused after reactivation")
	}
	if err := env.app.ResetPassword(ctx, "hoop.worker", "een-heel-nieuw-wachtwoord"); err != nil {
		t.Fatal(err)
	}
	if got := me(third); got != http.StatusUnauthorized {
		t.Errorf("session after a password reset: %d, want 401", got)
	}
}
