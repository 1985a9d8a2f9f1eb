package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases"
)

// RoleStore keeps role assignments; auth implements it on the Casbin policy.
type RoleStore interface {
	RolesFor(username, organisation string) []string
	SetRoles(username, organisation string, roles []string) error
}

// UserService implements cases.UserService.
type UserService struct {
	db    *DB
	ref   *ReferenceService
	roles RoleStore
}

// NewUserService returns the service.
func NewUserService(db *DB, ref *ReferenceService, roles RoleStore) *UserService {
	return &UserService{db: db, ref: ref, roles: roles}
}

var _ cases.UserService = (*UserService)(nil)

const userSelect = `SELECT u.id, u.username, u.display_name, u.organisation_id, o.slug, COALESCE(p.slug, ''),
	u.active, u.created_at, u.password_hash
	FROM users u JOIN organisations o ON o.id = u.organisation_id LEFT JOIN programmes p ON p.id = u.programme_id `

func (s *UserService) scanUser(row interface{ Scan(...any) error }) (*cases.User, error) {
	var u cases.User
	var created string
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.OrganisationID, &u.OrganisationSlug, &u.Programme,
		&u.Active, &created, &u.PasswordHash); err != nil {
		return nil, err
	}
	u.CreatedAt, _ = cases.ParseTime(created)
	u.Roles = s.roles.RolesFor(u.Username, u.OrganisationSlug)
	return &u, nil
}

// CreateUser creates an account with its roles.
func (s *UserService) CreateUser(ctx context.Context, actor cases.Actor, in cases.UserInput, passwordHash string) (*cases.User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	in.Username = strings.ToLower(in.Username)
	idx := s.ref.index()
	orgID, ok := idx.organisations[in.Organisation]
	if !ok {
		return nil, cases.FieldInvalid("organisation", "unknown", in.Organisation)
	}
	if err := cases.MayManage(actor, orgID, in.Roles); err != nil {
		return nil, err
	}
	var programmeID int64
	if in.Programme != "" {
		p, ok := idx.programmes[in.Programme]
		if !ok || p.OrganisationID != orgID {
			return nil, cases.FieldInvalid("programme", "unknown", in.Programme)
		}
		programmeID = p.ID
	}
	var id int64
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRow(`SELECT 1 FROM users WHERE username = ?`, in.Username).Scan(&one); err == nil {
			return cases.FieldInvalid("username", "taken", "")
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.Exec(`INSERT INTO users (organisation_id, username, display_name, programme_id, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, orgID, in.Username, in.DisplayName, nullInt(programmeID), passwordHash,
			cases.FormatTime(tx.now))
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return tx.audit(actor, "create", "user", in.Username, "roles="+strings.Join(in.Roles, ","))
	})
	if err != nil {
		return nil, err
	}
	// The policy is written through Casbin's adapter on the same single
	// writer connection, so only after this transaction has released it. A
	// user whose roles failed to save holds no permission at all.
	defer s.db.sessionsChanged() // roles are cached with sessions
	if err := s.roles.SetRoles(in.Username, in.Organisation, in.Roles); err != nil {
		return nil, err
	}
	return s.FindUserByID(ctx, id)
}

// FindUsers lists the accounts actor may manage.
func (s *UserService) FindUsers(ctx context.Context, actor cases.Actor) ([]*cases.User, error) {
	query, args := userSelect+`ORDER BY o.slug, u.username`, []any{}
	if !actor.Has(cases.RoleAdmin) {
		query, args = userSelect+`WHERE u.organisation_id = ? ORDER BY u.username`, []any{actor.OrganisationID}
	}
	rows, err := s.db.Read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*cases.User
	for rows.Next() {
		u, err := s.scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// FindUserByUsername returns the account, or ENOTFOUND.
func (s *UserService) FindUserByUsername(ctx context.Context, username string) (*cases.User, error) {
	u, err := s.scanUser(s.db.Read.QueryRowContext(ctx, userSelect+`WHERE u.username = ?`, strings.ToLower(strings.TrimSpace(username))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("user")
	}
	return u, err
}

// FindUserByID returns the account, or ENOTFOUND.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*cases.User, error) {
	u, err := s.scanUser(s.db.Read.QueryRowContext(ctx, userSelect+`WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("user")
	}
	return u, err
}

// managed loads a user that actor may manage, or ENOTFOUND.
func (s *UserService) managed(ctx context.Context, actor cases.Actor, id int64) (*cases.User, error) {
	u, err := s.FindUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.Has(cases.RoleAdmin) && u.OrganisationID != actor.OrganisationID {
		return nil, cases.NotFound("user")
	}
	if err := cases.MayManage(actor, u.OrganisationID, u.Roles); err != nil {
		return nil, err
	}
	return u, nil
}

// SetActive (de)activates an account; deactivation ends its sessions.
func (s *UserService) SetActive(ctx context.Context, actor cases.Actor, id int64, active bool) error {
	defer s.db.sessionsChanged() // cached sessions of this user end now
	u, err := s.managed(ctx, actor, id)
	if err != nil {
		return err
	}
	if u.ID == actor.UserID {
		return cases.Errorf(cases.ECONFLICT, "cannot_deactivate_self")
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE users SET active = ? WHERE id = ?`, active, id); err != nil {
			return err
		}
		if !active {
			if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		action := "deactivate"
		if active {
			action = "activate"
		}
		return tx.audit(actor, action, "user", u.Username, "")
	})
}

// SetPassword replaces an account's password hash and ends its sessions.
func (s *UserService) SetPassword(ctx context.Context, actor cases.Actor, id int64, passwordHash string) error {
	defer s.db.sessionsChanged() // cached sessions of this user end now
	u, err := s.managed(ctx, actor, id)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return tx.audit(actor, "reset_password", "user", u.Username, "")
	})
}
