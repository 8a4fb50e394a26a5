package hooks

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/perms"
)

// guardFunc refuses what the matrix can't express. before is nil on create,
// after is nil on delete.
type guardFunc func(app core.App, a orgActor, d decider, before, after *core.Record) error

// Ranks order roles so that "raising" has a meaning.
func orgRank(role string) int {
	switch role {
	case "owner":
		return 3
	case "manager":
		return 2
	case "user":
		return 1
	}
	return 0
}

func projectRank(role string) int {
	switch role {
	case "manager":
		return 3
	case "user":
		return 2
	case "viewer":
		return 1
	}
	return 0
}

func leadRank(isLead string) int {
	if isLead == "true" {
		return 1
	}
	return 0
}

func errRaiseOwnRole() error {
	return router.NewForbiddenError("No one can raise their own role.", nil)
}

// guardOrgRoles: only owners make, change or remove owners, no one raises
// their own organization role, and the last owner learns why they can't leave.
func guardOrgRoles(app core.App, a orgActor, _ decider, before, after *core.Record) error {
	if after == nil && isActiveOwner(before) && before.GetString("user") == a.actor.UserID {
		if err := requireAnotherOwner(app, before); err != nil {
			return err
		}
	}
	touchesOwner := (before != nil && before.GetString("role") == "owner") ||
		(after != nil && after.GetString("role") == "owner")
	if touchesOwner && a.actor.OrgRole != "owner" {
		return router.NewForbiddenError("Only an owner can make, change or remove an owner.", nil)
	}
	if before != nil && after != nil && after.GetString("user") == a.actor.UserID &&
		orgRank(after.GetString("role")) > orgRank(before.GetString("role")) {
		return errRaiseOwnRole()
	}
	return nil
}

// guardOwnRank refuses a change that raises the requester's own rank in a
// project or team; owners, who hold every right already, are exempt.
func guardOwnRank(field string, rank func(string) int) guardFunc {
	return func(_ core.App, a orgActor, _ decider, before, after *core.Record) error {
		if after == nil || a.actor.OrgRole == "owner" || after.GetString("user") != a.actor.UserID {
			return nil
		}
		was := 0
		if before != nil {
			was = rank(before.GetString(field))
		}
		if rank(after.GetString(field)) > was && before != nil {
			return errRaiseOwnRole()
		}
		return nil
	}
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
