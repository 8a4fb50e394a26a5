package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// Lengths of field work's names and addresses.
const (
	maxFieldNameLength    = 200
	maxFieldAddressLength = 500
)

// Field work: the locations a member's phone records while tracking, job
// sites (geofences) and work orders with their jobs. Visits to a job site
// are never recorded: Tock derives them from the locations
// (hooks/jobsites.go), so a job site added today also explains last week.
func init() {
	m.Register(createField, func(app core.App) error {
		return dropCollections(app, schema.Jobs, schema.WorkOrders, schema.JobSites, schema.Locations)
	})
}

// coordinates adds lat and lng. They can't be Required: PocketBase reads a
// required number as non-zero, and the equator and the prime meridian are
// places too.
func coordinates(c *core.Collection) {
	c.Fields.Add(&core.NumberField{Name: "lat", Min: floatPtr(-90), Max: floatPtr(90)})
	c.Fields.Add(&core.NumberField{Name: "lng", Min: floatPtr(-180), Max: floatPtr(180)})
}

func createField(app core.App) error {
	cs, err := findCollections(app, schema.Organizations, schema.Users, schema.Projects, schema.Clients)
	if err != nil {
		return err
	}
	orgs, users, projects, clients := cs[0], cs[1], cs[2], cs[3]

	locations := orgScoped(schema.Locations, orgs)
	locations.Fields.Add(relation(schema.FieldUser, users, true, true))
	locations.Fields.Add(relation(schema.FieldProject, projects, false, false))
	locations.Fields.Add(text(schema.FieldClientID, true, schema.MaxLocationClientID))
	locations.Fields.Add(&core.DateField{Name: "recorded_at", Required: true})
	coordinates(locations)
	// Required: a fix without an accuracy can't be placed inside a radius.
	locations.Fields.Add(&core.NumberField{Name: "accuracy_m", Required: true, Min: floatPtr(0), Max: floatPtr(schema.MaxLocationAccuracy)})
	locations.Fields.Add(&core.AutodateField{Name: schema.FieldCreated, OnCreate: true})
	// One point per device reading: the phone retries a batch with the same ids.
	locations.AddIndex("idx_locations_user_client_id", true, "`user`, `client_id`", "")
	// Covering: a job site's visits read every point of a range, and table
	// lookups were two thirds of SQLite's time (hooks' BenchmarkJobSiteVisitsRoute).
	locations.AddIndex("idx_locations_org_recorded_at", false, "`org`, `recorded_at`, `user`, `lat`, `lng`, `accuracy_m`", "")

	if err := save(app, locations); err != nil {
		return err
	}

	sites := orgScoped(schema.JobSites, orgs)
	sites.Fields.Add(text(schema.FieldName, true, maxFieldNameLength))
	sites.Fields.Add(text("address", false, maxFieldAddressLength))
	coordinates(sites)
	sites.Fields.Add(number("radius_m", true, schema.MinJobSiteRadius, schema.MaxJobSiteRadius))
	sites.Fields.Add(relation(schema.FieldProject, projects, false, false))
	timestamps(sites)

	if err := save(app, sites); err != nil {
		return err
	}

	orders := orgScoped(schema.WorkOrders, orgs)
	orders.Fields.Add(text(schema.FieldTitle, true, maxFieldNameLength))
	orders.Fields.Add(text("description", false, schema.MaxWorkOrderText))
	orders.Fields.Add(relation(schema.FieldClient, clients, false, false))
	orders.Fields.Add(choice(schema.FieldStatus, true, schema.WorkOrderOpen, schema.WorkOrderInProgress, schema.WorkOrderDone))
	orders.Fields.Add(&core.DateField{Name: "due"})
	timestamps(orders)

	if err := save(app, orders); err != nil {
		return err
	}

	jobs := orgScoped(schema.Jobs, orgs)
	jobs.Fields.Add(relation("work_order", orders, true, true))
	jobs.Fields.Add(relation("job_site", sites, false, false))
	jobs.Fields.Add(relation("assignee", users, true, true))
	jobs.Fields.Add(&core.DateField{Name: "start", Required: true})
	jobs.Fields.Add(&core.DateField{Name: "end", Required: true})
	jobs.Fields.Add(choice(schema.FieldStatus, true, schema.JobScheduled, schema.JobInProgress, schema.JobDone))
	jobs.Fields.Add(text("note", false, schema.MaxWorkOrderText))
	timestamps(jobs)
	jobs.AddIndex("idx_jobs_org_assignee_start", false, "`org`, `assignee`, `start`", "")

	if err := save(app, jobs); err != nil {
		return err
	}
	return applyMatrixRules(app)
}
