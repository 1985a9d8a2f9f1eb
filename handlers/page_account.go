package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

type accountPage struct {
	User        *cases.User
	Email       string
	Phone       string
	Preferences []choice
	SendsMail   bool
	Saved       bool
	Errors      map[string]string
	Alert       string
}

// pageAccount shows the user's own e-mail address, work phone and mail
// preference: GET /account.
func (s *Server) pageAccount(c *gin.Context) {
	u := session(c).User
	s.showAccount(c, http.StatusOK, accountPage{Email: u.Email, Phone: u.Phone, Saved: c.Query("done") == "saved"},
		u.MailPreference)
}

func (s *Server) showAccount(c *gin.Context, status int, p accountPage, pref string) {
	p.User = session(c).User
	p.SendsMail = s.Notify.SendsMail()
	p.Preferences = s.labelled(s.lang(c), "account.mail.", cases.MailPreferences, pref)
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	s.render(c, status, "account", "account.title", p)
}

// pageAccountPost saves them: POST /account.
func (s *Server) pageAccountPost(c *gin.Context) {
	in := cases.ContactDetails{Email: c.PostForm("email"), Phone: c.PostForm("phone"),
		MailPreference: c.PostForm("mail_preference")}
	if _, err := s.Users.SetContactDetails(c.Request.Context(), actor(c), actor(c).UserID, in); err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		s.showAccount(c, fe.Status, accountPage{Email: in.Email, Phone: in.Phone, Errors: fe.Fields, Alert: fe.Message},
			in.MailPreference)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=saved")
}
