package migrations

import (
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func init() {
	m.Register(createCore, dropCore)
}

func createCore(app core.App) error {
	users, err := app.FindCollectionByNameOrId(schema.Users)
	if err != nil {
		return fmt.Errorf("find users: %w", err)
	}
	// The organizations a person is an active member of, as ",id,id,": list
	// rules check it without a join. Tock's hooks keep it up to date.
	users.Fields.Add(&core.TextField{Name: schema.UserOrgsField, Max: 64 << 10, Hidden: true})
	if err := app.Save(users); err != nil {
		return fmt.Errorf("add %s to users: %w", schema.UserOrgsField, err)
	}

	orgs := core.NewBaseCollection(schema.Organizations)
	orgs.Fields.Add(text(schema.FieldName, true, 200))
	orgs.Fields.Add(text(schema.FieldTimezone, true, 64))
	orgs.Fields.Add(&core.BoolField{Name: schema.FieldArchived})
	orgs.Fields.Add(number(schema.FieldScreenshotsPerSlot, false, 0, 3))
	orgs.Fields.Add(&core.BoolField{Name: schema.FieldBlurScreenshots})
	orgs.Fields.Add(number(schema.FieldIdleTimeoutMinutes, true, 1, 240))
	orgs.Fields.Add(number(schema.FieldRetentionDays, true, 1, 3650))
	for _, toggle := range perms.Default().Toggles() {
		orgs.Fields.Add(&core.BoolField{Name: toggle})
	}
	timestamps(orgs)
	if err := save(app, orgs); err != nil {
		return err
	}

	memberships := orgScoped(schema.Memberships, orgs)
	memberships.Fields.Add(relation(schema.FieldUser, users, true, true))
	memberships.Fields.Add(choice(schema.FieldRole, true, schema.RoleOwner, schema.RoleManager, schema.RoleUser))
	memberships.Fields.Add(choice(schema.FieldStatus, true, schema.MemberActive, schema.MemberInvited))
	// Empty means the organization's screenshots_per_slot applies.
	memberships.Fields.Add(choice(schema.FieldScreenshotsPerSlot, false, "0", "1", "2", "3"))
	timestamps(memberships)
	memberships.AddIndex("idx_memberships_org_user", true, "`org`, `user`", "")
	if err := save(app, memberships); err != nil {
		return err
	}

	clients := orgScoped(schema.Clients, orgs)
	clients.Fields.Add(text(schema.FieldName, true, 200))
	clients.Fields.Add(&core.BoolField{Name: schema.FieldArchived})
	timestamps(clients)
	clients.AddIndex("idx_clients_org_name", true, "`org`, `name`", "")
	if err := save(app, clients); err != nil {
		return err
	}

	projects := orgScoped(schema.Projects, orgs)
	projects.Fields.Add(text(schema.FieldName, true, 200))
	projects.Fields.Add(relation(schema.FieldClient, clients, false, false))
	projects.Fields.Add(&core.BoolField{Name: schema.FieldArchived})
	projects.Fields.Add(choice(schema.FieldBudgetType, false, schema.BudgetHours, schema.BudgetCost))
	projects.Fields.Add(&core.NumberField{Name: schema.FieldBudget, Min: floatPtr(0)})
	timestamps(projects)
	projects.AddIndex("idx_projects_org_name", true, "`org`, `name`", "")
	if err := save(app, projects); err != nil {
		return err
	}

	projectMembers := orgScoped(schema.ProjectMembers, orgs)
	projectMembers.Fields.Add(relation(schema.FieldProject, projects, true, true))
	projectMembers.Fields.Add(relation(schema.FieldUser, users, true, true))
	projectMembers.Fields.Add(choice(schema.FieldRole, true, schema.ProjectRoleManager, schema.ProjectRoleUser, schema.ProjectRoleViewer))
	timestamps(projectMembers)
	projectMembers.AddIndex("idx_project_members_project_user", true, "`project`, `user`", "")
	if err := save(app, projectMembers); err != nil {
		return err
	}

	teams := orgScoped(schema.Teams, orgs)
	teams.Fields.Add(text(schema.FieldName, true, 200))
	timestamps(teams)
	teams.AddIndex("idx_teams_org_name", true, "`org`, `name`", "")
	if err := save(app, teams); err != nil {
		return err
	}

	teamMembers := orgScoped(schema.TeamMembers, orgs)
	teamMembers.Fields.Add(relation("team", teams, true, true))
	teamMembers.Fields.Add(relation(schema.FieldUser, users, true, true))
	teamMembers.Fields.Add(&core.BoolField{Name: "is_lead"})
	timestamps(teamMembers)
	teamMembers.AddIndex("idx_team_members_team_user", true, "`team`, `user`", "")
	if err := save(app, teamMembers); err != nil {
		return err
	}

	teamProjects := orgScoped(schema.TeamProjects, orgs)
	teamProjects.Fields.Add(relation("team", teams, true, true))
	teamProjects.Fields.Add(relation(schema.FieldProject, projects, true, true))
	timestamps(teamProjects)
	teamProjects.AddIndex("idx_team_projects_team_project", true, "`team`, `project`", "")
	if err := save(app, teamProjects); err != nil {
		return err
	}

	tasks := orgScoped(schema.Tasks, orgs)
	tasks.Fields.Add(relation(schema.FieldProject, projects, true, true))
	tasks.Fields.Add(text(schema.FieldTitle, true, 500))
	tasks.Fields.Add(&core.RelationField{Name: "assignees", CollectionId: users.Id, MaxSelect: 100})
	tasks.Fields.Add(&core.BoolField{Name: "completed"})
	timestamps(tasks)
	if err := save(app, tasks); err != nil {
		return err
	}

	activities := orgScoped(schema.Activities, orgs)
	activities.Fields.Add(relation(schema.FieldProject, projects, true, true))
	activities.Fields.Add(relation(schema.FieldTask, tasks, false, false))
	activities.Fields.Add(relation(schema.FieldUser, users, true, true))
	activities.Fields.Add(&core.DateField{Name: schema.FieldSlotStart, Required: true})
	for _, counter := range schema.ActivityCounters() {
		activities.Fields.Add(number(counter, false, 0, schema.SlotSeconds))
	}
	activities.Fields.Add(choice(schema.FieldSource, true, schema.SourceTracked, schema.SourceManual))
	activities.Fields.Add(clientID())
	timestamps(activities)
	activities.AddIndex("idx_activities_user_slot_project", true, "`user`, `slot_start`, `project`", "")
	activities.AddIndex("idx_activities_org_user_slot", false, "`org`, `user`, `slot_start`", "")
	activities.AddIndex("idx_activities_org_slot", false, "`org`, `slot_start`", "")
	activities.AddIndex("idx_activities_client_id", true, "`client_id`", "`client_id` != ''")
	if err := save(app, activities); err != nil {
		return err
	}

	screenshots := orgScoped(schema.Screenshots, orgs)
	screenshots.Fields.Add(relation(schema.FieldProject, projects, true, true))
	screenshots.Fields.Add(relation(schema.FieldTask, tasks, false, false))
	screenshots.Fields.Add(relation(schema.FieldUser, users, true, true))
	screenshots.Fields.Add(relation(schema.FieldActivity, activities, true, true))
	screenshots.Fields.Add(&core.DateField{Name: schema.FieldTakenAt, Required: true})
	screenshots.Fields.Add(number(schema.FieldScreen, false, 0, 15))
	screenshots.Fields.Add(number(schema.FieldWidth, true, 1, 65535))
	screenshots.Fields.Add(number(schema.FieldHeight, true, 1, 65535))
	screenshots.Fields.Add(&core.BoolField{Name: schema.FieldBlurred})
	screenshots.Fields.Add(number(schema.FieldSize, true, 1, 1<<40))
	screenshots.Fields.Add(&core.TextField{Name: schema.FieldSHA256, Required: true, Pattern: "^[0-9a-f]{64}$"})
	screenshots.Fields.Add(text(schema.FieldKeyID, true, 64))
	// Where the ciphertext lives in the blob store; never a PocketBase file field.
	screenshots.Fields.Add(&core.TextField{Name: schema.FieldStorageKey, Required: true, Max: 512, Hidden: true})
	screenshots.Fields.Add(clientID())
	timestamps(screenshots)
	screenshots.AddIndex("idx_screenshots_org_taken", false, "`org`, `taken_at`", "")
	screenshots.AddIndex("idx_screenshots_org_user_taken", false, "`org`, `user`, `taken_at`", "")
	screenshots.AddIndex("idx_screenshots_client_id", true, "`client_id`", "`client_id` != ''")
	if err := save(app, screenshots); err != nil {
		return err
	}

	appUsage := orgScoped(schema.AppUsage, orgs)
	appUsage.Fields.Add(relation(schema.FieldUser, users, true, true))
	appUsage.Fields.Add(relation(schema.FieldActivity, activities, true, true))
	appUsage.Fields.Add(text(schema.FieldApp, true, 200))
	appUsage.Fields.Add(text(schema.FieldTitle, false, 1000))
	appUsage.Fields.Add(text(schema.FieldURL, false, 2000))
	appUsage.Fields.Add(number(schema.FieldSeconds, false, 0, schema.SlotSeconds))
	appUsage.Fields.Add(clientID())
	timestamps(appUsage)
	appUsage.AddIndex("idx_app_usage_org_user", false, "`org`, `user`", "")
	appUsage.AddIndex("idx_app_usage_client_id", true, "`client_id`", "`client_id` != ''")
	if err := save(app, appUsage); err != nil {
		return err
	}

	return nil
}

// clientID is the agent-generated idempotency key; unique when present.
func clientID() *core.TextField {
	return &core.TextField{Name: schema.FieldClientID, Max: 64, Pattern: `^[A-Za-z0-9_-]*$`}
}

func save(app core.App, c *core.Collection) error {
	indexForeignKeys(c)
	if err := app.Save(c); err != nil {
		return fmt.Errorf("create collection %s: %w", c.Name, err)
	}
	return nil
}

func dropCore(app core.App) error {
	names := schema.CoreCollections()
	if users, err := app.FindCollectionByNameOrId(schema.Users); err == nil {
		users.Fields.RemoveByName(schema.UserOrgsField)
		if err := app.Save(users); err != nil {
			return fmt.Errorf("drop %s: %w", schema.UserOrgsField, err)
		}
	}
	slices.Reverse(names) // dependents first
	return dropCollections(app, names...)
}
