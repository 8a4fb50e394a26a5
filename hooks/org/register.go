package org

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/gate"
)

// Register binds the organization's record hooks: organizations,
// memberships, the users' organization lists and their accounts come first,
// before the cross-organization checks (see hooks.Register).
func Register(app core.App) {
	registerOrganizations(app)
	registerMemberships(app)
	registerUserOrgs(app)
	registerAccount(app)
}

// RegisterRoutes binds me, people, invitations, what Tock records about a
// member, and the plan.
func RegisterRoutes(app core.App, z *gate.Authorizer) {
	registerMe(app, z)
	registerPeople(app, z)
	registerInvites(app, z)
	registerRecords(app, z)
	registerPlan(app, z)
}
