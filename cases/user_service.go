package cases

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// Passwords hashes and checks passwords (auth: argon2id, a bounded number
// at a time).
type Passwords interface {
	Hash(password string) (string, error)
	Check(hash, password string) (bool, error)
}

// UserService manages accounts under the separation of duties of
// MayManage: case accounts by their own organisation's coordinators, office
// accounts by administrators, either by the operator on the command line.
type UserService struct {
	store     Store
	passwords Passwords
}

// NewUserService returns the service.
func NewUserService(store Store, passwords Passwords) *UserService {
	return &UserService{store: store, passwords: passwords}
}

// System is the actor of set-up work done by the operator on the server
// (the command line), not by a user.
var System = Actor{Username: "system", Roles: []string{RoleOperator, RoleAdmin}}

// Create makes an account with its roles. Its password was chosen by
// someone else, so the user must change it at the first login. The rules
// that need no hash come first, so a refused request costs no hashing.
func (s *UserService) Create(ctx context.Context, actor Actor, in UserInput) (*User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
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
	hash, err := s.passwords.Hash(in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Username: in.Username, DisplayName: in.DisplayName, OrganisationID: org.ID,
		OrganisationSlug: org.Slug, Programme: in.Programme, Roles: in.Roles, Active: true, MustChangePassword: true,
		Email: in.Email, Phone: in.Phone, MailPreference: DefaultMailPreference(in.Roles)}
	err = s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		u.CreatedAt = tx.Now()
		if err := tx.Users().InsertUser(ctx, u, hash); err != nil {
			return err
		}
		return tx.Audit(accountAudit(actor, "create", u, "roles="+strings.Join(in.Roles, ",")))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Find lists the accounts actor may see: all for an admin, the own
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

// managed is account for a change that may holds: MayManage or
// MayDeactivate (EFORBIDDEN).
func managed(ctx context.Context, users UserReader, actor Actor, id int64,
	may func(Actor, int64, []string) error) (*User, error) {
	u, err := account(ctx, users, actor, id)
	if err != nil {
		return nil, err
	}
	if err := may(actor, u.OrganisationID, u.Roles); err != nil {
		return nil, err
	}
	return u, nil
}

// SetActive switches an account on or off; switching off ends its sessions.
func (s *UserService) SetActive(ctx context.Context, actor Actor, id int64, active bool) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		u, err := managed(ctx, tx.Users(), actor, id, MayDeactivate)
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
			if err := tx.Sessions().DeleteUserSessions(ctx, id, ""); err != nil {
				return err
			}
		}
		return tx.Audit(accountAudit(actor, action, u, ""))
	})
}

// PasswordInput is a new password set for someone.
type PasswordInput struct {
	Password string `json:"password" validate:"required,max=256"`
}

// SetPassword sets a new password for someone else's account: it ends the
// account's sessions, and the user must change it at the next login.
func (s *UserService) SetPassword(ctx context.Context, actor Actor, id int64, in PasswordInput) error {
	u, err := managed(ctx, s.store.View(ctx).Users(), actor, id, MayManage)
	if err != nil {
		return err
	}
	fields := validateStruct(&in)
	if p := CheckPassword("password", in.Password, u.Username); p != nil && !hasField(fields, "password") {
		fields = append(fields, *p)
	}
	if err := InvalidOrNil(fields); err != nil {
		return err
	}
	hash, err := s.passwords.Hash(in.Password)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		u, err := managed(ctx, tx.Users(), actor, id, MayManage)
		if err != nil {
			return err
		}
		if err := tx.Users().SetPassword(ctx, id, hash, u.ID != actor.UserID); err != nil {
			return err
		}
		if err := tx.Sessions().DeleteUserSessions(ctx, id, ""); err != nil {
			return err
		}
		return tx.Audit(accountAudit(actor, "reset_password", u, ""))
	})
}

// OwnPasswordInput changes the actor's own password.
type OwnPasswordInput struct {
	Current string `json:"current" validate:"required,max=256"`
	New     string `json:"new" validate:"required,max=256"`
}

// ChangeOwnPassword sets the actor's new password after checking the
// current one; the actor's other sessions end, keep (the token hash of the
// session asking) stays.
func (s *UserService) ChangeOwnPassword(ctx context.Context, actor Actor, keep string, in OwnPasswordInput) error {
	fields := validateStruct(&in)
	if p := CheckPassword("new", in.New, actor.Username); p != nil && !hasField(fields, "new") {
		fields = append(fields, *p)
	}
	if in.New != "" && in.New == in.Current && !hasField(fields, "new") {
		fields = append(fields, FieldError{Field: "new", Tag: "password_same"})
	}
	if err := InvalidOrNil(fields); err != nil {
		return err
	}
	u, err := s.store.View(ctx).Users().UserByID(ctx, actor.UserID)
	if err != nil {
		return err
	}
	if ok, err := s.passwords.Check(u.PasswordHash, in.Current); err != nil {
		return err
	} else if !ok {
		return FieldInvalid("current", "password_wrong", "")
	}
	hash, err := s.passwords.Hash(in.New)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if err := tx.Users().SetPassword(ctx, u.ID, hash, false); err != nil {
			return err
		}
		if err := tx.Sessions().DeleteUserSessions(ctx, u.ID, keep); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Actor: actor, Action: "change_password", Entity: "user", EntityID: u.Username})
	})
}

// Unlock lifts the login throttling of an account: every failed login of
// its username is forgotten. Who may reset its password may unlock it.
func (s *UserService) Unlock(ctx context.Context, actor Actor, id int64) error {
	return s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		u, err := managed(ctx, tx.Users(), actor, id, func(a Actor, org int64, roles []string) error {
			if a.Has(RoleAdmin) && slices.ContainsFunc(roles, IsCaseRole) {
				return nil // unlocking reads nothing: an administrator may
			}
			return MayManage(a, org, roles)
		})
		if err != nil {
			return err
		}
		if err := tx.Sessions().ClearFailures(ctx, u.Username, ""); err != nil {
			return err
		}
		return tx.Audit(accountAudit(actor, "unlock", u, ""))
	})
}

// ByUsername reads an account (for the operator's command line).
func (s *UserService) ByUsername(ctx context.Context, username string) (*User, error) {
	return s.store.View(ctx).Users().UserByUsername(ctx, username)
}

// accountAudit is the audit line of a change to account u. Made by someone
// of another organisation (an administrator), it also names u's
// organisation, so that its privacy officer sees who made or reset an
// account that can read its records.
func accountAudit(actor Actor, action string, u *User, detail string) AuditRecord {
	r := AuditRecord{Actor: actor, Action: action, Entity: "user", EntityID: u.Username, Detail: detail}
	if u.OrganisationID != actor.OrganisationID {
		r.IDs = []AuditID{{Kind: AuditOrganisation, ID: strconv.FormatInt(u.OrganisationID, 10)}}
	}
	return r
}
