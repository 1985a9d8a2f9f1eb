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

// pageRequest is a page request of the session token; a POST sends form
// (with csrf as its token, when given).
func pageRequest(method, path, token, csrf string) *http.Request {
	form := url.Values{}
	if csrf != "" {
		form.Set(csrfField, csrf)
	}
	var req *http.Request
	if method == http.MethodPost {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	return req
}

// publicPages are the routes outside /api/ that need no session.
var publicPages = []string{"GET /healthz", "GET /metrics", "GET /static/*path", "HEAD /static/*path", "GET /sw.js",
	"GET /manifest.webmanifest", "GET /", "GET /login", "POST /login", "GET /lang/:lang"}

// Every posted form of a session needs the session's CSRF token as a form
// field; without it, or with another, it is refused before the policy is
// asked or any use case runs.
func TestPageFormsNeedCSRF(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	checked := 0
	for _, route := range ts.routes("") {
		method, path, _ := strings.Cut(route, " ")
		if method != http.MethodPost || slices.Contains(publicPages, route) {
			continue
		}
		for name, csrf := range map[string]string{"no token": "", "another token": "not-" + workerCSRF} {
			rec := ts.do(pageRequest(method, pathParams.ReplaceAllString(path, "x"), workerToken, csrf))
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), text(t, "nl", "csrf")) {
				t.Errorf("%s with %s: %d", route, name, rec.Code)
			}
		}
		checked++
	}
	if checked < 30 || len(ts.policy.asked) != 0 {
		t.Errorf("%d forms checked; the policy was asked %d times", checked, len(ts.policy.asked))
	}
}

// openAPIRoutes and openPages are the routes a session may use without a
// permission of the policy: its own account, its notices, logging out.
var (
	openAPIRoutes = []string{"GET /api/v1/openapi.json", "POST /api/v1/login", "POST /api/v1/logout", "GET /api/v1/me",
		"POST /api/v1/me/password"}
	openPages = append(slices.Clip(publicPages), "POST /logout", "GET /me/password", "POST /me/password",
		"GET /notifications", "POST /notifications/read", "GET /account", "POST /account")
)

// allow asks the policy about the session's user, organisation and
// generation for the route's object and action, and answers 403 when the
// policy says no, before any use case runs; the refusal is audited (a
// privacy officer sees who tried what). Every route but the open ones
// asks: the API's and the pages'.
func TestAllowAsksThePolicy(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.policy.deny["*"] = true
	refused, want := 0, []string{}
	for _, route := range ts.routes("/api/") {
		if slices.Contains(openAPIRoutes, route) {
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		path = pathParams.ReplaceAllString(path, "x")
		rec := ts.do(apiRequest(method, path, `{}`))
		if body := apiErrorOf(t, rec); rec.Code != http.StatusForbidden || body.Error.Code != cases.EFORBIDDEN ||
			body.Error.Message != text(t, "nl", "forbidden") {
			t.Errorf("%s: %d %s", route, rec.Code, rec.Body)
		}
		refused++
		want = append(want, method+" "+path)
	}
	for _, route := range ts.routes("") {
		if slices.Contains(openPages, route) {
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		path = pathParams.ReplaceAllString(path, "x")
		rec := ts.do(pageRequest(method, path, workerToken, workerCSRF))
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), text(t, "nl", "forbidden")) ||
			!strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %s", route, rec.Code, rec.Header().Get("Content-Type"))
		}
		refused++
		want = append(want, method+" "+path)
	}
	if refused < 80 || len(ts.policy.asked) != refused {
		t.Errorf("%d routes refused, the policy was asked %d times", refused, len(ts.policy.asked))
	}
	// Among them the routes of privacy, audit, partners, notifications'
	// mail, the contact page and merging.
	for _, route := range []string{"GET /api/v1/audit", "GET /api/v1/residents/x/export", "POST /api/v1/residents/x/erase",
		"POST /api/v1/residents/x/merge", "GET /api/v1/partners", "GET /privacy", "GET /privacy/audit",
		"POST /residents/x/own-ground", "GET /partners/x", "POST /partners/x/services/x/delete", "GET /admin/mail",
		"GET /contacts/x", "POST /contacts/x/correct", "POST /residents/x/merge", "POST /admin/organisations/x/privacy"} {
		if !slices.Contains(want, route) {
			t.Errorf("%s was not checked", route)
		}
	}
	if !slices.Equal(ts.audit.refused, want) {
		t.Errorf("audited refusals %q,\nwant %q", ts.audit.refused, want)
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
}

// A user whose password someone else set must choose their own first:
// the API refuses everything but their own account and logging out, and
// pages send them to the password form; the pages that need no session
// stay open.
func TestPasswordChangeComesFirst(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	fresh := *testWorker
	fresh.MustChangePassword = true
	token, csrf := ts.login(&fresh)
	open := map[string]bool{}
	for path := range passwordChangeRoutes {
		open[path] = true
	}
	api, pages := 0, 0
	for _, route := range ts.routes("/api/") {
		method, path, _ := strings.Cut(route, " ")
		if open[path] || route == "POST /api/v1/login" || path == "/api/v1/openapi.json" {
			continue
		}
		rec := ts.do(apiRequestOf(token, csrf, method, pathParams.ReplaceAllString(path, "x"), `{}`))
		if body := apiErrorOf(t, rec); rec.Code != http.StatusForbidden || body.Error.Message != text(t, "nl", "password_change_required") {
			t.Errorf("%s: %d %s", route, rec.Code, rec.Body)
		}
		api++
	}
	for _, route := range ts.routes("") {
		method, path, _ := strings.Cut(route, " ")
		if open[path] || slices.Contains(publicPages, route) {
			continue
		}
		rec := ts.do(pageRequest(method, pathParams.ReplaceAllString(path, "x"), token, csrf))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/me/password" {
			t.Errorf("%s: %d %v", route, rec.Code, rec.Header().Get("Location"))
		}
		pages++
	}
	if api < 35 || pages < 45 || len(ts.policy.asked) != 0 {
		t.Errorf("%d API routes and %d pages checked; the policy was asked %d times", api, pages, len(ts.policy.asked))
	}
	// Their own account they may look at.
	if rec := ts.do(apiRequestOf(token, csrf, "GET", "/api/v1/me", "")); rec.Code != http.StatusOK {
		t.Errorf("GET /api/v1/me: %d %s", rec.Code, rec.Body)
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
