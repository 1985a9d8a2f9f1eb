package cases

import (
	"slices"
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
	PasswordHash     string    `json:"-"`
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
	Roles        []string `json:"roles" validate:"required,min=1,max=4,unique,dive,oneof=worker coordinator programme admin"`
	Password     string   `json:"password" validate:"required,min=12,max=256"`
	Email        string   `json:"email" validate:"omitempty,max=254,email"`
	Phone        string   `json:"phone" validate:"omitempty,phone"`
}

// Validate checks the input.
func (in *UserInput) Validate() error {
	in.Username = trim(in.Username)
	in.DisplayName = trim(in.DisplayName)
	in.Email, in.Phone = trim(in.Email), trim(in.Phone)
	return InvalidOrNil(validateStruct(in))
}

// MayManage says whether actor may create or change a user with roles in
// organisation orgID: admins manage everyone; coordinators manage workers of
// their own organisation.
func MayManage(actor Actor, orgID int64, roles []string) error {
	if actor.Has(RoleAdmin) {
		return nil
	}
	if actor.Has(RoleCoordinator) && actor.OrganisationID == orgID &&
		!slices.ContainsFunc(roles, func(r string) bool { return r != RoleWorker }) {
		return nil
	}
	return Errorf(EFORBIDDEN, "may_not_manage_user")
}

// AuditEntry is one line of the append-only audit log: who did what to which
// record, when, from which organisation.
type AuditEntry struct {
	At             time.Time `json:"at"`
	UserID         int64     `json:"user_id"`
	Username       string    `json:"username"`
	OrganisationID int64     `json:"organisation_id"`
	Action         string    `json:"action"`
	Entity         string    `json:"entity"`
	EntityID       string    `json:"entity_id"`
	Detail         string    `json:"detail,omitempty"`
}
