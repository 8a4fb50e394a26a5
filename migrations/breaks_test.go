package migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

func TestBreakPoliciesCollection(t *testing.T) {
	app := newApp(t)
	c, err := app.FindCollectionByNameOrId(schema.BreakPolicies)
	if err != nil {
		t.Fatalf("break_policies missing: %v", err)
	}
	for _, f := range []string{"org", "name", "after_minutes", "break_minutes", "paid", "created", "updated"} {
		if c.Fields.GetByName(f) == nil {
			t.Errorf("break_policies.%s missing", f)
		}
	}
	for _, tc := range []struct {
		field    string
		min, max float64
	}{{"after_minutes", 1, schema.MaxBreakAfterMinutes}, {"break_minutes", 1, schema.MaxBreakMinutes}} {
		n, ok := c.Fields.GetByName(tc.field).(*core.NumberField)
		if !ok || !n.Required || !n.OnlyInt || n.Min == nil || *n.Min != tc.min || n.Max == nil || *n.Max != tc.max {
			t.Errorf("%s must be a required integer in %v..%v: %+v", tc.field, tc.min, tc.max, c.Fields.GetByName(tc.field))
		}
	}
	if org, ok := c.Fields.GetByName("org").(*core.RelationField); !ok || !org.Required || !org.CascadeDelete {
		t.Errorf("org must be a required relation that cascades")
	}
	for i, rule := range []*string{c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule} {
		if rule == nil || *rule == "" {
			t.Errorf("rule %d must be a matrix rule, is %v", i, rule)
		}
	}
}

func TestBreakPoliciesDownAndUp(t *testing.T) {
	app := newApp(t)
	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	// Roll back until the collection is gone: later migrations may exist.
	for range core.AppMigrations.Items() { // at most every migration: later ones may exist
		if _, err := app.FindCollectionByNameOrId(schema.BreakPolicies); err != nil {
			break
		}
		if _, err := runner.Down(1); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
	if _, err := app.FindCollectionByNameOrId(schema.BreakPolicies); err == nil {
		t.Fatalf("break_policies still exists after its migration was rolled back")
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := app.FindCollectionByNameOrId(schema.BreakPolicies); err != nil {
		t.Fatalf("break_policies not rebuilt: %v", err)
	}
}
