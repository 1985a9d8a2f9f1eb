package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// userRow is one account in the users list.
type userRow struct {
	ID           int64
	Username     string
	DisplayName  string
	Organisation string
	Programme    string
	Roles        string
	Active       bool
	Self         bool
	Can          cases.AccountActions
	Email, Phone string
}

// userForm holds the create form's values as typed (never the password).
type userForm struct {
	Username, DisplayName, Organisation, Programme string
	Email, Phone                                   string
	Roles                                          []string
}

// programmeOption is a programme in the create form, grouped by organisation.
type programmeOption struct {
	Organisation string
	Options      []choice
}

type usersPage struct {
	Admin           bool
	OwnOrganisation string
	Users           []userRow
	Organisations   []choice
	Programmes      []programmeOption
	Roles           []choice
	Form            userForm
	Errors          map[string]string
	Alert           string
	Notice          string
	Pager           pager
}

// userNotices are the messages a redirect after a change may ask for.
var userNotices = map[string]string{
	"created": "users.notice.created", "activated": "users.notice.activated",
	"deactivated": "users.notice.deactivated", "password": "users.notice.password", "unlocked": "users.notice.unlocked",
}

// pageUsers lists the accounts the user may manage (admin: all;
// coordinator: the own organisation's) with forms to create and change
// them: GET /admin/users. No resident or contact data appears here.
func (s *Server) pageUsers(c *gin.Context) {
	p := usersPage{Errors: map[string]string{}}
	if key, ok := userNotices[c.Query("done")]; ok {
		p.Notice = s.i18n.T(s.lang(c), key, c.Query("user"))
	}
	s.showUsers(c, http.StatusOK, p)
}

func (s *Server) showUsers(c *gin.Context, status int, p usersPage) {
	ctx := c.Request.Context()
	lang := s.lang(c)
	me := session(c).User
	a := me.Actor()
	p.Admin = a.Has(cases.RoleAdmin)
	// A page of the accounts, as the API lists them (GET /api/v1/users).
	q := listQuery(c, "cursor", "done", "user")
	f := cases.UserFilter{Cursor: q.text("cursor", 400)}
	list, listStatus, problems, ok := pageOfList(s, c, q, f, func(f cases.UserFilter) (*cases.UserList, error) {
		return s.Users.List(ctx, a, f)
	})
	if !ok {
		return
	}
	if len(problems) > 0 {
		status, p.Alert = listStatus, strings.Join(problems, " ")
	}
	users := list.Users
	p.Pager = pagerOf(c, "user-list", "cursor", list.Offset, len(users), list.Total, list.NextCursor)
	ref, err := s.Reference.Reference(ctx, 0)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	orgNames := map[string]string{}
	for _, o := range ref.Organisations {
		orgNames[o.Slug] = o.Name
	}
	p.OwnOrganisation = orgNames[me.OrganisationSlug]
	programmes := map[string]string{}
	for _, pr := range ref.Programmes {
		programmes[pr.Slug] = pr.Name
	}
	for _, u := range users {
		roles := make([]string, 0, len(u.Roles))
		for _, r := range u.Roles {
			roles = append(roles, s.i18n.T(lang, "role."+r))
		}
		p.Users = append(p.Users, userRow{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName,
			Organisation: orgNames[u.OrganisationSlug], Programme: programmes[u.Programme],
			Roles: strings.Join(roles, ", "), Active: u.Active, Self: u.ID == me.ID, Can: cases.ActionsOn(a, u),
			Email: u.Email, Phone: u.Phone})
	}
	// The create form: an admin chooses the organisation; the roles are
	// the ones the user may give (office roles for an admin, case roles
	// for a coordinator).
	if p.Admin {
		for _, o := range ref.Organisations {
			p.Organisations = append(p.Organisations, choice{Value: o.Slug, Label: o.Name, Checked: o.Slug == p.Form.Organisation})
		}
	}
	for _, r := range cases.AssignableRoles(a) {
		p.Roles = append(p.Roles, choice{Value: r, Label: s.i18n.T(lang, "role."+r), Checked: slices.Contains(p.Form.Roles, r)})
	}
	var group *programmeOption
	for _, pr := range ref.Programmes {
		if !p.Admin && pr.OrganisationID != me.OrganisationID {
			continue
		}
		name := orgNames[pr.OrganisationSlug]
		if group == nil || group.Organisation != name {
			p.Programmes = append(p.Programmes, programmeOption{Organisation: name})
			group = &p.Programmes[len(p.Programmes)-1]
		}
		group.Options = append(group.Options, choice{Value: pr.Slug, Label: pr.Name, Checked: pr.Slug == p.Form.Programme})
	}
	backTo(c, "/admin/users")
	s.render(c, status, "users", "users.title", p)
}

// pageUsersCreate creates an account from the form: POST /admin/users.
func (s *Server) pageUsersCreate(c *gin.Context) {
	me := session(c).User
	a := me.Actor()
	form := userForm{Username: strings.TrimSpace(c.PostForm("username")), DisplayName: c.PostForm("display_name"),
		Organisation: c.PostForm("organisation"), Programme: c.PostForm("programme"), Roles: c.PostFormArray("roles"),
		Email: c.PostForm("email"), Phone: c.PostForm("phone")}
	if !a.Has(cases.RoleAdmin) {
		form.Organisation = me.OrganisationSlug
		if len(form.Roles) == 0 {
			form.Roles = []string{cases.RoleWorker}
		}
	}
	in := cases.UserInput{Username: strings.ToLower(form.Username), DisplayName: form.DisplayName,
		Organisation: form.Organisation, Programme: form.Programme, Roles: form.Roles, Password: c.PostForm("password"),
		Email: form.Email, Phone: form.Phone}
	_, err := s.Users.Create(c.Request.Context(), a, in)
	if err != nil {
		fe, ok := s.formErrorOf(c, err)
		if !ok {
			s.pageFail(c, err)
			return
		}
		s.showUsers(c, fe.Status, usersPage{Form: form, Alert: fe.Message, Errors: fe.Fields})
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users?done=created&user="+url.QueryEscape(in.Username))
}

// managedUser loads the account named by the path, as far as the user may
// manage it: another organisation's account is not found for a coordinator.
func (s *Server) managedUser(c *gin.Context) (*cases.User, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.pageFail(c, cases.NotFound("user"))
		return nil, false
	}
	u, err := s.Users.Account(c.Request.Context(), actor(c), id)
	if err != nil {
		s.pageFail(c, err)
		return nil, false
	}
	return u, true
}

// pageUserActive switches an account on or off: POST /admin/users/{id}/active
// with active=true|false. Switching off ends the account's sessions.
func (s *Server) pageUserActive(c *gin.Context) {
	u, ok := s.managedUser(c)
	if !ok {
		return
	}
	var active bool
	switch c.PostForm("active") {
	case "true":
		active = true
	case "false":
	default:
		s.showUsers(c, http.StatusUnprocessableEntity, usersPage{Errors: map[string]string{},
			Alert: s.i18n.Field(s.lang(c), "", cases.FieldError{Field: "active", Tag: "boolean"})})
		return
	}
	if err := s.Users.SetActive(c.Request.Context(), actor(c), u.ID, active); err != nil {
		s.userActionFailed(c, u, err)
		return
	}
	done := "deactivated"
	if active {
		done = "activated"
	}
	c.Redirect(http.StatusSeeOther, "/admin/users?done="+done+"&user="+url.QueryEscape(u.Username))
}

// pageUserUnlock lifts an account's login throttling: POST /admin/users/{id}/unlock.
func (s *Server) pageUserUnlock(c *gin.Context) {
	u, ok := s.managedUser(c)
	if !ok {
		return
	}
	if err := s.Users.Unlock(c.Request.Context(), actor(c), u.ID); err != nil {
		s.userActionFailed(c, u, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users?done=unlocked&user="+url.QueryEscape(u.Username))
}

// pageUserPassword sets a new password: POST /admin/users/{id}/password.
// It ends the account's sessions.
func (s *Server) pageUserPassword(c *gin.Context) {
	u, ok := s.managedUser(c)
	if !ok {
		return
	}
	if err := s.Users.SetPassword(c.Request.Context(), actor(c), u.ID, cases.PasswordInput{Password: c.PostForm("password")}); err != nil {
		s.userActionFailed(c, u, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users?done=password&user="+url.QueryEscape(u.Username))
}

// userActionFailed shows the users page with what went wrong for u.
func (s *Server) userActionFailed(c *gin.Context, u *cases.User, err error) {
	fe, ok := s.formErrorOf(c, err)
	if !ok {
		s.pageFail(c, err)
		return
	}
	msg := fe.Message
	for _, m := range fe.Fields {
		msg = m
	}
	s.showUsers(c, fe.Status, usersPage{Errors: map[string]string{},
		Alert: s.i18n.T(s.lang(c), "users.action_failed", u.Username, msg)})
}
