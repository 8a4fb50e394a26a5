package org

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func registerRecords(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.GET(api.RecordsRoute, func(re *core.RequestEvent) error { return records(re, z) }),
	)
}

func records(e *core.RequestEvent, z *gate.Authorizer) error {
	me, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	members, err := orgMembers(e.App, org.Id)
	if err != nil {
		return err
	}
	retention := org.GetInt(schema.FieldRetentionDays)
	out := api.Records{
		Org:           api.OrgSummary{ID: org.Id, Name: org.GetString(schema.FieldName), Timezone: org.GetString(schema.FieldTimezone)},
		RetentionDays: retention,
	}
	for _, k := range recordKinds(e.App, org, me.Actor.UserID, retention) {
		k.Viewers = []api.Viewer{}
		for _, m := range members {
			if v, ok := viewerOf(z, me, m, perms.Feature(k.Feature)); ok {
				k.Viewers = append(k.Viewers, v)
			}
		}
		k.Stored, err = countAbout(e.App, k.Kind, org.Id, me.Actor.UserID)
		if err != nil {
			return err
		}
		out.Kinds = append(out.Kinds, k)
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.JSON(http.StatusOK, out)
}

// Member is an active member with their name, for the viewers' list.
type member struct {
	Actor gate.Actor
	Name  string
}

// orgMembers loads every active member's roles: a small company's dozens,
// each a few indexed reads.
func orgMembers(app core.App, org string) ([]member, error) {
	var rows []struct {
		User  string `db:"user"`
		Name  string `db:"name"`
		Email string `db:"email"`
	}
	err := app.DB().Select("m.user AS user", "u.name AS name", "u.email AS email").
		From(schema.Memberships+" m").
		InnerJoin(schema.Users+" u", dbx.NewExp("u.id = m.user")).
		Where(dbx.HashExp{"m.org": org, "m.status": schema.MemberActive}).OrderBy("u.name", "u.email").All(&rows)
	if err != nil {
		return nil, fmt.Errorf("members of %s: %w", org, err)
	}
	out := make([]member, 0, len(rows))
	for _, r := range rows {
		a, err := gate.LoadActor(app, r.User, org)
		if err != nil {
			return nil, err
		}
		name := r.Name
		if name == "" {
			name = r.Email
		}
		out = append(out, member{Actor: a, Name: name})
	}
	return out, nil
}

func intersects(ids []string, set map[string]bool) bool {
	for _, id := range ids {
		if set[id] {
			return true
		}
	}
	return false
}

// recordKinds describes each kind of data with the organization's settings.
func recordKinds(app core.App, org *core.Record, user string, retention int) []api.RecordKind {
	expiring := "Kept until someone allowed deletes it."
	if retention > 0 {
		expiring = fmt.Sprintf("Deleted automatically after %d days.", retention)
	}
	locations := "Not collected: the organization has job sites and locations off."
	if org.GetBool(schema.FeatureField(schema.ModuleJobSites)) {
		locations = "Points (position, accuracy, time) that a device of yours uploads while you track; the desktop agent uploads none."
	}
	return []api.RecordKind{
		{Kind: "screenshots", Title: "Screenshots", Feature: string(perms.ViewScreenshots),
			Recorded: screenshotsRecorded(app, org, user), Kept: expiring},
		{Kind: "activity", Title: "Time and activity", Feature: string(perms.ViewTimesheets),
			Recorded: "Per 10-minute slot while you track: the project and task, the seconds tracked, and how many of them had keyboard or mouse input (the activity %). Never what you type.",
			Kept:     "Kept as your timesheet until someone allowed deletes it."},
		{Kind: "apps", Title: "Apps", Feature: string(perms.ViewApps),
			Recorded: "Per slot: the focused application's name and window title, with the seconds it had the focus.", Kept: expiring},
		{Kind: "urls", Title: "URLs", Feature: string(perms.ViewURLs),
			Recorded: "The web address in a browser's window title, when the title shows one.", Kept: expiring},
		{Kind: "locations", Title: "Locations", Feature: string(perms.ViewLocations),
			Recorded: locations, Kept: "Kept until someone allowed deletes them."},
	}
}

// screenshotsRecorded: how many per slot (the member's override wins) and
// whether they are blurred.
func screenshotsRecorded(app core.App, org *core.Record, user string) string {
	n := org.GetInt(schema.FieldScreenshotsPerSlot)
	var override string
	_ = app.RecordQuery(schema.Memberships).Select(schema.FieldScreenshotsPerSlot).
		AndWhere(dbx.HashExp{schema.FieldOrg: org.Id, schema.FieldUser: user}).Limit(1).Row(&override)
	if override != "" {
		fmt.Sscan(override, &n)
	}
	if n == 0 {
		return "None: the organization takes no screenshots of you."
	}
	blur := "not blurred"
	if org.GetBool(schema.FieldBlurScreenshots) {
		blur = "blurred on your computer before they leave it, so no text is readable"
	}
	return fmt.Sprintf("Up to %d per 10 minutes while you track, at random moments, one image per monitor, %s; encrypted on your computer for your organization.", n, blur)
}

// countAbout counts the member's records of a kind in org.
func countAbout(app core.App, kind, org, user string) (int, error) {
	collection, where := "", dbx.HashExp{schema.FieldOrg: org, schema.FieldUser: user}
	switch kind {
	case "screenshots":
		collection = schema.Screenshots
	case "activity":
		collection = schema.Activities
	case "apps":
		collection = schema.AppUsage
	case "urls":
		var n int
		err := app.RecordQuery(schema.AppUsage).Select("count(*)").AndWhere(where).
			AndWhere(dbx.NewExp("url != ''")).Row(&n)
		if err != nil {
			return 0, fmt.Errorf("count urls of %s: %w", user, err)
		}
		return n, nil
	case "locations":
		collection = schema.Locations
	}
	var n int
	if err := app.RecordQuery(collection).Select("count(*)").AndWhere(where).Row(&n); err != nil {
		return 0, fmt.Errorf("count %s of %s: %w", collection, user, err)
	}
	return n, nil
}

// viewerOf says whether m can see the data of me that feature f guards, and
// how far: the scope m holds under the matrix, met with me's projects and
// teams.
func viewerOf(z *gate.Authorizer, me gate.Actor, m member, f perms.Feature) (api.Viewer, bool) {
	v := api.Viewer{User: m.Actor.Actor.UserID, Name: m.Name, Role: m.Actor.Actor.OrgRole, Projects: []string{}}
	sc := z.Matrix.Scope(m.Actor.Actor, f, m.Actor.Settings)
	mine := me.Actor.UserID
	switch {
	case sc.All:
		v.Reach = "all"
	case v.User == mine && sc.Self:
		v.Reach = "own"
	case slices.Contains(sc.Users, mine) || intersects(sc.Teams, me.Teams):
		v.Reach = "team"
	default:
		for _, p := range sc.Projects {
			if me.Actor.ProjectRoles[p] != "" || me.TeamProjects[p] {
				v.Projects = append(v.Projects, p)
			}
		}
		if len(v.Projects) == 0 {
			return v, false
		}
		v.Reach = "projects"
	}
	return v, true
}
