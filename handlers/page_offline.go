package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// menuOnly stands in for the user in the offline shell: the layout shows the
// menu of the user's roles, and nothing about the user.
type menuOnly struct{}

// pageContactShell serves GET /contacts/new/shell: the "Nieuw contact" form
// as the service worker keeps it for offline use (docs/offline.md). It is
// the form of the worker's organisation (its programmes and the reference
// lists) in the worker's language, without personal data: no CSRF token,
// no username, no preselected resident. The service worker serves it for
// /contacts/new when the network does not answer.
func (s *Server) pageContactShell(c *gin.Context) {
	p, err := s.contactForm(c, true)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	lang := s.lang(c)
	pd := pageData{Lang: lang, Title: s.i18n.T(lang, "contact.new.title"), Path: "/contacts/new", Data: p,
		User: menuOnly{}, Roles: map[string]bool{}, InlineCSS: s.inlineCSS}
	for _, r := range session(c).User.Roles {
		pd.Roles[r] = true
	}
	body, err := s.execute(s.pages["contact_new"], pd)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	// Still no-store for the browser's HTTP cache: only the service
	// worker's cache keeps it, and logging out empties that.
	writeCompressed(c, http.StatusOK, "text/html; charset=utf-8", body)
}
