package hooks_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Probes of who sets which role (perms.CanSetRole on top of the cells):
// organization roles by owners and managers only, no role above one's own,
// no change to someone ranked above, no raising one's own, and project
// managers and team leads alike in the projects they manage or lead.

// settingOrgRole expects Change User Roles on a membership within
// perms.CanSetRole: a project manager or team lead is refused though their
// cell is `assigned`.
func settingOrgRole(pr probe, user, from, to string) probe {
	pr.expect = func(a perms.Actor, s perms.Settings, t perms.Target) perms.Decision {
		c := perms.RoleChange{Scope: perms.ScopeOrganization, Target: user, TargetOrgRole: from, From: from, To: to}
		if !perms.CanSetRole(a, c).Allowed {
			return perms.Decision{}
		}
		return perms.Default().Decide(a, perms.ChangeUserRoles, t, s)
	}
	return pr
}

// settingProjectRole expects a project role change c (its scope is set
// here): Change User Roles (a project manager's projects, a team lead's
// teams' projects) or Promote/Demote Users In Projects, within
// perms.CanSetRole.
func settingProjectRole(pr probe, c perms.RoleChange) probe {
	c.Scope = perms.ScopeProject
	pr.expect = func(a perms.Actor, s perms.Settings, t perms.Target) perms.Decision {
		if !perms.CanSetRole(a, c).Allowed {
			return perms.Decision{}
		}
		m := perms.Default()
		if d := m.Decide(a, perms.PromoteDemoteUsersInProjects, t, s); d.Allowed {
			return d
		}
		return m.Decide(a, perms.ChangeUserRoles, t, s)
	}
	return pr
}

// settingTeamRole expects Add/Remove Team Leads within perms.CanSetRole.
func settingTeamRole(pr probe, c perms.RoleChange) probe {
	c.Scope = perms.ScopeTeam
	pr.expect = func(a perms.Actor, s perms.Settings, t perms.Target) perms.Decision {
		if !perms.CanSetRole(a, c).Allowed {
			return perms.Decision{}
		}
		return perms.Default().Decide(a, perms.AddRemoveTeamLeads, t, s)
	}
	return pr
}

// joiningAs expects someone putting themselves on project with role: Add
// Project Members and Promote/Demote, and no raising of one's own role.
func joiningAs(pr probe, self, project, role string) probe {
	pr.expect = func(a perms.Actor, s perms.Settings, t perms.Target) perms.Decision {
		c := perms.RoleChange{Scope: perms.ScopeProject, Where: project, Target: self, TargetOrgRole: a.OrgRole, To: role}
		m := perms.Default()
		if !perms.CanSetRole(a, c).Allowed || !m.Decide(a, perms.PromoteDemoteUsersInProjects, t, s).Allowed {
			return perms.Decision{}
		}
		return m.Decide(a, perms.AddProjectMembers, t, s)
	}
	return pr
}

// withRecord plants one record before the probe.
func withRecord(pr probe, collection, id string, fields map[string]any) probe {
	pr.before = func(t testing.TB, app core.App) { hookstest.PlantRecord(t, app, collection, id, fields) }
	return pr
}

// Records the role probes plant: Bob, the organization manager, on project
// A as a user and as a lead of team T.
const (
	bobInA = "pmbobrolesa0000"
	bobInT = "tmbobrolest0000"
)

func roleProbes(self string) []probe {
	zoe := perms.Target{OwnerID: tt.Zoe}
	zoeOwner := settingOrgRole(updated(schema.Memberships, tt.MembershipID(tt.Zoe), "role", "user"), tt.Zoe, "owner", "user").
		on(perms.ChangeUserRoles, "team member who is an owner (demote)", tt.Acme, zoe)
	zoeOwner.before = func(t testing.TB, app core.App) {
		hookstest.SetFields(t, app, schema.Memberships, tt.MembershipID(tt.Zoe), map[string]any{"role": "owner"})
	}
	a := perms.Target{ProjectID: tt.ProjA}
	return []probe{
		// Only an owner makes an owner; only an owner unmakes one.
		settingOrgRole(updated(schema.Memberships, tt.MembershipID(tt.Zoe), "role", "owner"), tt.Zoe, "user", "owner").
			on(perms.ChangeUserRoles, "team member (make owner)", tt.Acme, zoe),
		zoeOwner,
		// An organization manager's project role is out of a project
		// manager's and a team lead's reach; the manager can't make
		// themselves the project's viewer either.
		withRecord(settingProjectRole(updated(schema.ProjectMembers, bobInA, "role", "viewer"),
			perms.RoleChange{Where: tt.ProjA, Target: tt.Bob, TargetOrgRole: "manager", From: "user", To: "viewer"}),
			schema.ProjectMembers, bobInA, map[string]any{"org": tt.Acme, "project": tt.ProjA, "user": tt.Bob, "role": "user"}).
			on(perms.ChangeUserRoles, "assigned (a manager's project role)", tt.Acme, a),
		// So is a lead who is an organization manager.
		withRecord(settingTeamRole(updated(schema.TeamMembers, bobInT, "is_lead", false),
			perms.RoleChange{Where: tt.TeamT, Target: tt.Bob, TargetOrgRole: "manager", From: perms.TeamLead, To: perms.TeamMember}),
			schema.TeamMembers, bobInT, map[string]any{"org": tt.Acme, "team": tt.TeamT, "user": tt.Bob, "is_lead": true}).
			on(perms.AddRemoveTeamLeads, "assigned (a lead who is a manager)", tt.Acme, perms.Target{TeamID: tt.TeamT}),
		// Nobody but an owner gives themselves a role: a manager who made
		// themselves a project's viewer would see its screenshots.
		joiningAs(created(schema.ProjectMembers, map[string]any{"org": tt.Acme, "project": tt.ProjB, "user": self, "role": "viewer"},
			"project = {:project} AND user = {:user}"), self, tt.ProjB, "viewer").
			on(perms.AddProjectMembers, "oneself as a viewer", tt.Acme, perms.Target{ProjectID: tt.ProjB}),
	}
}
