package migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

func TestPlanFields(t *testing.T) {
	app := newApp(t)
	orgs, err := app.FindCollectionByNameOrId(schema.Organizations)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		max   float64
	}{{"seat_limit", schema.MaxSeatLimit}, {"plan_retention_days", schema.MaxPlanRetentionDays}} {
		n, ok := orgs.Fields.GetByName(tc.field).(*core.NumberField)
		if !ok || n.Required || !n.OnlyInt || n.Min == nil || *n.Min != 0 || n.Max == nil || *n.Max != tc.max {
			t.Errorf("%s must be an optional integer in 0..%v: %+v", tc.field, tc.max, orgs.Fields.GetByName(tc.field))
		}
	}
	mods := schema.ModuleCollections()
	if len(mods) != len(schema.Modules()) {
		t.Errorf("every module needs its collections: %v vs %v", mods, schema.Modules())
	}
	for _, mod := range schema.Modules() {
		if _, ok := orgs.Fields.GetByName(schema.FeatureField(mod)).(*core.BoolField); !ok {
			t.Errorf("%s must be a bool field", schema.FeatureField(mod))
		}
		if len(mods[mod]) == 0 {
			t.Errorf("module %s has no collections", mod)
		}
	}
}

// An organization that existed before the switches keeps every module on.
func TestPlanMigrationTurnsModulesOnForExistingOrganizations(t *testing.T) {
	app := newApp(t)
	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	for range core.AppMigrations.Items() {
		c, err := app.FindCollectionByNameOrId(schema.Organizations)
		if err != nil {
			t.Fatal(err)
		}
		if c.Fields.GetByName("seat_limit") == nil {
			break
		}
		if _, err := runner.Down(1); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
	orgs, err := app.FindCollectionByNameOrId(schema.Organizations)
	if err != nil {
		t.Fatal(err)
	}
	if orgs.Fields.GetByName("seat_limit") != nil {
		t.Fatal("plan fields still there after the migration was rolled back")
	}
	old := core.NewRecord(orgs)
	old.Set("name", "Old")
	old.Set("timezone", "UTC")
	old.Set("retention_days", 90)
	if err := app.SaveNoValidate(old); err != nil {
		t.Fatalf("save an organization of before: %v", err)
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	again, err := app.FindRecordById(schema.Organizations, old.Id)
	if err != nil {
		t.Fatal(err)
	}
	for _, mod := range schema.Modules() {
		if !again.GetBool(schema.FeatureField(mod)) {
			t.Errorf("%s is off for an organization that existed before", schema.FeatureField(mod))
		}
	}
	if again.GetInt("seat_limit") != 0 || again.GetInt("plan_retention_days") != 0 {
		t.Errorf("an existing organization must start without limits: %v %v", again.Get("seat_limit"), again.Get("plan_retention_days"))
	}
}
