package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	User      *cases.User `json:"user"`
	CSRFToken string      `json:"csrf_token"`
}

// apiLogin starts a session: POST /api/v1/login.
func (s *Server) apiLogin(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	var problems []cases.FieldError
	if req.Username == "" || len(req.Username) > 64 {
		problems = append(problems, cases.FieldError{Field: "username", Tag: "required"})
	}
	if req.Password == "" || len(req.Password) > 256 {
		problems = append(problems, cases.FieldError{Field: "password", Tag: "required"})
	}
	if len(problems) > 0 {
		s.fail(c, cases.Invalid(problems...))
		return
	}
	sess, err := s.login(c, req.Username, req.Password)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, loginResponse{User: sess.User, CSRFToken: sess.CSRFToken})
}

// apiLogout ends the session: POST /api/v1/logout.
func (s *Server) apiLogout(c *gin.Context) {
	if err := s.Auth.Logout(c.Request.Context(), session(c)); err != nil {
		s.fail(c, err)
		return
	}
	s.clearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

type meResponse struct {
	User         *cases.User         `json:"user"`
	Organisation *cases.Organisation `json:"organisation"`
	Roles        []string            `json:"roles"`
	CSRFToken    string              `json:"csrf_token"`
	// Unread are the user's unread notifications.
	Unread cases.Unread `json:"unread"`
}

// apiMe describes the logged-in user: GET /api/v1/me.
func (s *Server) apiMe(c *gin.Context) {
	sess := session(c)
	ref, err := s.Reference.Reference(c.Request.Context(), 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	org := &cases.Organisation{Slug: sess.User.OrganisationSlug}
	for _, o := range ref.Organisations {
		if o.ID == sess.User.OrganisationID {
			org = &o
			break
		}
	}
	unread, err := s.Notify.Unread(c.Request.Context(), sess.User.Actor())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, meResponse{User: sess.User, Organisation: org, Roles: sess.User.Roles, CSRFToken: sess.CSRFToken,
		Unread: unread})
}

// apiReference returns the reference lists: GET /api/v1/reference.
func (s *Server) apiReference(c *gin.Context) {
	ref, err := s.Reference.Reference(c.Request.Context(), session(c).User.OrganisationID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ref)
}
