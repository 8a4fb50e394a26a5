package org

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// setsOrgRole reports whether a membership change is Change User Roles':
// anything but the member's settings (limits, tracking, e-mails) is.
func setsOrgRole(before, after *core.Record) bool {
	if before == nil {
		return true
	}
	settings := membershipSettings()
	for _, name := range gate.ChangedFields(before, after) {
		if _, ok := settings[name]; !ok {
			return true
		}
	}
	return false
}

// GuardOrgRoles applies perms.CanSetRole to memberships: only owners and
// managers set organization roles, inside their own rank. Only owners change
// or remove an owner's membership in any way (limits and tracking too), and
// the last owner learns why they can't leave.
func guardOrgRoles(app core.App, a gate.Actor, _ gate.Decider, before, after *core.Record) error {
	was, is := schema.Membership{Record: before}, schema.Membership{Record: after}
	if after == nil && isActiveOwner(before) && was.User() == a.Actor.UserID {
		if err := requireAnotherOwner(app, before); err != nil {
			return err
		}
	}
	if before != nil && was.Role() == schema.RoleOwner && a.Actor.OrgRole != schema.RoleOwner {
		return router.NewForbiddenError("Only an owner can change or remove an owner.", nil)
	}
	if after == nil || !setsOrgRole(before, after) {
		return nil
	}
	from := ""
	if before != nil {
		from = was.Role()
	}
	return gate.RefuseRole(perms.CanSetRole(a.Actor, perms.RoleChange{
		Scope: perms.ScopeOrganization, Target: is.User(),
		TargetOrgRole: from, From: from, To: is.Role(),
	}))
}

// GuardOrgKeys keeps an organization's key fields Tock's own: a member who
// could set public_key would have new screenshots sealed for a key they hold.
func guardOrgKeys(_ core.App, _ gate.Actor, _ gate.Decider, before, after *core.Record) error {
	if before == nil || after == nil {
		return nil
	}
	for _, f := range []string{"key_id", "public_key"} {
		if before.GetString(f) != after.GetString(f) {
			return router.NewBadRequestError("Keys change only through key rotation.", nil)
		}
	}
	return nil
}
