package handlers

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// apiUsers lists a page of the accounts the user may see: GET
// /api/v1/users?cursor=&limit=.
func (s *Server) apiUsers(c *gin.Context) {
	q := listQuery(c, "cursor", "limit")
	f := cases.UserFilter{Cursor: q.text("cursor", 400), Limit: q.limit()}
	if err := q.err(); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Users.List(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

// apiCreateUser makes an account: POST /api/v1/users.
func (s *Server) apiCreateUser(c *gin.Context) {
	var in cases.UserInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.Users.Create(c.Request.Context(), actor(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}

// userID reads the {id} of a users route; a malformed one is not found.
func (s *Server) userID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		s.fail(c, cases.NotFound("user"))
		return 0, false
	}
	return id, true
}

// apiSetUserPassword sets someone's password: POST /api/v1/users/{id}/password {password}.
func (s *Server) apiSetUserPassword(c *gin.Context) {
	id, ok := s.userID(c)
	if !ok {
		return
	}
	var in cases.PasswordInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.Users.SetPassword(c.Request.Context(), actor(c), id, in); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// activeInput switches an account on or off.
type activeInput struct {
	Active *bool `json:"active" validate:"required"`
}

// apiSetUserActive switches an account on or off: POST /api/v1/users/{id}/active {active}.
func (s *Server) apiSetUserActive(c *gin.Context) {
	id, ok := s.userID(c)
	if !ok {
		return
	}
	var in activeInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	if in.Active == nil {
		s.fail(c, cases.FieldInvalid("active", "required", ""))
		return
	}
	if err := s.Users.SetActive(c.Request.Context(), actor(c), id, *in.Active); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiUnlockUser lifts an account's login throttling: POST /api/v1/users/{id}/unlock.
func (s *Server) apiUnlockUser(c *gin.Context) {
	id, ok := s.userID(c)
	if !ok {
		return
	}
	if err := s.Users.Unlock(c.Request.Context(), actor(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiChangeOwnPassword changes the user's own password: POST
// /api/v1/me/password {current, new}. The user's other sessions end.
func (s *Server) apiChangeOwnPassword(c *gin.Context) {
	var in cases.OwnPasswordInput
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	sess := session(c)
	if err := s.Users.ChangeOwnPassword(c.Request.Context(), actor(c), s.Auth.TokenHash(sess), in); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
