package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// loginCSRFCookie carries a pre-session token so the login form itself
// cannot be posted from another site (login CSRF).
const loginCSRFCookie = "buurtbrug_login_csrf"

type loginPage struct {
	Username  string
	Error     string
	LoginCSRF string
}

// pageLogin shows the login form: GET /login.
func (s *Server) pageLogin(c *gin.Context) {
	if session(c) != nil {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	s.showLogin(c, http.StatusOK, loginPage{})
}

func (s *Server) showLogin(c *gin.Context, status int, p loginPage) {
	p.LoginCSRF = newFormToken()
	http.SetCookie(c.Writer, &http.Cookie{Name: s.cookieName(c, loginCSRFCookie), Value: p.LoginCSRF, Path: "/",
		HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteStrictMode})
	s.render(c, status, "login", "login.title", p)
}

// pageLoginPost logs in from the form: POST /login.
func (s *Server) pageLoginPost(c *gin.Context) {
	want, _ := c.Cookie(s.cookieName(c, loginCSRFCookie))
	if !tokensEqual(c.PostForm(csrfField), want) {
		s.renderError(c, http.StatusForbidden, "csrf")
		return
	}
	username := c.PostForm("username")
	if _, err := s.login(c, username, c.PostForm("password")); err != nil {
		status, body := s.errorBody(c, err)
		setRetryAfter(c, status, err)
		if len(username) > 64 {
			username = ""
		}
		s.showLogin(c, status, loginPage{Username: username, Error: body.Error.Message})
		return
	}
	c.Redirect(http.StatusSeeOther, "/")
}

// pageLogout ends the session from the menu: POST /logout.
func (s *Server) pageLogout(c *gin.Context) {
	if err := s.Auth.Logout(c.Request.Context(), session(c)); err != nil {
		s.Log.Error("logout", "err", err)
	}
	s.clearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/login")
}

// pageLanguage remembers the chosen language: GET /lang/{nl|en}?back=/path.
func (s *Server) pageLanguage(c *gin.Context) {
	lang := c.Param("lang")
	if lang != langNL && lang != langEN {
		s.renderError(c, http.StatusNotFound, "route_not_found")
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, localPath(c.Query("back")))
}

// localPath keeps a redirect target on this site: a path of this site,
// judged as a browser will read it once decoded, and its query.
// "/%2Fevil.example" decodes to "//evil.example", which a browser follows to
// another host; so do backslashes and control characters, which browsers
// drop or turn into slashes. Anything else becomes "/".
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || p == "" || len(p) > 1024 || u.IsAbs() || u.Host != "" || u.Opaque != "" {
		return "/"
	}
	path := u.Path
	if path == "" || path[0] != '/' || strings.HasPrefix(path, "//") ||
		strings.ContainsFunc(path, func(r rune) bool { return r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r) }) {
		return "/"
	}
	out := (&url.URL{Path: path}).EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}

// pageHome sends each role to its start page: GET /.
func (s *Server) pageHome(c *gin.Context) {
	sess := session(c)
	if sess == nil {
		c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	a := sess.User.Actor()
	switch {
	case (a.Has(cases.RoleWorker) || a.Has(cases.RoleCoordinator)) && s.unread(c).Total() > 0:
		// Something waits: "Voor jou" first.
		c.Redirect(http.StatusSeeOther, "/notifications")
	case a.Has(cases.RoleWorker) || a.Has(cases.RoleCoordinator):
		c.Redirect(http.StatusSeeOther, "/contacts/new")
	case a.Has(cases.RoleAdmin):
		c.Redirect(http.StatusSeeOther, "/admin/users")
	case a.Has(cases.RoleProgramme):
		c.Redirect(http.StatusSeeOther, "/reach")
	case a.Has(cases.RolePrivacy):
		c.Redirect(http.StatusSeeOther, "/privacy")
	default:
		s.render(c, http.StatusOK, "home", "app.name", nil)
	}
}
