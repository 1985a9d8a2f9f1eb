package cases

import (
	"context"
	"strings"
)

// Hasher turns a password into a stored hash (auth.HashPassword).
type Hasher func(password string) (string, error)

// UserService manages accounts: administrators everyone's, coordinators
// their own organisation's workers (MayManage).
type UserService struct {
	store Store
	hash  Hasher
}

// NewUserService returns the service.
func NewUserService(store Store, hash Hasher) *UserService {
	return &UserService{store: store, hash: hash}
}

// System is the actor of set-up work done by the operator on the server
// (the command line), not by a user.
var System = Actor{Username: "system", Roles: []string{RoleAdmin}}

// Create makes an account with its roles. The rules that need no hash
// come first, so a refused request costs no hashing.
func (s *UserService) Create(ctx context.Context, actor Actor, in UserInput) (*User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	in.Username = strings.ToLower(in.Username)
	ref, err := s.store.View(ctx).Reference(ctx)
	if err != nil {
		return nil, err
	}
	org, ok := ref.Organisation(in.Organisation)
	if !ok {
		return nil, FieldInvalid("organisation", "unknown", in.Organisation)
	}
	if err := MayManage(actor, org.ID, in.Roles); err != nil {
		return nil, err
	}
	if in.Programme != "" {
		if p, ok := ref.Programme(in.Programme); !ok || p.OrganisationID != org.ID {
			return nil, FieldInvalid("programme", "unknown", in.Programme)
		}
	}
	hash, err := s.hash(in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Username: in.Username, DisplayName: in.DisplayName, OrganisationID: org.ID,
		OrganisationSlug: org.Slug, Programme: in.Programme, Roles: in.Roles, Active: true,
		Email: in.Email, Phone: in.Phone, MailPreference: DefaultMailPreference(in.Roles)}
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		u.CreatedAt = tx.Now()
		if err := tx.Users().InsertUser(ctx, u, hash); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "create", Entity: "user", EntityID: u.Username,
			Detail: "roles=" + strings.Join(in.Roles, ",")})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Find lists the accounts actor may manage: all for an admin, the own
// organisation's for anyone else.
func (s *UserService) Find(ctx context.Context, actor Actor) ([]*User, error) {
	org := actor.OrganisationID
	if actor.Has(RoleAdmin) {
		org = 0
	}
	return s.store.View(ctx).Users().Users(ctx, org)
}

// Account reads an account in actor's reach: another organisation's
// account is ENOTFOUND to anyone but an administrator.
func (s *UserService) Account(ctx context.Context, actor Actor, id int64) (*User, error) {
	return account(ctx, s.store.View(ctx).Users(), actor, id)
}

func account(ctx context.Context, users UserReader, actor Actor, id int64) (*User, error) {
	u, err := users.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Has(RoleAdmin) && u.OrganisationID != actor.OrganisationID {
		return nil, NotFound("user")
	}
	return u, nil
}

// managed is account for a change: actor must also be allowed to manage
// the account's roles (EFORBIDDEN).
func managed(ctx context.Context, users UserReader, actor Actor, id int64) (*User, error) {
	u, err := account(ctx, users, actor, id)
	if err != nil {
		return nil, err
	}
	if err := MayManage(actor, u.OrganisationID, u.Roles); err != nil {
		return nil, err
	}
	return u, nil
}

// SetActive switches an account on or off; switching off ends its sessions.
func (s *UserService) SetActive(ctx context.Context, actor Actor, id int64, active bool) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		u, err := managed(ctx, tx.Users(), actor, id)
		if err != nil {
			return err
		}
		if u.ID == actor.UserID {
			return Errorf(ECONFLICT, "cannot_deactivate_self")
		}
		if err := tx.Users().SetActive(ctx, id, active); err != nil {
			return err
		}
		action := "activate"
		if !active {
			action = "deactivate"
			if err := tx.Sessions().DeleteUserSessions(ctx, id); err != nil {
				return err
			}
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: action, Entity: "user", EntityID: u.Username})
	})
}

// PasswordInput is a new password set for someone.
type PasswordInput struct {
	Password string `json:"password" validate:"required,min=12,max=256"`
}

// Validate checks the password.
func (in *PasswordInput) Validate() error { return InvalidOrNil(validateStruct(in)) }

// SetPassword sets a new password for an account and ends its sessions.
func (s *UserService) SetPassword(ctx context.Context, actor Actor, id int64, in PasswordInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if _, err := managed(ctx, s.store.View(ctx).Users(), actor, id); err != nil {
		return err
	}
	hash, err := s.hash(in.Password)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		u, err := managed(ctx, tx.Users(), actor, id)
		if err != nil {
			return err
		}
		if err := tx.Users().SetPassword(ctx, id, hash); err != nil {
			return err
		}
		if err := tx.Sessions().DeleteUserSessions(ctx, id); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "reset_password", Entity: "user", EntityID: u.Username})
	})
}

// ByUsername reads an account (for the operator's command line).
func (s *UserService) ByUsername(ctx context.Context, username string) (*User, error) {
	return s.store.View(ctx).Users().UserByUsername(ctx, username)
}
