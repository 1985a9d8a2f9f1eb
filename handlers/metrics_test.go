package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// /metrics answers loopback and a scraper with the token; a request from
// elsewhere, or one a proxy on this machine forwarded, gets the 404 of an
// unknown path.
func TestMetricsOnlyForLoopbackOrToken(t *testing.T) {
	ts := newTestServer(t, func(s *Server) {
		s.Metrics = NewMetrics()
		s.Metrics.Token = "scrape-token-0123456789"
	})
	get := func(remote string, header ...string) int {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = remote
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := ts.do(req)
		if rec.Code == http.StatusOK && !strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Errorf("%s: 200 without the metrics", remote)
		}
		return rec.Code
	}
	for _, c := range []struct {
		what   string
		status int
		remote string
		header []string
	}{
		{"loopback", 200, "127.0.0.1:50000", nil},
		{"loopback over IPv6", 200, "[::1]:50000", nil},
		{"another machine", 404, "192.0.2.7:50000", nil},
		{"another machine with the token", 200, "192.0.2.7:50000", []string{"Authorization", "Bearer scrape-token-0123456789"}},
		{"another machine with a wrong token", 404, "192.0.2.7:50000", []string{"Authorization", "Bearer scrape-token-wrong"}},
		{"forwarded by a proxy on this machine", 404, "127.0.0.1:50000", []string{"X-Forwarded-For", "198.51.100.4"}},
		{"forwarded (RFC 7239)", 404, "127.0.0.1:50000", []string{"Forwarded", "for=198.51.100.4"}},
		{"forwarded with the token", 200, "127.0.0.1:50000", []string{"X-Forwarded-For", "198.51.100.4",
			"Authorization", "Bearer scrape-token-0123456789"}},
	} {
		if got := get(c.remote, c.header...); got != c.status {
			t.Errorf("%s: %d, want %d", c.what, got, c.status)
		}
	}
}

// /healthz says 503 once the database stops taking writes, and logs why.
func TestHealthzFollowsTheDatabase(t *testing.T) {
	var down error
	ts := newTestServer(t, func(s *Server) {
		s.Health = func(context.Context) error { return down }
	})
	if rec := ts.do(httptest.NewRequest("GET", "/healthz", nil)); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("healthy: %d %s", rec.Code, rec.Body)
	}
	down = errors.New("attempt to write a readonly database")
	if rec := ts.do(httptest.NewRequest("GET", "/healthz", nil)); rec.Code != http.StatusServiceUnavailable ||
		!strings.Contains(rec.Body.String(), `"unavailable"`) || strings.Contains(rec.Body.String(), "readonly") {
		t.Errorf("database down: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(ts.log.String(), "readonly database") {
		t.Errorf("the reason is not logged: %s", ts.log)
	}
}
