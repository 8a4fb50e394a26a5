package migrations

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

func TestFieldCollections(t *testing.T) {
	app := newApp(t)
	for _, tc := range []struct {
		name   string
		fields []string
		// writable: whether members may create/update/delete through the API
		writable bool
	}{
		{schema.Locations, []string{"org", "user", "project", "client_id", "recorded_at", "lat", "lng", "accuracy_m", "created"}, false},
		{schema.JobSites, []string{"org", "name", "address", "lat", "lng", "radius_m", "project", "created", "updated"}, true},
		{schema.WorkOrders, []string{"org", "title", "description", "client", "status", "due", "created", "updated"}, true},
		{schema.Jobs, []string{"org", "work_order", "job_site", "assignee", "start", "end", "status", "note", "created", "updated"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := app.FindCollectionByNameOrId(tc.name)
			if err != nil {
				t.Fatalf("%s missing: %v", tc.name, err)
			}
			for _, f := range tc.fields {
				if c.Fields.GetByName(f) == nil {
					t.Errorf("%s.%s missing", tc.name, f)
				}
			}
			if org, ok := c.Fields.GetByName("org").(*core.RelationField); !ok || !org.Required || !org.CascadeDelete {
				t.Errorf("org must be a required relation that cascades")
			}
			if c.ListRule == nil || c.ViewRule == nil {
				t.Errorf("list and view need matrix rules")
			}
			for i, rule := range []*string{c.CreateRule, c.UpdateRule, c.DeleteRule} {
				if tc.writable && (rule == nil || *rule == "") {
					t.Errorf("rule %d must be a matrix rule, is %v", i, rule)
				}
				if !tc.writable && rule != nil {
					t.Errorf("rule %d must be superusers only (Tock's route writes), is %q", i, *rule)
				}
			}
		})
	}
	sites, _ := app.FindCollectionByNameOrId(schema.JobSites)
	if r, ok := sites.Fields.GetByName("radius_m").(*core.NumberField); !ok || !r.Required || !r.OnlyInt || *r.Min != schema.MinJobSiteRadius || *r.Max != schema.MaxJobSiteRadius {
		t.Errorf("radius_m must be a required integer in %d..%d", schema.MinJobSiteRadius, schema.MaxJobSiteRadius)
	}
	for _, f := range []string{"lat", "lng"} {
		if n, ok := sites.Fields.GetByName(f).(*core.NumberField); !ok || n.Required || n.OnlyInt {
			t.Errorf("%s must be an optional (zero is a place) fractional number", f)
		}
	}
	locs, _ := app.FindCollectionByNameOrId(schema.Locations)
	unique := false
	for _, idx := range locs.Indexes {
		unique = unique || (strings.HasPrefix(idx, "CREATE UNIQUE") && containsLeadingColumn(idx, "user") && strings.Contains(idx, "`client_id`"))
	}
	if !unique {
		t.Errorf("locations need a unique (user, client_id) index: %v", locs.Indexes)
	}
}

func TestFieldDownAndUp(t *testing.T) {
	app := newApp(t)
	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	for range core.AppMigrations.Items() { // at most every migration: later ones may exist
		if _, err := app.FindCollectionByNameOrId(schema.Jobs); err != nil {
			break
		}
		if _, err := runner.Down(1); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
	for _, name := range []string{schema.Locations, schema.JobSites, schema.WorkOrders, schema.Jobs} {
		if _, err := app.FindCollectionByNameOrId(name); err == nil {
			t.Fatalf("%s still exists after its migration was rolled back", name)
		}
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	for _, name := range []string{schema.Locations, schema.JobSites, schema.WorkOrders, schema.Jobs} {
		if _, err := app.FindCollectionByNameOrId(name); err != nil {
			t.Fatalf("%s not rebuilt: %v", name, err)
		}
	}
}
