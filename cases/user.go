package cases

import (
	"slices"
	"strings"
	"time"
)

// User is an account. It belongs to one organisation; its roles live in the
// Casbin policy (domain = organisation) and are copied here for display.
type User struct {
	ID               int64     `json:"id"`
	Username         string    `json:"username"`
	DisplayName      string    `json:"display_name"`
	OrganisationID   int64     `json:"-"`
	OrganisationSlug string    `json:"organisation"`
	Programme        string    `json:"programme,omitempty"`
	Roles            []string  `json:"roles"`
	Active           bool      `json:"active"`
	CreatedAt        time.Time `json:"created_at"`
	// MustChangePassword: the password was set by someone else, so the
	// user chooses their own at the next login before anything else.
	MustChangePassword bool   `json:"must_change_password,omitempty"`
	PasswordHash       string `json:"-"`
	// Email and Phone are the work address and phone, optional: mail
	// notifications go to Email.
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// MailPreference is how notifications reach the user by mail.
	MailPreference string `json:"mail_preference"`
}

// Actor returns the user as the actor of a use case.
func (u *User) Actor() Actor {
	return Actor{UserID: u.ID, Username: u.Username, OrganisationID: u.OrganisationID,
		OrganisationSlug: u.OrganisationSlug, Programme: u.Programme, Roles: u.Roles}
}

// TakesHandovers reports whether u can be assigned a handover: an active
// worker or coordinator.
func (u *User) TakesHandovers() bool {
	return u.Active && (slices.Contains(u.Roles, RoleWorker) || slices.Contains(u.Roles, RoleCoordinator))
}

// UserInput creates an account.
type UserInput struct {
	Username     string   `json:"username" validate:"required,min=3,max=64,username"`
	DisplayName  string   `json:"display_name" validate:"required,max=100,plaintext"`
	Organisation string   `json:"organisation" validate:"required,slug"`
	Programme    string   `json:"programme" validate:"omitempty,slug"`
	Roles        []string `json:"roles" validate:"required,min=1,max=5,unique,dive,oneof=worker coordinator programme admin privacy"`
	Password     string   `json:"password" validate:"required,max=256"`
	Email        string   `json:"email" validate:"omitempty,max=254,email"`
	Phone        string   `json:"phone" validate:"omitempty,phone"`
}

// Validate checks the input: the fields, the password rules and that the
// roles do not mix case work with an office role.
func (in *UserInput) Validate() error {
	in.Username = strings.ToLower(trim(in.Username))
	in.DisplayName = trim(in.DisplayName)
	in.Email, in.Phone = trim(in.Email), trim(in.Phone)
	fields := validateStruct(in)
	if !hasField(fields, "password") {
		if p := CheckPassword("password", in.Password, in.Username); p != nil {
			fields = append(fields, *p)
		}
	}
	if !hasField(fields, "roles") {
		if err := checkRoles(in.Roles); err != nil {
			fields = append(fields, *err)
		}
	}
	return InvalidOrNil(fields)
}

// checkRoles refuses a case role together with an office role.
func checkRoles(roles []string) *FieldError {
	if slices.ContainsFunc(roles, IsCaseRole) && slices.ContainsFunc(roles, func(r string) bool { return !IsCaseRole(r) }) {
		return &FieldError{Field: "roles", Tag: "roles_separate"}
	}
	return nil
}

// MayManage says whether actor may create, reset the password of or give
// roles to an account with roles in organisation orgID:
//   - an account with a case role: the operator, or a coordinator of its own
//     organisation; never an administrator, who could otherwise make
//     themselves a worker and read case notes;
//   - any other account: the operator or an administrator.
func MayManage(actor Actor, orgID int64, roles []string) error {
	switch {
	case actor.Has(RoleOperator):
		return nil
	case slices.ContainsFunc(roles, IsCaseRole):
		if actor.Has(RoleCoordinator) && actor.OrganisationID == orgID {
			return nil
		}
		if actor.Has(RoleAdmin) {
			return Errorf(EFORBIDDEN, "admin_no_case_accounts")
		}
	case actor.Has(RoleAdmin):
		return nil
	}
	return Errorf(EFORBIDDEN, "may_not_manage_user")
}

// MayDeactivate says whether actor may switch an account with roles in
// organisation orgID off or on: the operator and administrators any
// account (ending an account reads nothing), coordinators those they manage.
func MayDeactivate(actor Actor, orgID int64, roles []string) error {
	if actor.Has(RoleOperator) || actor.Has(RoleAdmin) {
		return nil
	}
	return MayManage(actor, orgID, roles)
}

// AuditEntry is one line of the append-only audit log: who did what to which
// record, when, from which organisation.
type AuditEntry struct {
	ID             int64     `json:"-"`
	At             time.Time `json:"at"`
	UserID         int64     `json:"-"`
	Username       string    `json:"user"`
	OrganisationID int64     `json:"-"`
	Organisation   string    `json:"organisation"`
	Action         string    `json:"action"`
	Entity         string    `json:"entity"`
	EntityID       string    `json:"entity_id"`
	Detail         string    `json:"detail"`
	// Address and IDs are part of Detail as the audit API shows it.
	Address string    `json:"-"`
	IDs     []AuditID `json:"-"`
}

// AccountActions are what an actor may do to one account, for the screens:
// exactly what the use cases would accept.
type AccountActions struct {
	Manage     bool // reset the password
	Deactivate bool // switch off or on
	Unlock     bool // lift the login throttling
}

// ActionsOn lists what actor may do to u.
func ActionsOn(actor Actor, u *User) AccountActions {
	self := u.ID == actor.UserID
	manage := MayManage(actor, u.OrganisationID, u.Roles) == nil
	return AccountActions{Manage: manage, Deactivate: !self && MayDeactivate(actor, u.OrganisationID, u.Roles) == nil,
		Unlock: !self && (manage || actor.Has(RoleAdmin))}
}

// AssignableRoles are the roles actor may give a new account: case roles
// for a coordinator (in the own organisation), office roles for an
// administrator, all for the operator.
func AssignableRoles(actor Actor) []string {
	var out []string
	for _, r := range AllRoles {
		if MayManage(actor, actor.OrganisationID, []string{r}) == nil {
			out = append(out, r)
		}
	}
	return out
}
