package hooks

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// guardFunc refuses what the matrix can't express. before is nil on create,
// after is nil on delete.
type guardFunc func(app core.App, a orgActor, d decider, before, after *core.Record) error

// refuseRole turns a refused role change into a 403. An unknown role is left
// to the record's validation, whose 400 names the field.
func refuseRole(d perms.RoleDecision) error {
	if d.Allowed || d.Reason == perms.ReasonUnknownRole {
		return nil
	}
	return router.NewForbiddenError(d.Reason, nil)
}

// activeOrgRole is user's organization role in org, "" unless they are an
// active member: the rank a role change in a project or team must respect.
func activeOrgRole(app core.App, org, user string) (string, error) {
	var m struct {
		Role   string `db:"role"`
		Status string `db:"status"`
	}
	err := app.RecordQuery(migrations.Memberships).Select("role", "status").
		AndWhere(dbx.HashExp{"org": org, "user": user}).Limit(1).One(&m)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && m.Status != "active") {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("organization role of %s in %s: %w", user, org, err)
	}
	return m.Role, nil
}

// setsOrgRole reports whether a membership change is Change User Roles':
// anything but the member's settings (limits, tracking, e-mails) is.
func setsOrgRole(before, after *core.Record) bool {
	if before == nil {
		return true
	}
	settings := membershipSettings()
	for _, name := range changedFields(before, after) {
		if _, ok := settings[name]; !ok {
			return true
		}
	}
	return false
}

// guardOrgRoles applies perms.CanSetRole to memberships: only owners and
// managers set organization roles, inside their own rank. Only owners change
// or remove an owner's membership in any way (limits and tracking too), and
// the last owner learns why they can't leave.
func guardOrgRoles(app core.App, a orgActor, _ decider, before, after *core.Record) error {
	if after == nil && isActiveOwner(before) && before.GetString("user") == a.actor.UserID {
		if err := requireAnotherOwner(app, before); err != nil {
			return err
		}
	}
	if before != nil && before.GetString("role") == "owner" && a.actor.OrgRole != "owner" {
		return router.NewForbiddenError("Only an owner can change or remove an owner.", nil)
	}
	if after == nil || !setsOrgRole(before, after) {
		return nil
	}
	from := ""
	if before != nil {
		from = before.GetString("role")
	}
	return refuseRole(perms.CanSetRole(a.actor, perms.RoleChange{
		Scope: perms.ScopeOrganization, Target: after.GetString("user"),
		TargetOrgRole: from, From: from, To: after.GetString("role"),
	}))
}

// guardScopedRole applies perms.CanSetRole to the role of a project or team
// membership whenever it is set: on create, or when the role, the person or
// the project/team changes. where names the project or team field, role
// reads the record's role in that scope.
func guardScopedRole(scope perms.RoleScope, where string, role func(*core.Record) string) guardFunc {
	return func(app core.App, a orgActor, _ decider, before, after *core.Record) error {
		if after == nil {
			return nil
		}
		same := before != nil && before.GetString(where) == after.GetString(where) &&
			before.GetString("user") == after.GetString("user")
		if same && role(before) == role(after) {
			return nil
		}
		from := ""
		if same {
			from = role(before)
		}
		target := after.GetString("user")
		orgRole, err := activeOrgRole(app, after.GetString("org"), target)
		if err != nil {
			return err
		}
		return refuseRole(perms.CanSetRole(a.actor, perms.RoleChange{
			Scope: scope, Where: after.GetString(where), Target: target,
			TargetOrgRole: orgRole, From: from, To: role(after),
		}))
	}
}

func projectRole(r *core.Record) string { return r.GetString("role") }

func teamRole(r *core.Record) string {
	if r.GetBool("is_lead") {
		return perms.TeamLead
	}
	return perms.TeamMember
}

// guardTeamProject: putting a project under a team gives the team's leads
// access to it, so it takes the right to add members to that project too.
func guardTeamProject(_ core.App, a orgActor, d decider, _, after *core.Record) error {
	if after == nil {
		return nil
	}
	if !d.decide(a, perms.AddProjectMembers, perms.Target{ProjectID: after.GetString("project")}).Allowed {
		return forbidden(perms.AddProjectMembers)
	}
	return nil
}

// guardOrgKeys keeps an organization's key fields Tock's own: a member who
// could set public_key would have new screenshots sealed for a key they hold.
func guardOrgKeys(_ core.App, _ orgActor, _ decider, before, after *core.Record) error {
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
