package handlers

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/web"
)

// parseTemplates parses every page once at start-up: each page file is
// combined with layout.html, which defines the frame around "content", and
// partials.html, the pieces pages share.
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		// t is replaced per request by a translator for the request's language.
		"t": func(key string, args ...any) string { return key },
		// asset is the versioned URL of a static file (handlers/assets.go).
		"asset": assetURL,
		// dict passes several named values to a sub-template.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, errors.New("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				key, ok := kv[i].(string)
				if !ok {
					return nil, errors.New("dict: keys must be strings")
				}
				m[key] = kv[i+1]
			}
			return m, nil
		},
	}
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(web.Templates,
		"templates/layout.html", "templates/partials.html"))
	files, err := fs.Glob(web.Templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(web.Templates, file)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// pageData is what every page template gets; Data holds the page's own.
type pageData struct {
	Lang      string
	Title     string
	CSRFToken string
	User      any
	Roles     map[string]bool
	Path      string
	// Back is where a language switch returns to: this page with its query
	// (a page may name another, ctxBack).
	Back string
	Data any
	// InlineCSS, when set, is put in the page instead of a stylesheet link.
	InlineCSS template.CSS
	// Unread are the user's unread notifications, for the menu's badges.
	Unread cases.Unread
}

// ctxBack names the page a language switch returns to, when not this one.
const ctxBack = "back"

// backTo makes a form's answer page switch language to the page the form
// is on: the form's own path takes no GET.
func backTo(c *gin.Context, path string) {
	if c.Request.Method != http.MethodGet {
		c.Set(ctxBack, path)
	}
}

// render writes a page in the request's language.
func (s *Server) render(c *gin.Context, status int, page, titleKey string, data any) {
	lang := s.lang(c)
	t, ok := s.pages[page]
	if !ok {
		s.Log.Error("unknown template", "page", page)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	pd := pageData{Lang: lang, Title: s.i18n.T(lang, titleKey), Path: c.Request.URL.Path, Data: data, Roles: map[string]bool{},
		Back: c.Request.URL.Path}
	if back := c.GetString(ctxBack); back != "" {
		pd.Back = back
	} else if c.Request.Method == http.MethodGet && c.Request.URL.RawQuery != "" {
		pd.Back = localPath(c.Request.URL.RequestURI())
	}
	if sess := session(c); sess != nil {
		pd.CSRFToken = sess.CSRFToken
		pd.User = sess.User
		for _, r := range sess.User.Roles {
			pd.Roles[r] = true
		}
		pd.Unread = s.unread(c)
	}
	if c.GetBool(ctxCompressPage) {
		pd.InlineCSS = s.inlineCSS
	}
	body, err := s.execute(t, pd)
	if err != nil {
		s.Log.Error("render", "page", page, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	if c.GetBool(ctxCompressPage) {
		writeCompressed(c, status, "text/html; charset=utf-8", body)
		return
	}
	c.Data(status, "text/html; charset=utf-8", body)
}

// execute runs a page template in pd.Lang.
func (s *Server) execute(t *template.Template, pd pageData) ([]byte, error) {
	t, err := t.Clone()
	if err != nil {
		return nil, err
	}
	t = t.Funcs(template.FuncMap{"t": func(key string, args ...any) string { return s.i18n.T(pd.Lang, key, args...) }})
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", pd); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// renderError shows an error page with a translated message.
func (s *Server) renderError(c *gin.Context, status int, messageKey string) {
	s.render(c, status, "error", "error.title", s.i18n.T(s.lang(c), messageKey))
	c.Abort()
}

// unread counts the session user's unread notifications for the menu; a
// failure shows no badges rather than no page.
func (s *Server) unread(c *gin.Context) cases.Unread {
	a := actor(c)
	if !a.Has(cases.RoleWorker) && !a.Has(cases.RoleCoordinator) {
		return cases.Unread{}
	}
	u, err := s.Notify.Unread(c.Request.Context(), a)
	if err != nil {
		s.Log.Error("unread notifications", "err", err)
	}
	return u
}
