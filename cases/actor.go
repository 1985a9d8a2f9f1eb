package cases

import "slices"

// Roles. A user has one or more within their organisation.
const (
	RoleWorker      = "worker"
	RoleCoordinator = "coordinator"
	RoleProgramme   = "programme"
	RoleAdmin       = "admin"
	RolePrivacy     = "privacy" // the organisation's privacy officer
	// RoleOperator is the operator on the server (the command line), never
	// a user's role.
	RoleOperator = "operator"
)

// AllRoles lists the roles a user can hold, in the order screens show them.
var AllRoles = []string{RoleWorker, RoleCoordinator, RoleProgramme, RoleAdmin, RolePrivacy}

// CaseRoles work with residents' data. No account combines one with an
// office role (admin, programme, privacy): who manages accounts or reads
// figures or the audit must not also read case notes.
var CaseRoles = []string{RoleWorker, RoleCoordinator}

// IsCaseRole reports whether role works with residents' data.
func IsCaseRole(role string) bool { return slices.Contains(CaseRoles, role) }

// Actor is the logged-in user on whose behalf a use case runs. Every query
// that touches personal data is scoped by OrganisationID.
type Actor struct {
	UserID           int64
	Username         string
	OrganisationID   int64
	OrganisationSlug string
	// Programme is the user's own programme (a slug, or ""): the default
	// of what they log and send.
	Programme string
	Roles     []string
	// Address is where the request came from, for the audit log.
	Address string
}

// Has reports whether the actor holds role.
func (a Actor) Has(role string) bool { return slices.Contains(a.Roles, role) }
