package cases

import "slices"

// Roles. A user has one or more within their organisation.
const (
	RoleWorker      = "worker"
	RoleCoordinator = "coordinator"
	RoleProgramme   = "programme"
	RoleAdmin       = "admin"
)

// AllRoles lists the roles in the order screens show them.
var AllRoles = []string{RoleWorker, RoleCoordinator, RoleProgramme, RoleAdmin}

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
}

// Has reports whether the actor holds role.
func (a Actor) Has(role string) bool { return slices.Contains(a.Roles, role) }
