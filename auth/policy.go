package auth

import (
	"database/sql"
	_ "embed"
	"fmt"

	sqladapter "github.com/Blank-Xu/sql-adapter"
	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/buurtbrug/buurtbrug/cases"
)

//go:embed model.conf
var modelText string

// Objects and actions of the policy. Routes name one pair each.
const (
	ActRead   = "read"
	ActWrite  = "write"
	ActManage = "manage"
)

// rolePermissions is the policy: what each role may do. Roles are assigned
// per organisation (the Casbin domain); these permissions hold in every
// domain ("*"). Organisation scoping of rows is done in the queries.
var rolePermissions = map[string][][2]string{
	cases.RoleWorker: {
		{"reference", ActRead}, {"residents", ActRead}, {"residents", ActWrite},
		{"contacts", ActRead}, {"contacts", ActWrite},
		{"handovers", ActRead}, {"handovers", ActWrite},
	},
	cases.RoleCoordinator: {
		{"reference", ActRead}, {"residents", ActRead}, {"residents", ActWrite},
		{"contacts", ActRead}, {"contacts", ActWrite}, {"contacts", ActManage},
		{"handovers", ActRead}, {"handovers", ActWrite}, {"handovers", ActManage},
		{"users", ActManage}, {"reach", ActRead},
	},
	cases.RoleProgramme: {
		{"reference", ActRead}, {"reach", ActRead}, {"reach", ActManage},
	},
	cases.RoleAdmin: {
		{"reference", ActRead}, {"reference", ActManage}, {"users", ActManage}, {"tokens", ActManage},
	},
}

// Policy is the Casbin enforcer (RBAC with domains), stored in the app's
// SQLite database through sql-adapter and cached in memory.
type Policy struct {
	enforcer *casbin.SyncedCachedEnforcer
}

// NewPolicy loads the policy from db and makes sure the role permissions
// above are in it.
func NewPolicy(db *sql.DB) (*Policy, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, err
	}
	adapter, err := sqladapter.NewAdapter(db, "sqlite", "casbin_rule")
	if err != nil {
		return nil, fmt.Errorf("auth: policy adapter: %w", err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m, adapter)
	if err != nil {
		return nil, fmt.Errorf("auth: enforcer: %w", err)
	}
	p := &Policy{enforcer: e}
	return p, p.ensureRolePermissions()
}

func (p *Policy) ensureRolePermissions() error {
	var missing [][]string
	for role, perms := range rolePermissions {
		for _, perm := range perms {
			rule := []string{role, "*", perm[0], perm[1]}
			has, err := p.enforcer.HasPolicy(rule)
			if err != nil {
				return err
			}
			if !has {
				missing = append(missing, rule)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err := p.enforcer.AddPolicies(missing)
	return err
}

// Allowed reports whether user, in organisation, may act on obj.
func (p *Policy) Allowed(user, organisation, obj, act string) bool {
	ok, err := p.enforcer.Enforce(user, organisation, obj, act)
	return err == nil && ok
}

// RolesFor lists the roles of user in organisation.
func (p *Policy) RolesFor(user, organisation string) []string {
	return p.enforcer.GetRolesForUserInDomain(user, organisation)
}

// SetRoles replaces the roles of user in organisation.
func (p *Policy) SetRoles(user, organisation string, roles []string) error {
	if _, err := p.enforcer.DeleteRolesForUserInDomain(user, organisation); err != nil {
		return err
	}
	for _, role := range roles {
		if _, err := p.enforcer.AddRoleForUserInDomain(user, role, organisation); err != nil {
			return err
		}
	}
	return p.enforcer.InvalidateCache()
}
