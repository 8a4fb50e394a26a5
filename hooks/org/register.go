package org

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/gate"
)

// Register binds the organization's record hooks and routes. Organizations,
// memberships and the users' organization lists come first, before the
// cross-organization checks (see hooks.Register).
func Register(app core.App) {
	registerOrganizations(app)
	registerMemberships(app)
	registerUserOrgs(app)
}

// RegisterRoutes binds me, people, invitations and the plan.
func RegisterRoutes(app core.App, z *gate.Authorizer) {
	registerMe(app, z)
	registerPeople(app, z)
	registerInvites(app, z)
	registerPlan(app, z)
}
