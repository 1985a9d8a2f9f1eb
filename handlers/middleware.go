package handlers

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/auth"
	"github.com/buurtbrug/buurtbrug/cases"
)

const (
	sessionCookie = "buurtbrug_session"
	langCookie    = "buurtbrug_lang"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf_token"
	ctxSession    = "session"
)

// cookieName is a cookie's name on this connection: with the __Host- prefix
// over TLS, which the browser then keeps to this host, path / and Secure.
func (s *Server) cookieName(c *gin.Context, name string) string {
	if s.secure(c) {
		return "__Host-" + name
	}
	return name
}

// contentSecurityPolicy allows scripts, styles and images from this origin
// only: no inline script, no framing. The one inline style allowed is the
// stylesheet the contact form carries in its page (named by its hash), so a
// tablet on a slow network paints the form after a single request.
func contentSecurityPolicy(inlineStyleHash string) string {
	return "default-src 'self'; script-src 'self'; style-src 'self' '" + inlineStyleHash + "'; img-src 'self' data:; " +
		"connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; " +
		"form-action 'self'; frame-ancestors 'none'"
}

func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if s.secure(c) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if !strings.HasPrefix(c.Request.URL.Path, "/static/") {
		// Pages and API answers may hold personal data: never cache them.
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
}

// limitBody caps every request body, so no handler reads more than maxBody.
func limitBody(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
	c.Next()
}

func (s *Server) secure(c *gin.Context) bool {
	return c.Request.TLS != nil || s.SecureCookies
}

// loadSession attaches the session named by the cookie, if any and valid.
func (s *Server) loadSession(c *gin.Context) {
	if token, err := c.Cookie(s.cookieName(c, sessionCookie)); err == nil && token != "" {
		sess, err := s.Auth.Authenticate(c.Request.Context(), token)
		switch {
		case err == nil:
			c.Set(ctxSession, sess)
		case cases.ErrorCode(err) == cases.EUNAUTHORIZED:
			s.clearSessionCookie(c)
		default:
			s.fail(c, err)
			return
		}
	}
	c.Next()
}

func session(c *gin.Context) *auth.Session {
	if v, ok := c.Get(ctxSession); ok {
		return v.(*auth.Session)
	}
	return nil
}

// actor is the logged-in user as the actor of a use case, with the address
// the request came from (for the audit log).
func actor(c *gin.Context) cases.Actor {
	a := session(c).User.Actor()
	a.Address = c.ClientIP()
	return a
}

// apiAuth requires a session on API routes, and the CSRF header on every
// request that changes state. A user whose password was set by someone
// else may only change it (or look at themselves, or leave) first.
func (s *Server) apiAuth(c *gin.Context) {
	sess := session(c)
	if sess == nil {
		s.fail(c, cases.Errorf(cases.EUNAUTHORIZED, "login_required"))
		return
	}
	if !safeMethod(c.Request.Method) && !tokensEqual(c.GetHeader(csrfHeader), sess.CSRFToken) {
		s.fail(c, cases.Errorf(cases.EFORBIDDEN, "csrf"))
		return
	}
	if sess.User.MustChangePassword && !passwordChangeRoutes[c.FullPath()] {
		s.fail(c, cases.Errorf(cases.EFORBIDDEN, "password_change_required"))
		return
	}
	c.Next()
}

// passwordChangeRoutes stay open to a user who must change their password.
var passwordChangeRoutes = map[string]bool{
	"/api/v1/me": true, "/api/v1/me/password": true, "/api/v1/logout": true,
	"/me/password": true, "/logout": true,
}

// pageAuth requires a session on HTML pages (redirecting to the login page)
// and the CSRF form field on posted forms.
func (s *Server) pageAuth(c *gin.Context) {
	sess := session(c)
	if sess == nil {
		c.Redirect(http.StatusSeeOther, "/login")
		c.Abort()
		return
	}
	if !safeMethod(c.Request.Method) && !tokensEqual(c.PostForm(csrfField), sess.CSRFToken) {
		s.renderError(c, http.StatusForbidden, "csrf")
		return
	}
	if sess.User.MustChangePassword && !passwordChangeRoutes[c.FullPath()] {
		c.Redirect(http.StatusSeeOther, "/me/password")
		c.Abort()
		return
	}
	c.Next()
}

// allow lets the request through when the policy grants the user's roles
// obj/act in their organisation; otherwise 403.
func (s *Server) allow(obj, act string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.allowed(c, obj, act) {
			// A privacy officer sees who tried what they may not.
			if err := s.Audit.Refused(c.Request.Context(), actor(c), c.Request.Method+" "+c.Request.URL.Path); err != nil {
				s.fail(c, err)
				return
			}
			if strings.HasPrefix(c.Request.URL.Path, "/api/") {
				s.fail(c, cases.Errorf(cases.EFORBIDDEN, "forbidden"))
			} else {
				s.renderError(c, http.StatusForbidden, "forbidden")
			}
			return
		}
		c.Next()
	}
}

// allowed asks the policy about the session's user.
func (s *Server) allowed(c *gin.Context, obj, act string) bool {
	sess := session(c)
	return s.Policy.Allowed(c.Request.Context(), sess.Generation, sess.User.Username, sess.User.OrganisationSlug, obj, act)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func tokensEqual(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// setSessionCookie gives the browser the session's token for this browser
// session only (no Max-Age): a shared tablet's browser, once closed, holds
// no session; the server ends it after the idle or absolute timeout anyway.
func (s *Server) setSessionCookie(c *gin.Context, sess *auth.Session) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.cookieName(c, sessionCookie), Value: sess.Token, Path: "/", HttpOnly: true, Secure: s.secure(c),
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.cookieName(c, sessionCookie), Value: "", Path: "/", HttpOnly: true, Secure: s.secure(c),
		SameSite: http.SameSiteLaxMode, MaxAge: -1,
	})
}

// login starts a session from a form or the API, ending the session the
// browser still held (another user's, on a shared tablet).
func (s *Server) login(c *gin.Context, username, password string) (*auth.Session, error) {
	sess, err := s.Auth.Login(c.Request.Context(), username, password, c.ClientIP())
	if err != nil {
		return nil, err
	}
	if old := session(c); old != nil {
		if err := s.Auth.Logout(c.Request.Context(), old); err != nil {
			s.Log.Error("ending the previous session", "err", err)
		}
	}
	s.setSessionCookie(c, sess)
	return sess, nil
}

// lang is the request's language: the remembered choice, else the browser's
// preference, else Dutch.
func (s *Server) lang(c *gin.Context) string {
	if v, err := c.Cookie(langCookie); err == nil && (v == langEN || v == langNL) {
		return v
	}
	accept := strings.ToLower(strings.TrimSpace(c.GetHeader("Accept-Language")))
	if strings.HasPrefix(accept, langEN) {
		return langEN
	}
	return langNL
}
