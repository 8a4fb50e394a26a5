package hooks

import (
	"maps"
	"reflect"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// targetOf builds the perms.Target of a record from the fields a names.
func targetOf(a migrations.Access, r *core.Record) perms.Target {
	get := func(field string) string {
		if field == "" {
			return ""
		}
		return r.GetString(field)
	}
	return perms.Target{OwnerID: get(a.Owner), ProjectID: get(a.Project), TeamID: get(a.Team)}
}

// policy maps every request on one collection onto matrix features: the
// collection's Access (shared with its API rules) plus the exact choice of
// features per request.
type policy struct {
	migrations.Access

	create func(r *core.Record) []perms.Feature
	update func(before, after *core.Record) []perms.Feature
	delete func(actor perms.Actor, r *core.Record) []perms.Feature
	// guard refuses what the matrix can't express: raising one's own role,
	// making owners without being one.
	guard guardFunc
	// alternative is another way the matrix allows a create or delete that
	// the features of create or delete refuse.
	alternative func(d decider, a orgActor, r *core.Record) bool

	// hiddenFields are shown only to those the feature allows on the record.
	hiddenFields map[string]perms.Feature
}

func always(fs ...perms.Feature) func(*core.Record) []perms.Feature {
	return func(*core.Record) []perms.Feature { return fs }
}

func alwaysDelete(fs ...perms.Feature) func(perms.Actor, *core.Record) []perms.Feature {
	return func(perms.Actor, *core.Record) []perms.Feature { return fs }
}

// byChangedField picks the feature of every field a change touches; fields
// not listed need other. An empty change still needs other.
func byChangedField(fields map[string]perms.Feature, other perms.Feature) func(before, after *core.Record) []perms.Feature {
	return func(before, after *core.Record) []perms.Feature {
		var out []perms.Feature
		for _, name := range changedFields(before, after) {
			f, ok := fields[name]
			if !ok {
				f = other
			}
			out = appendUnique(out, f)
		}
		if len(out) == 0 {
			out = append(out, other)
		}
		return out
	}
}

func changedFields(before, after *core.Record) []string {
	var names []string
	for _, f := range after.Collection().Fields {
		if _, auto := f.(*core.AutodateField); auto {
			continue
		}
		if !reflect.DeepEqual(before.Get(f.GetName()), after.Get(f.GetName())) {
			names = append(names, f.GetName())
		}
	}
	return names
}

func appendUnique(fs []perms.Feature, f perms.Feature) []perms.Feature {
	for _, have := range fs {
		if have == f {
			return fs
		}
	}
	return append(fs, f)
}

// policies is the whole mapping of Tock's collections onto the matrix.
func policies(m *perms.Matrix) map[string]policy {
	toggles := map[string]bool{}
	for _, t := range m.Toggles() {
		toggles[t] = true
	}
	ps := map[string]policy{
		migrations.Organizations: {
			create: always(perms.CreateAnOrganization),
			update: func(before, after *core.Record) []perms.Feature {
				var out []perms.Feature
				for _, name := range changedFields(before, after) {
					switch {
					case name == "archived" && after.GetBool(name):
						out = appendUnique(out, perms.ArchiveOrganization)
					case name == "archived":
						out = appendUnique(out, perms.RestoreOrganization)
					case name == "name" || name == "timezone":
						out = appendUnique(out, perms.EditOrganization)
					case name == "timesheet_approvals":
						out = appendUnique(out, perms.EnableTimesheetApprovals)
					case name == "pay_period" || name == "pay_period_anchor":
						out = appendUnique(out, perms.ManagePayPeriods)
					case isPlanField(name):
						out = appendUnique(out, perms.ChangeSubscriptionPlan)
					case isFeatureField(name):
						out = appendUnique(out, perms.AddRemoveFeatures)
					case toggles[name] && name != perms.SettingAllowScreenshotDelete:
						// A toggle widens what managers and team leads may do:
						// only owners grant it, or a manager could raise their own role.
						out = appendUnique(out, perms.EditOrganization)
					default:
						out = appendUnique(out, perms.ChangeOrganizationSettings)
					}
				}
				if len(out) == 0 {
					out = append(out, perms.EditOrganization)
				}
				return out
			},
			delete: alwaysDelete(perms.DeleteOrganization),
			guard:  guardOrgKeys,
		},
		migrations.Memberships: {
			create: func(r *core.Record) []perms.Feature {
				// A member who starts with a limit had it set by whoever added them.
				if r.GetFloat("daily_limit_hours") != 0 || r.GetFloat("weekly_limit_hours") != 0 {
					return []perms.Feature{perms.InviteUsers, perms.SetDailyWeeklyLimits}
				}
				return []perms.Feature{perms.InviteUsers}
			},
			update: byChangedField(membershipSettings(), perms.ChangeUserRoles),
			delete: func(a perms.Actor, r *core.Record) []perms.Feature {
				if r.GetString("user") == a.UserID {
					return []perms.Feature{perms.LeaveOrganization}
				}
				return []perms.Feature{perms.RemoveUsers}
			},
			guard: guardOrgRoles,
		},
		migrations.Clients: {
			create: always(perms.AddClients),
			update: byChangedField(nil, perms.EditClients),
			delete: alwaysDelete(perms.RemoveClients),
		},
		migrations.Projects: {
			create: always(perms.CreateProjects),
			update: byChangedField(map[string]perms.Feature{
				"archived":    perms.ArchiveProjects,
				"budget":      perms.ManageProjectBudget,
				"budget_type": perms.ManageProjectBudget,
			}, perms.EditProjects),
			delete:       alwaysDelete(perms.DeleteProjects),
			hiddenFields: map[string]perms.Feature{"budget": perms.ViewProjectBudget, "budget_type": perms.ViewProjectBudget},
		},
		migrations.ProjectMembers: {
			create: func(r *core.Record) []perms.Feature {
				if r.GetString("role") == "user" {
					return []perms.Feature{perms.AddProjectMembers}
				}
				return []perms.Feature{perms.AddProjectMembers, perms.PromoteDemoteUsersInProjects}
			},
			update:      changesProjectRole,
			delete:      alwaysDelete(perms.RemoveMembersInProject),
			guard:       guardScopedRole(perms.ScopeProject, "project", projectRole),
			alternative: assignsTeamMember,
		},
		migrations.Teams: {
			create: always(perms.CreateTeams),
			update: byChangedField(nil, perms.ManageTeams),
			delete: alwaysDelete(perms.ManageTeams),
		},
		migrations.TeamMembers: {
			create: func(r *core.Record) []perms.Feature {
				if r.GetBool("is_lead") {
					return []perms.Feature{perms.ModifyTeamMembers, perms.AddRemoveTeamLeads}
				}
				return []perms.Feature{perms.ModifyTeamMembers}
			},
			update: byChangedField(nil, perms.AddRemoveTeamLeads),
			delete: func(_ perms.Actor, r *core.Record) []perms.Feature {
				if r.GetBool("is_lead") {
					return []perms.Feature{perms.ModifyTeamMembers, perms.AddRemoveTeamLeads}
				}
				return []perms.Feature{perms.ModifyTeamMembers}
			},
			guard: guardScopedRole(perms.ScopeTeam, "team", teamRole),
		},
		migrations.TeamProjects: {
			create: always(perms.ModifyTeamProjects),
			update: byChangedField(nil, perms.ModifyTeamProjects),
			delete: alwaysDelete(perms.ModifyTeamProjects),
			guard:  guardTeamProject,
		},
		migrations.Tasks: {
			create: always(perms.AddEditRemoveTasks),
			update: byChangedField(map[string]perms.Feature{"completed": perms.MarkTasksAsComplete}, perms.AddEditRemoveTasks),
			delete: alwaysDelete(perms.AddEditRemoveTasks),
		},
		migrations.Activities: {
			create: always(perms.AddEditDeleteTime),
			update: byChangedField(nil, perms.AddEditDeleteTime),
			delete: alwaysDelete(perms.AddEditDeleteTime),
		},
		migrations.Screenshots: {
			update: byChangedField(nil, perms.ModifyScreenshots),
			delete: alwaysDelete(perms.DeleteScreenshots),
		},
		migrations.AppUsage: {
			delete:       alwaysDelete(perms.AddEditDeleteTime),
			hiddenFields: map[string]perms.Feature{"url": perms.ViewURLs},
		},
		// Invitations are created and accepted through Tock's routes only;
		// revoking one is deleting it.
		migrations.Invites: {
			delete: alwaysDelete(perms.ViewAndManageInvites),
		},
		migrations.Rates: {
			create: always(perms.ManagePayBillRates),
			update: byChangedField(nil, perms.ManagePayBillRates),
			delete: alwaysDelete(perms.ManagePayBillRates),
		},
		migrations.Webhooks: {
			create: always(perms.AddIntegration),
			update: byChangedField(nil, perms.ChangeIntegrationSettings),
			delete: alwaysDelete(perms.RemoveIntegration),
		},
		migrations.BreakPolicies: {
			create: always(perms.CreateWorkBreakPolicies),
			update: byChangedField(nil, perms.EditWorkBreakPolicies),
			delete: alwaysDelete(perms.EditWorkBreakPolicies),
		},
	}
	maps.Copy(ps, timeOffPolicies())
	maps.Copy(ps, fieldPolicies())
	for name, a := range migrations.AccessOf() {
		p := ps[name]
		p.Access = a
		ps[name] = p
	}
	return ps
}

// membershipSettings are the fields of a membership that are the member's
// settings, each with its feature; every other field is the membership
// itself, Change User Roles' (see setsOrgRole).
func membershipSettings() map[string]perms.Feature {
	return map[string]perms.Feature{
		"screenshots_per_slot": perms.ChangeOrganizationSettings,
		"daily_limit_hours":    perms.SetDailyWeeklyLimits,
		"weekly_limit_hours":   perms.SetDailyWeeklyLimits,
		"tracking_enabled":     perms.EnableDisableTimeTracking,
		"summary_emails":       perms.ReceiveWorkSummaryEmails,
	}
}

// changesProjectRole: a project role is "Change User Roles", which project
// managers and team leads hold for the projects they manage or their teams
// have; it allows at least what "Promote/Demote Users In Projects" does in
// every column, so a role change needs it alone. Moving the membership to
// another person or project is Promote/Demote's.
func changesProjectRole(before, after *core.Record) []perms.Feature {
	return byChangedField(map[string]perms.Feature{"role": perms.ChangeUserRoles},
		perms.PromoteDemoteUsersInProjects)(before, after)
}

// restrictedTerms are field names whose values only some may read. A list
// whose filter or sort mentions one, on its own collection or through a
// relation, is narrowed to the records whose value the requester may read, so
// filtering can't reveal what viewing hides.
func restrictedTerms() map[string]perms.Feature {
	return map[string]perms.Feature{
		"budget":      perms.ViewProjectBudget,
		"budget_type": perms.ViewProjectBudget,
		"url":         perms.ViewURLs,
	}
}

// assignsTeamMember is "Manage Assigned Projects": putting someone on a
// project as a plain user, or taking them off it, from their side. A team
// lead may do it for their own teams' members, without the toggle that
// "Add Project Members" and "Remove Members In Project" need.
func assignsTeamMember(d decider, a orgActor, r *core.Record) bool {
	if r.GetString("role") != "user" {
		return false
	}
	dec := d.decide(a, perms.ManageAssignedProjects, perms.Target{ProjectID: r.GetString("project")})
	return dec.Allowed && (dec.Role != perms.RoleTeamLead || a.actor.LedMembers[r.GetString("user")])
}
