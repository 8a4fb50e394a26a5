package projects

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func projectRole(r *core.Record) string { return r.GetString(schema.FieldRole) }

func teamRole(r *core.Record) string {
	if r.GetBool("is_lead") {
		return perms.TeamLead
	}
	return perms.TeamMember
}

// GuardTeamProject: putting a project under a team gives the team's leads
// access to it, so it takes the right to add members to that project too.
func guardTeamProject(_ core.App, a gate.Actor, d gate.Decider, _, after *core.Record) error {
	if after == nil {
		return nil
	}
	if !d.Decide(a, perms.AddProjectMembers, perms.Target{ProjectID: after.GetString(schema.FieldProject)}).Allowed {
		return reply.Forbidden(perms.AddProjectMembers)
	}
	return nil
}
