// Package handlers speaks HTTP: the JSON API under /api/v1 and the HTML
// pages of the tablet app, on top of the use cases of package cases.
package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/web"
)

// Server holds what the handlers need. cmd/internal/app wires it.
type Server struct {
	Services

	// SecureCookies marks cookies Secure even without TLS on this hop
	// (behind a TLS-terminating proxy).
	SecureCookies bool
	// TrustedProxies lists the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For is believed; empty trusts none.
	TrustedProxies []string
	// MailServer says an SMTP server sends the outbox; without one (the
	// demo) the outbox page shows the mails that would be sent.
	MailServer bool
	// Log receives errors; request lines only when LogRequests is set.
	Log         *slog.Logger
	LogRequests bool
	// Metrics, when set, are served at /metrics (loopback or token).
	Metrics *Metrics
	// Health checks that the database can be written, for /healthz.
	Health func(ctx context.Context) error

	i18n *i18n
	csp  string
	// inlineCSS is app.css, carried inside the pages that must paint after
	// one round trip (the contact form); its hash is in the CSP.
	inlineCSS template.CSS
	pages     map[string]*template.Template
}

// Handler builds the router. Call once.
func (s *Server) Handler() (http.Handler, error) {
	if s.Log == nil {
		s.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var err error
	if s.i18n, err = newI18n(); err != nil {
		return nil, err
	}
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	css, err := fs.ReadFile(web.Static, "static/app.css")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	s.inlineCSS = template.CSS(css)
	s.csp = contentSecurityPolicy("sha256-" + base64.StdEncoding.EncodeToString(sum[:]))
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RemoveExtraSlash = false
	// Client addresses (login throttling, audit) come from the connection,
	// or from X-Forwarded-For only when set by a listed proxy.
	if err := r.SetTrustedProxies(s.TrustedProxies); err != nil {
		return nil, err
	}
	r.Use(s.recovery, requestID)
	if s.Metrics != nil {
		r.Use(s.Metrics.observe)
	}
	if s.LogRequests {
		r.Use(requestLog(s.Log))
	}
	r.Use(s.securityHeaders, limitBody)
	s.routes(r)
	return r, nil
}

// recovery turns a panic into a logged 500 without leaking details.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.Log.Error("panic", "route", c.FullPath(), "panic", v)
			if c.Writer.Written() {
				c.Abort()
				return
			}
			s.fail(c, cases.Errorf(cases.EINTERNAL, "internal"))
		}
	}()
	c.Next()
}
