package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases"
)

// users stores accounts and their roles.
type users struct{ conn }

const userSelect = `SELECT u.id, u.username, u.display_name, u.organisation_id, o.slug, COALESCE(p.slug, ''),
	u.active, u.created_at, u.password_hash, u.must_change_password,
	COALESCE((SELECT string_agg(role, ',') FROM user_roles WHERE user_id = u.id), ''), u.email, u.phone, u.mail_pref
	FROM users u JOIN organisations o ON o.id = u.organisation_id LEFT JOIN programmes p ON p.id = u.programme_id `

func scanUser(row scanner) (*cases.User, error) {
	var u cases.User
	var created, roles string
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.OrganisationID, &u.OrganisationSlug, &u.Programme,
		&u.Active, &created, &u.PasswordHash, &u.MustChangePassword, &roles, &u.Email, &u.Phone, &u.MailPreference); err != nil {
		return nil, err
	}
	u.CreatedAt, _ = cases.ParseTime(created)
	u.Roles = rolesInOrder(roles)
	return &u, nil
}

// rolesInOrder lists the roles of a string_agg in the order screens show
// them.
func rolesInOrder(list string) []string {
	out := []string{}
	have := strings.Split(list, ",")
	for _, r := range cases.AllRoles {
		for _, h := range have {
			if h == r {
				out = append(out, r)
			}
		}
	}
	return out
}

func (u users) one(ctx context.Context, where string, arg any) (*cases.User, error) {
	user, err := scanUser(u.q.QueryRowContext(ctx, userSelect+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cases.NotFound("user")
	}
	return user, err
}

func (u users) UserByID(ctx context.Context, id int64) (*cases.User, error) {
	return u.one(ctx, `WHERE u.id = ?`, id)
}

func (u users) UserByUsername(ctx context.Context, username string) (*cases.User, error) {
	return u.one(ctx, `WHERE u.username = ?`, strings.ToLower(strings.TrimSpace(username)))
}

func (u users) Users(ctx context.Context, orgID int64) ([]*cases.User, error) {
	query, args := userSelect+`ORDER BY o.slug, u.username`, []any{}
	if orgID != 0 {
		query, args = userSelect+`WHERE u.organisation_id = ? ORDER BY u.username`, []any{orgID}
	}
	rows, err := u.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*cases.User
	for rows.Next() {
		user, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, user)
	}
	return out, rows.Err()
}

func (u users) RoleAssignments(ctx context.Context) ([]cases.RoleAssignment, error) {
	rows, err := u.q.QueryContext(ctx, `SELECT u.username, o.slug, r.role FROM user_roles r
		JOIN users u ON u.id = r.user_id JOIN organisations o ON o.id = u.organisation_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cases.RoleAssignment
	for rows.Next() {
		var a cases.RoleAssignment
		if err := rows.Scan(&a.Username, &a.Organisation, &a.Role); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (u users) InsertUser(ctx context.Context, user *cases.User, passwordHash string) error {
	var programme any
	if user.Programme != "" {
		programme = nullInt(u.db.ref.index().programmes[user.Programme])
	}
	if err := u.q.QueryRowContext(ctx, `INSERT INTO users (organisation_id, username, display_name, programme_id,
		password_hash, active, created_at, must_change_password, email, phone, mail_pref)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, user.OrganisationID,
		user.Username, user.DisplayName, programme, passwordHash, user.Active, cases.FormatTime(user.CreatedAt),
		user.MustChangePassword, user.Email, user.Phone, user.MailPreference).Scan(&user.ID); err != nil {
		return err
	}
	for _, role := range user.Roles {
		if _, err := u.q.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, user.ID, role); err != nil {
			return err
		}
	}
	return nil
}

func (u users) SetActive(ctx context.Context, id int64, active bool) error {
	_, err := u.q.ExecContext(ctx, `UPDATE users SET active = ? WHERE id = ?`, active, id)
	return err
}

func (u users) SetPassword(ctx context.Context, id int64, passwordHash string, mustChange bool) error {
	_, err := u.q.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?`,
		passwordHash, mustChange, id)
	return err
}

func (u users) SetMustChange(ctx context.Context, id int64, mustChange bool) error {
	_, err := u.q.ExecContext(ctx, `UPDATE users SET must_change_password = ? WHERE id = ?`, mustChange, id)
	return err
}

func (u users) SetContactDetails(ctx context.Context, id int64, d cases.ContactDetails) error {
	_, err := u.q.ExecContext(ctx, `UPDATE users SET email = ?, phone = ?, mail_pref = ? WHERE id = ?`,
		d.Email, d.Phone, d.MailPreference, id)
	return err
}
