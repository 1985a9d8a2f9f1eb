package handlers

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/buurtbrug/buurtbrug/cases"
)

// pathParams are the values the route parameters get in these tests.
var pathParams = regexp.MustCompile(`[:*][a-z]+`)

// Every API request that changes state needs the session's CSRF token in
// its header; without it, or with another, it is refused before any use
// case runs. Reads need none. Without a session the API answers 401.
func TestAPIWritesNeedCSRF(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	checked := 0
	for _, route := range ts.routes("/api/") {
		method, path, _ := strings.Cut(route, " ")
		if method == http.MethodGet || method == http.MethodHead || route == "POST /api/v1/login" {
			continue
		}
		path = pathParams.ReplaceAllString(path, "x")
		for name, token := range map[string]string{"no token": "", "another token": "not-" + workerCSRF} {
			req := apiRequest(method, path, `{}`)
			req.Header.Set(csrfHeader, token)
			rec := ts.do(req)
			if body := apiErrorOf(t, rec); rec.Code != http.StatusForbidden || body.Error.Code != cases.EFORBIDDEN ||
				body.Error.Message != text(t, "nl", "csrf") {
				t.Errorf("%s with %s: %d %s", route, name, rec.Code, rec.Body)
			}
		}
		checked++
	}
	if checked < 15 {
		t.Errorf("only %d state-changing routes checked", checked)
	}
	if len(ts.contacts.created) != 0 {
		t.Error("a refused request reached the use case")
	}
	// A read needs no token.
	req := apiRequest("GET", "/api/v1/residents/x", "")
	req.Header.Del(csrfHeader)
	if rec := ts.do(req); rec.Code != http.StatusOK {
		t.Errorf("a read without a CSRF token: %d %s", rec.Code, rec.Body)
	}
	// Without a session: 401 on the API, the login page for pages.
	for _, method := range []string{"GET", "POST"} {
		rec := ts.do(httptest.NewRequest(method, "/api/v1/residents", strings.NewReader("{}")))
		if rec.Code != http.StatusUnauthorized || apiErrorOf(t, rec).Error.Code != cases.EUNAUTHORIZED {
			t.Errorf("%s without a session: %d %s", method, rec.Code, rec.Body)
		}
	}
	if rec := ts.do(httptest.NewRequest("GET", "/contacts", nil)); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
		t.Errorf("a page without a session: %d %v", rec.Code, rec.Header())
	}
}

// Posted forms need the session's CSRF token as a form field.
func TestPageFormsNeedCSRF(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for name, form := range map[string]url.Values{"no token": {}, "another token": {csrfField: {"not-" + workerCSRF}}} {
		req := httptest.NewRequest("POST", "/logout", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: workerToken})
		rec := ts.do(req)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), text(t, "nl", "csrf")) {
			t.Errorf("logout form with %s: %d", name, rec.Code)
		}
	}
}

// allow asks the policy about the session's user, organisation and
// generation for the route's object and action, and answers 403 when the
// policy says no, before any use case runs.
func TestAllowAsksThePolicy(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.policy.deny["*"] = true
	// The routes a session may use without a permission of the policy.
	open := []string{"GET /api/v1/openapi.json", "POST /api/v1/login", "POST /api/v1/logout", "GET /api/v1/me"}
	refused := 0
	for _, route := range ts.routes("/api/") {
		if slices.Contains(open, route) {
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		rec := ts.do(apiRequest(method, pathParams.ReplaceAllString(path, "x"), `{}`))
		if body := apiErrorOf(t, rec); rec.Code != http.StatusForbidden || body.Error.Code != cases.EFORBIDDEN ||
			body.Error.Message != text(t, "nl", "forbidden") {
			t.Errorf("%s: %d %s", route, rec.Code, rec.Body)
		}
		refused++
	}
	if refused < 20 || len(ts.policy.asked) != refused {
		t.Errorf("%d routes refused, the policy was asked %d times", refused, len(ts.policy.asked))
	}

	ts.policy.asked, ts.policy.deny = nil, map[string]bool{"contacts write": true}
	if rec := ts.do(apiRequest("POST", "/api/v1/contacts", `{}`)); rec.Code != http.StatusForbidden {
		t.Errorf("contacts write refused: %d", rec.Code)
	}
	if want := []string{"42 hoop.worker al-amal contacts write"}; !slices.Equal(ts.policy.asked, want) {
		t.Errorf("the policy was asked %q, want %q", ts.policy.asked, want)
	}
	if rec := ts.do(apiRequest("GET", "/api/v1/residents/x", "")); rec.Code != http.StatusOK {
		t.Errorf("a permitted route: %d", rec.Code)
	}
	if len(ts.contacts.created) != 0 {
		t.Error("a refused request reached the use case")
	}

	// A page answers with a page.
	ts.policy.deny["contacts read"] = true
	req := httptest.NewRequest("GET", "/contacts", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: workerToken})
	if rec := ts.do(req); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), text(t, "nl", "forbidden")) {
		t.Errorf("a refused page: %d", rec.Code)
	}
}

// A monitor token opens the reach figures for reading only, without a
// session or the policy.
func TestMonitorTokenOnlyReads(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	bearer := func(method, path, secret string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(`{"period":"2024"}`))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		return ts.do(req)
	}
	if rec := bearer("GET", "/api/v1/reach/published", monitorSecret); rec.Code != http.StatusOK {
		t.Errorf("published, with the token: %d %s", rec.Code, rec.Body)
	}
	if rec := bearer("POST", "/api/v1/reach/publish", monitorSecret); rec.Code != http.StatusForbidden {
		t.Errorf("publish, with the token: %d %s", rec.Code, rec.Body)
	}
	if rec := bearer("GET", "/api/v1/reach/published", "bbr_wrong"); rec.Code != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d", rec.Code)
	}
	if rec := bearer("GET", "/api/v1/residents", monitorSecret); rec.Code != http.StatusUnauthorized {
		t.Errorf("the token outside the reach figures: %d", rec.Code)
	}
	if len(ts.policy.asked) != 0 {
		t.Errorf("the policy was asked about a token: %q", ts.policy.asked)
	}
}

// Every answer carries the security headers; pages and API answers, which
// may hold personal data, are never cached; HSTS only over TLS or behind a
// TLS proxy.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	plain, proxied := newTestServer(t), newTestServer(t, func(s *Server) { s.SecureCookies = true })
	for _, tc := range []struct {
		name    string
		req     func() *http.Request
		cached  bool
		proxied bool
	}{
		{"health", func() *http.Request { return httptest.NewRequest("GET", "/healthz", nil) }, false, false},
		{"an API answer", func() *http.Request { return apiRequest("GET", "/api/v1/residents/x", "") }, false, false},
		{"an API error", func() *http.Request { return httptest.NewRequest("GET", "/api/v1/me", nil) }, false, false},
		{"the login page", func() *http.Request { return httptest.NewRequest("GET", "/login", nil) }, false, false},
		{"an unknown page", func() *http.Request { return httptest.NewRequest("GET", "/nothing", nil) }, false, false},
		{"a static file", func() *http.Request { return httptest.NewRequest("GET", "/static/app.css", nil) }, true, false},
		{"over TLS", func() *http.Request {
			req := httptest.NewRequest("GET", "/login", nil)
			req.TLS = &tls.ConnectionState{}
			return req
		}, false, true},
	} {
		for _, ts := range []*testServer{plain, proxied} {
			rec := ts.do(tc.req())
			h := rec.Header()
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self'") ||
				!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-") {
				t.Errorf("%s: CSP %q", tc.name, csp)
			}
			for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
				"Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin",
				"Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()"} {
				if got := h.Get(name); got != want {
					t.Errorf("%s: %s %q, want %q", tc.name, name, got, want)
				}
			}
			if noStore := h.Get("Cache-Control") == "no-store"; noStore == tc.cached {
				t.Errorf("%s: Cache-Control %q", tc.name, h.Get("Cache-Control"))
			}
			if hsts := h.Get("Strict-Transport-Security") != ""; hsts != (tc.proxied || ts == proxied) {
				t.Errorf("%s (secure cookies %v): HSTS %q", tc.name, ts == proxied, h.Get("Strict-Transport-Security"))
			}
		}
	}
}

// Messages follow the chosen language (cookie), else the browser's
// (Accept-Language), else Dutch; field problems are explained in the same
// language, naming the field by its label.
func TestMessagesInDutchOrEnglish(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, tc := range []struct {
		accept, cookie, want string
	}{
		{"", "", "nl"},
		{"nl-NL,nl;q=0.9", "", "nl"},
		{"en-GB,en;q=0.9", "", "en"},
		{"en", "", "en"},
		{"fr-FR", "", "nl"},
		{"en", "nl", "nl"},
		{"nl", "en", "en"},
		{"en", "de", "en"}, // an unknown choice is ignored
	} {
		req := apiRequest("POST", "/api/v1/contacts", `{}`)
		req.Header.Del(csrfHeader)
		req.Header.Set("Accept-Language", tc.accept)
		if tc.cookie != "" {
			req.AddCookie(&http.Cookie{Name: langCookie, Value: tc.cookie})
		}
		if got, want := apiErrorOf(t, ts.do(req)).Error.Message, text(t, tc.want, "csrf"); got != want {
			t.Errorf("Accept-Language %q, cookie %q: %q, want %q", tc.accept, tc.cookie, got, want)
		}
	}
	ts.residents.err = cases.FieldInvalid("birth_date", "past", "")
	fieldIn := func(lang string) string {
		req := apiRequest("GET", "/api/v1/residents/x", "")
		req.Header.Set("Accept-Language", lang)
		body := apiErrorOf(t, ts.do(req))
		if body.Error.Message != text(t, lang, "invalid_input") {
			t.Errorf("%s: message %q", lang, body.Error.Message)
		}
		return body.Error.Fields["birth_date"]
	}
	for _, lang := range []string{"nl", "en"} {
		if got, want := fieldIn(lang), text(t, lang, "field.past", text(t, lang, "label.birth_date")); got != want {
			t.Errorf("%s: the birth date's problem %q, want %q", lang, got, want)
		}
	}
	if fieldIn("nl") == fieldIn("en") {
		t.Error("the field problem reads the same in Dutch and English")
	}
}
