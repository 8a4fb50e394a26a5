package hooks

import (
	"reflect"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// targetFields names the fields of a collection that make up a perms.Target;
// "id" stands for the record itself (a project, a team).
type targetFields struct {
	owner, project, team string
}

func (tf targetFields) of(r *core.Record) perms.Target {
	get := func(field string) string {
		if field == "" {
			return ""
		}
		return r.GetString(field)
	}
	return perms.Target{OwnerID: get(tf.owner), ProjectID: get(tf.project), TeamID: get(tf.team)}
}

// policy maps every request on one collection onto matrix features.
type policy struct {
	orgField string // "org", or "id" for organizations themselves
	target   targetFields

	// view is the feature that lists and shows records; "" lets every member see them.
	view perms.Feature
	// ownField, when set, also shows members the records where it names them.
	ownField string
	// ownTeamsField, when set, also shows members the records of teams they belong to.
	ownTeamsField string

	create func(r *core.Record) []perms.Feature
	update func(before, after *core.Record) []perms.Feature
	delete func(actor perms.Actor, r *core.Record) []perms.Feature
	// guard refuses what the matrix can't express: raising one's own role,
	// making owners without being one.
	guard guardFunc

	// hiddenFields are shown only to those the feature allows on the record.
	hiddenFields map[string]perms.Feature
	// agentOnly collections are written only by the agent's ingest routes.
	agentOnly bool
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
	data := targetFields{owner: "user", project: "project"}

	return map[string]policy{
		migrations.Organizations: {
			orgField: "id",
			create:   always(perms.CreateAnOrganization),
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
		},
		migrations.Memberships: {
			orgField: "org",
			target:   targetFields{owner: "user"},
			view:     perms.ViewOrganizationMembers,
			ownField: "user",
			create:   always(perms.InviteUsers),
			update: byChangedField(map[string]perms.Feature{
				"screenshots_per_slot": perms.ChangeOrganizationSettings,
			}, perms.ChangeUserRoles),
			delete: func(a perms.Actor, r *core.Record) []perms.Feature {
				if r.GetString("user") == a.UserID {
					return []perms.Feature{perms.LeaveOrganization}
				}
				return []perms.Feature{perms.RemoveUsers}
			},
			guard: guardOrgRoles,
		},
		migrations.Clients: {
			orgField: "org",
			view:     perms.EditClients,
			create:   always(perms.AddClients),
			update:   byChangedField(nil, perms.EditClients),
			delete:   alwaysDelete(perms.RemoveClients),
		},
		migrations.Projects: {
			orgField: "org",
			target:   targetFields{project: "id"},
			view:     perms.ViewProjects,
			create:   always(perms.CreateProjects),
			update: byChangedField(map[string]perms.Feature{
				"archived":    perms.ArchiveProjects,
				"budget":      perms.ManageProjectBudget,
				"budget_type": perms.ManageProjectBudget,
			}, perms.EditProjects),
			delete:       alwaysDelete(perms.DeleteProjects),
			hiddenFields: map[string]perms.Feature{"budget": perms.ViewProjectBudget, "budget_type": perms.ViewProjectBudget},
		},
		migrations.ProjectMembers: {
			orgField: "org",
			target:   targetFields{project: "project"},
			view:     perms.ViewProjectMembers,
			ownField: "user",
			create: func(r *core.Record) []perms.Feature {
				if r.GetString("role") == "user" {
					return []perms.Feature{perms.AddProjectMembers}
				}
				return []perms.Feature{perms.AddProjectMembers, perms.PromoteDemoteUsersInProjects}
			},
			update: byChangedField(nil, perms.PromoteDemoteUsersInProjects),
			delete: alwaysDelete(perms.RemoveMembersInProject),
			guard:  guardOwnRank("role", projectRank),
		},
		migrations.Teams: {
			orgField:      "org",
			target:        targetFields{team: "id"},
			view:          perms.ManageTeams,
			ownTeamsField: "id",
			create:        always(perms.CreateTeams),
			update:        byChangedField(nil, perms.ManageTeams),
			delete:        alwaysDelete(perms.ManageTeams),
		},
		migrations.TeamMembers: {
			orgField:      "org",
			target:        targetFields{team: "team"},
			view:          perms.ManageTeams,
			ownTeamsField: "team",
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
			guard: guardOwnRank("is_lead", leadRank),
		},
		migrations.TeamProjects: {
			orgField:      "org",
			target:        targetFields{team: "team"},
			view:          perms.ManageTeams,
			ownTeamsField: "team",
			create:        always(perms.ModifyTeamProjects),
			update:        byChangedField(nil, perms.ModifyTeamProjects),
			delete:        alwaysDelete(perms.ModifyTeamProjects),
			guard:         guardTeamProject,
		},
		migrations.Tasks: {
			orgField: "org",
			target:   targetFields{project: "project"},
			view:     perms.ViewProjects,
			create:   always(perms.AddEditRemoveTasks),
			update:   byChangedField(map[string]perms.Feature{"completed": perms.MarkTasksAsComplete}, perms.AddEditRemoveTasks),
			delete:   alwaysDelete(perms.AddEditRemoveTasks),
		},
		migrations.Activities: {
			orgField: "org",
			target:   data,
			view:     perms.ViewTimesheets,
			create:   always(perms.AddEditDeleteTime),
			update:   byChangedField(nil, perms.AddEditDeleteTime),
			delete:   alwaysDelete(perms.AddEditDeleteTime),
		},
		migrations.Screenshots: {
			orgField:  "org",
			target:    data,
			view:      perms.ViewScreenshots,
			update:    byChangedField(nil, perms.ModifyScreenshots),
			delete:    alwaysDelete(perms.DeleteScreenshots),
			agentOnly: true,
		},
		migrations.AppUsage: {
			orgField:     "org",
			target:       data,
			view:         perms.ViewApps,
			delete:       alwaysDelete(perms.AddEditDeleteTime),
			agentOnly:    true,
			hiddenFields: map[string]perms.Feature{"url": perms.ViewURLs},
		},
	}
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
