package migrations

import (
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/perms"
)

func init() {
	m.Register(createCore, dropCore)
}

// CoreCollections returns the core collections (README, "Data model") in dependency order.
func CoreCollections() []string {
	return []string{
		Organizations, Memberships, Clients, Projects, ProjectMembers, Teams,
		TeamMembers, TeamProjects, Tasks, Activities, Screenshots, AppUsage,
	}
}

func createCore(app core.App) error {
	users, err := app.FindCollectionByNameOrId(Users)
	if err != nil {
		return fmt.Errorf("find users: %w", err)
	}
	// The organizations a person is an active member of, as ",id,id,": list
	// rules check it without a join. Tock's hooks keep it up to date.
	users.Fields.Add(&core.TextField{Name: UserOrgsField, Max: 64 << 10, Hidden: true})
	if err := app.Save(users); err != nil {
		return fmt.Errorf("add %s to users: %w", UserOrgsField, err)
	}

	orgs := core.NewBaseCollection(Organizations)
	orgs.Fields.Add(text("name", true, 200))
	orgs.Fields.Add(text("timezone", true, 64))
	orgs.Fields.Add(&core.BoolField{Name: "archived"})
	orgs.Fields.Add(number("screenshots_per_slot", false, 0, 3))
	orgs.Fields.Add(&core.BoolField{Name: "blur_screenshots"})
	orgs.Fields.Add(number("idle_timeout_minutes", true, 1, 240))
	orgs.Fields.Add(number("retention_days", true, 1, 3650))
	for _, toggle := range perms.Default().Toggles() {
		orgs.Fields.Add(&core.BoolField{Name: toggle})
	}
	timestamps(orgs)
	if err := save(app, orgs); err != nil {
		return err
	}

	memberships := orgScoped(Memberships, orgs)
	memberships.Fields.Add(relation("user", users, true, true))
	memberships.Fields.Add(choice("role", true, "owner", "manager", "user"))
	memberships.Fields.Add(choice("status", true, "active", "invited"))
	// Empty means the organization's screenshots_per_slot applies.
	memberships.Fields.Add(choice("screenshots_per_slot", false, "0", "1", "2", "3"))
	timestamps(memberships)
	memberships.AddIndex("idx_memberships_org_user", true, "`org`, `user`", "")
	if err := save(app, memberships); err != nil {
		return err
	}

	clients := orgScoped(Clients, orgs)
	clients.Fields.Add(text("name", true, 200))
	clients.Fields.Add(&core.BoolField{Name: "archived"})
	timestamps(clients)
	clients.AddIndex("idx_clients_org_name", true, "`org`, `name`", "")
	if err := save(app, clients); err != nil {
		return err
	}

	projects := orgScoped(Projects, orgs)
	projects.Fields.Add(text("name", true, 200))
	projects.Fields.Add(relation("client", clients, false, false))
	projects.Fields.Add(&core.BoolField{Name: "archived"})
	projects.Fields.Add(choice("budget_type", false, "hours", "cost"))
	projects.Fields.Add(&core.NumberField{Name: "budget", Min: floatPtr(0)})
	timestamps(projects)
	projects.AddIndex("idx_projects_org_name", true, "`org`, `name`", "")
	if err := save(app, projects); err != nil {
		return err
	}

	projectMembers := orgScoped(ProjectMembers, orgs)
	projectMembers.Fields.Add(relation("project", projects, true, true))
	projectMembers.Fields.Add(relation("user", users, true, true))
	projectMembers.Fields.Add(choice("role", true, "manager", "user", "viewer"))
	timestamps(projectMembers)
	projectMembers.AddIndex("idx_project_members_project_user", true, "`project`, `user`", "")
	if err := save(app, projectMembers); err != nil {
		return err
	}

	teams := orgScoped(Teams, orgs)
	teams.Fields.Add(text("name", true, 200))
	timestamps(teams)
	teams.AddIndex("idx_teams_org_name", true, "`org`, `name`", "")
	if err := save(app, teams); err != nil {
		return err
	}

	teamMembers := orgScoped(TeamMembers, orgs)
	teamMembers.Fields.Add(relation("team", teams, true, true))
	teamMembers.Fields.Add(relation("user", users, true, true))
	teamMembers.Fields.Add(&core.BoolField{Name: "is_lead"})
	timestamps(teamMembers)
	teamMembers.AddIndex("idx_team_members_team_user", true, "`team`, `user`", "")
	if err := save(app, teamMembers); err != nil {
		return err
	}

	teamProjects := orgScoped(TeamProjects, orgs)
	teamProjects.Fields.Add(relation("team", teams, true, true))
	teamProjects.Fields.Add(relation("project", projects, true, true))
	timestamps(teamProjects)
	teamProjects.AddIndex("idx_team_projects_team_project", true, "`team`, `project`", "")
	if err := save(app, teamProjects); err != nil {
		return err
	}

	tasks := orgScoped(Tasks, orgs)
	tasks.Fields.Add(relation("project", projects, true, true))
	tasks.Fields.Add(text("title", true, 500))
	tasks.Fields.Add(&core.RelationField{Name: "assignees", CollectionId: users.Id, MaxSelect: 100})
	tasks.Fields.Add(&core.BoolField{Name: "completed"})
	timestamps(tasks)
	if err := save(app, tasks); err != nil {
		return err
	}

	activities := orgScoped(Activities, orgs)
	activities.Fields.Add(relation("project", projects, true, true))
	activities.Fields.Add(relation("task", tasks, false, false))
	activities.Fields.Add(relation("user", users, true, true))
	activities.Fields.Add(&core.DateField{Name: "slot_start", Required: true})
	for _, counter := range []string{"tracked_seconds", "keyboard_seconds", "mouse_seconds", "active_seconds"} {
		activities.Fields.Add(number(counter, false, 0, SlotSeconds))
	}
	activities.Fields.Add(choice("source", true, "tracked", "manual"))
	activities.Fields.Add(clientID())
	timestamps(activities)
	activities.AddIndex("idx_activities_user_slot_project", true, "`user`, `slot_start`, `project`", "")
	activities.AddIndex("idx_activities_org_user_slot", false, "`org`, `user`, `slot_start`", "")
	activities.AddIndex("idx_activities_org_slot", false, "`org`, `slot_start`", "")
	activities.AddIndex("idx_activities_client_id", true, "`client_id`", "`client_id` != ''")
	if err := save(app, activities); err != nil {
		return err
	}

	screenshots := orgScoped(Screenshots, orgs)
	screenshots.Fields.Add(relation("project", projects, true, true))
	screenshots.Fields.Add(relation("task", tasks, false, false))
	screenshots.Fields.Add(relation("user", users, true, true))
	screenshots.Fields.Add(relation("activity", activities, true, true))
	screenshots.Fields.Add(&core.DateField{Name: "taken_at", Required: true})
	screenshots.Fields.Add(number("screen", false, 0, 15))
	screenshots.Fields.Add(number("width", true, 1, 65535))
	screenshots.Fields.Add(number("height", true, 1, 65535))
	screenshots.Fields.Add(&core.BoolField{Name: "blurred"})
	screenshots.Fields.Add(number("size", true, 1, 1<<40))
	screenshots.Fields.Add(&core.TextField{Name: "sha256", Required: true, Pattern: "^[0-9a-f]{64}$"})
	screenshots.Fields.Add(text("key_id", true, 64))
	// Where the ciphertext lives in the blob store; never a PocketBase file field.
	screenshots.Fields.Add(&core.TextField{Name: "storage_key", Required: true, Max: 512, Hidden: true})
	screenshots.Fields.Add(clientID())
	timestamps(screenshots)
	screenshots.AddIndex("idx_screenshots_org_taken", false, "`org`, `taken_at`", "")
	screenshots.AddIndex("idx_screenshots_org_user_taken", false, "`org`, `user`, `taken_at`", "")
	screenshots.AddIndex("idx_screenshots_client_id", true, "`client_id`", "`client_id` != ''")
	if err := save(app, screenshots); err != nil {
		return err
	}

	appUsage := orgScoped(AppUsage, orgs)
	appUsage.Fields.Add(relation("user", users, true, true))
	appUsage.Fields.Add(relation("activity", activities, true, true))
	appUsage.Fields.Add(text("app", true, 200))
	appUsage.Fields.Add(text("title", false, 1000))
	appUsage.Fields.Add(text("url", false, 2000))
	appUsage.Fields.Add(number("seconds", false, 0, SlotSeconds))
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
	return &core.TextField{Name: "client_id", Max: 64, Pattern: `^[A-Za-z0-9_-]*$`}
}

func save(app core.App, c *core.Collection) error {
	indexForeignKeys(c)
	if err := app.Save(c); err != nil {
		return fmt.Errorf("create collection %s: %w", c.Name, err)
	}
	return nil
}

func dropCore(app core.App) error {
	names := CoreCollections()
	if users, err := app.FindCollectionByNameOrId(Users); err == nil {
		users.Fields.RemoveByName(UserOrgsField)
		if err := app.Save(users); err != nil {
			return fmt.Errorf("drop %s: %w", UserOrgsField, err)
		}
	}
	slices.Reverse(names) // dependents first
	return dropCollections(app, names...)
}
