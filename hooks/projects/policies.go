package projects

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Policies maps clients, projects, their members, teams and tasks onto the matrix.
func Policies() gate.Policies {
	return gate.Policies{
		schema.Clients: {
			Create: gate.Always(perms.AddClients),
			Update: gate.ByChangedField(nil, perms.EditClients),
			Delete: gate.AlwaysDelete(perms.RemoveClients),
		},
		schema.Projects: {
			Create: gate.Always(perms.CreateProjects),
			Update: gate.ByChangedField(map[string]perms.Feature{
				"archived":    perms.ArchiveProjects,
				"budget":      perms.ManageProjectBudget,
				"budget_type": perms.ManageProjectBudget,
			}, perms.EditProjects),
			Delete:       gate.AlwaysDelete(perms.DeleteProjects),
			HiddenFields: map[string]perms.Feature{"budget": perms.ViewProjectBudget, "budget_type": perms.ViewProjectBudget},
		},
		schema.ProjectMembers: {
			Create: func(r *core.Record) []perms.Feature {
				if r.GetString(schema.FieldRole) == schema.ProjectRoleUser {
					return []perms.Feature{perms.AddProjectMembers}
				}
				return []perms.Feature{perms.AddProjectMembers, perms.PromoteDemoteUsersInProjects}
			},
			Update:      changesProjectRole,
			Delete:      gate.AlwaysDelete(perms.RemoveMembersInProject),
			Guard:       gate.GuardScopedRole(perms.ScopeProject, "project", projectRole),
			Alternative: assignsTeamMember,
		},
		schema.Teams: {
			Create: gate.Always(perms.CreateTeams),
			Update: gate.ByChangedField(nil, perms.ManageTeams),
			Delete: gate.AlwaysDelete(perms.ManageTeams),
		},
		schema.TeamMembers: {
			Create: func(r *core.Record) []perms.Feature {
				if r.GetBool("is_lead") {
					return []perms.Feature{perms.ModifyTeamMembers, perms.AddRemoveTeamLeads}
				}
				return []perms.Feature{perms.ModifyTeamMembers}
			},
			Update: gate.ByChangedField(nil, perms.AddRemoveTeamLeads),
			Delete: func(_ perms.Actor, r *core.Record) []perms.Feature {
				if r.GetBool("is_lead") {
					return []perms.Feature{perms.ModifyTeamMembers, perms.AddRemoveTeamLeads}
				}
				return []perms.Feature{perms.ModifyTeamMembers}
			},
			Guard: gate.GuardScopedRole(perms.ScopeTeam, "team", teamRole),
		},
		schema.TeamProjects: {
			Create: gate.Always(perms.ModifyTeamProjects),
			Update: gate.ByChangedField(nil, perms.ModifyTeamProjects),
			Delete: gate.AlwaysDelete(perms.ModifyTeamProjects),
			Guard:  guardTeamProject,
		},
		schema.Tasks: {
			Create: gate.Always(perms.AddEditRemoveTasks),
			Update: gate.ByChangedField(map[string]perms.Feature{"completed": perms.MarkTasksAsComplete}, perms.AddEditRemoveTasks),
			Delete: gate.AlwaysDelete(perms.AddEditRemoveTasks),
		},
	}
}

// ChangesProjectRole: a project role is "Change User Roles", which project
// managers and team leads hold for the projects they manage or their teams
// have; it allows at least what "Promote/Demote Users In Projects" does in
// every column, so a role change needs it alone. Moving the membership to
// another person or project is Promote/Demote's.
func changesProjectRole(before, after *core.Record) []perms.Feature {
	return gate.ByChangedField(map[string]perms.Feature{"role": perms.ChangeUserRoles},
		perms.PromoteDemoteUsersInProjects)(before, after)
}

// AssignsTeamMember is "Manage Assigned Projects": putting someone on a
// project as a plain user, or taking them off it, from their side. A team
// lead may do it for their own teams' members, without the toggle that
// "Add Project Members" and "Remove Members In Project" need.
func assignsTeamMember(d gate.Decider, a gate.Actor, r *core.Record) bool {
	if r.GetString(schema.FieldRole) != schema.ProjectRoleUser {
		return false
	}
	dec := d.Decide(a, perms.ManageAssignedProjects, perms.Target{ProjectID: r.GetString(schema.FieldProject)})
	return dec.Allowed && (dec.Role != perms.RoleTeamLead || a.Actor.LedMembers[r.GetString(schema.FieldUser)])
}
