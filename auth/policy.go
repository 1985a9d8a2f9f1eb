package auth

import (
	"context"
	_ "embed"
	"fmt"
	"sync"
	"sync/atomic"

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
// domain ("*"). Organisation scoping of rows is done by the use cases.
var rolePermissions = map[string][][2]string{
	cases.RoleWorker: {
		{"reference", ActRead}, {"residents", ActRead}, {"residents", ActWrite},
		{"contacts", ActRead}, {"contacts", ActWrite},
		{"handovers", ActRead}, {"handovers", ActWrite},
		{"partners", ActRead},
	},
	cases.RoleCoordinator: {
		{"reference", ActRead}, {"residents", ActRead}, {"residents", ActWrite}, {"residents", ActManage},
		{"contacts", ActRead}, {"contacts", ActWrite}, {"contacts", ActManage},
		{"handovers", ActRead}, {"handovers", ActWrite}, {"handovers", ActManage},
		{"users", ActManage}, {"reach", ActRead},
		// residents' requests
		{"privacy", ActManage},
		{"partners", ActRead}, {"partners", ActManage},
	},
	cases.RoleProgramme: {
		{"reference", ActRead}, {"reach", ActRead}, {"reach", ActManage},
	},
	// The privacy officer reads the organisation's audit and handles its
	// residents' requests; no case data otherwise.
	cases.RolePrivacy: {
		{"reference", ActRead}, {"audit", ActRead}, {"privacy", ActManage},
	},
	cases.RoleAdmin: {
		{"reference", ActRead}, {"reference", ActManage}, {"users", ActManage}, {"tokens", ActManage},
		{"partners", ActRead}, {"partners", ActManage}, {"mail", ActManage},
	},
}

// Policy is the Casbin enforcer (RBAC with domains): the role permissions
// above and the users' roles, read from the store. The enforcer is rebuilt
// when the store's auth generation moves on, whichever process changed a
// role, so a change takes effect at once everywhere.
type Policy struct {
	store cases.Store

	mu       sync.Mutex // held while rebuilding
	enforcer atomic.Pointer[casbin.SyncedCachedEnforcer]
	gen      atomic.Int64 // the generation enforcer was built at
}

// NewPolicy builds the policy from the store.
func NewPolicy(ctx context.Context, store cases.Store) (*Policy, error) {
	p := &Policy{store: store}
	gen, err := store.View(ctx).Sessions().AuthGeneration(ctx)
	if err != nil {
		return nil, err
	}
	return p, p.rebuild(ctx, gen)
}

// rebuild makes a new enforcer from the roles as of generation gen.
func (p *Policy) rebuild(ctx context.Context, gen int64) error {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return err
	}
	e, err := casbin.NewSyncedCachedEnforcer(m)
	if err != nil {
		return fmt.Errorf("auth: enforcer: %w", err)
	}
	var rules [][]string
	for role, perms := range rolePermissions {
		for _, perm := range perms {
			rules = append(rules, []string{role, "*", perm[0], perm[1]})
		}
	}
	if _, err := e.AddPolicies(rules); err != nil {
		return err
	}
	assignments, err := p.store.View(ctx).Users().RoleAssignments(ctx)
	if err != nil {
		return err
	}
	var grouping [][]string
	for _, a := range assignments {
		grouping = append(grouping, []string{a.Username, a.Role, a.Organisation})
	}
	if len(grouping) > 0 {
		if _, err := e.AddGroupingPolicies(grouping); err != nil {
			return err
		}
	}
	p.enforcer.Store(e)
	p.gen.Store(gen)
	return nil
}

// current returns an enforcer no older than generation gen.
func (p *Policy) current(ctx context.Context, gen int64) (*casbin.SyncedCachedEnforcer, error) {
	if gen <= p.gen.Load() {
		return p.enforcer.Load(), nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen > p.gen.Load() {
		if err := p.rebuild(ctx, gen); err != nil {
			return nil, err
		}
	}
	return p.enforcer.Load(), nil
}

// Allowed reports whether user, in organisation, may act on obj, under the
// roles as of generation gen (Session.Generation).
func (p *Policy) Allowed(ctx context.Context, gen int64, user, organisation, obj, act string) bool {
	e, err := p.current(ctx, gen)
	if err != nil {
		return false
	}
	ok, err := e.Enforce(user, organisation, obj, act)
	return err == nil && ok
}
