package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// passwordPage is the form to change one's own password.
type passwordPage struct {
	Required bool // the password was set by someone else
	Done     bool
	Alert    string
	Errors   map[string]string
}

// pagePassword shows the form: GET /me/password. A user whose password
// was set by someone else lands here after login.
func (s *Server) pagePassword(c *gin.Context) {
	s.render(c, http.StatusOK, "password", "password.title", passwordPage{
		Required: session(c).User.MustChangePassword, Done: c.Query("done") == "1", Errors: map[string]string{}})
}

// pagePasswordPost changes the password: POST /me/password with current,
// new and repeat (typed twice, since nobody sees it).
func (s *Server) pagePasswordPost(c *gin.Context) {
	in := cases.OwnPasswordInput{Current: c.PostForm("current"), New: c.PostForm("new")}
	var err error
	if c.PostForm("repeat") != in.New {
		err = cases.FieldInvalid("repeat", "password_repeat", "")
	} else {
		err = s.Users.ChangeOwnPassword(c.Request.Context(), actor(c), s.Auth.TokenHash(session(c)), in)
	}
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		s.render(c, fe.Status, "password", "password.title", passwordPage{
			Required: session(c).User.MustChangePassword, Alert: fe.Message, Errors: fe.Fields})
		return
	}
	c.Redirect(http.StatusSeeOther, "/me/password?done=1")
}
