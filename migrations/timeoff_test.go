package migrations

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

func TestTimeOffCollections(t *testing.T) {
	app := newApp(t)
	for _, tc := range []struct {
		name   string
		fields []string
		unique string // an index that must be unique, if any
	}{
		{schema.TimeOffPolicies, []string{"org", "name", "paid", "accrual", "accrual_rate", "max_balance_hours", "starts_on", "all_members", "members"}, ""},
		{schema.HolidayPolicies, []string{"org", "name", "holidays", "all_members", "members"}, ""},
		{schema.TimeOffBalances, []string{"org", "user", "policy", "adjustment_hours", "note"}, "idx_time_off_balances_policy_user"},
		{schema.TimeOffRequests, []string{"org", "user", "policy", "start", "end", "hours", "reason", "status", "requested_by", "decided_by", "decision_note"}, ""},
		{schema.Schedules, []string{"org", "user", "project", "start", "end", "repeat_until", "min_hours", "note"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := app.FindCollectionByNameOrId(tc.name)
			if err != nil {
				t.Fatalf("%s missing: %v", tc.name, err)
			}
			for _, f := range append(tc.fields, "created", "updated") {
				if c.Fields.GetByName(f) == nil {
					t.Errorf("%s.%s missing", tc.name, f)
				}
			}
			if org, ok := c.Fields.GetByName("org").(*core.RelationField); !ok || !org.Required || !org.CascadeDelete {
				t.Errorf("org must be a required relation that cascades")
			}
			if tc.unique != "" {
				idx := c.GetIndex(tc.unique)
				if idx == "" || !strings.Contains(idx, "UNIQUE") {
					t.Errorf("index %s must exist and be unique: %q", tc.unique, idx)
				}
			}
			// Every collection carries generated rules; writes nobody may make
			// through the API (requests change through routes) stay superuser-only.
			for i, rule := range []*string{c.ListRule, c.ViewRule} {
				if rule == nil || *rule == "" {
					t.Errorf("read rule %d must be a matrix rule, is %v", i, rule)
				}
			}
			if tc.name == schema.TimeOffRequests {
				for i, rule := range []*string{c.CreateRule, c.UpdateRule, c.DeleteRule} {
					if rule != nil {
						t.Errorf("write rule %d must be superuser-only (nil), is %q", i, *rule)
					}
				}
			} else if c.CreateRule == nil || c.UpdateRule == nil || c.DeleteRule == nil {
				t.Errorf("write rules must be matrix rules")
			}
		})
	}
}

func TestTimeOffDownAndUp(t *testing.T) {
	app := newApp(t)
	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	// Down one migration at a time until schedules' is undone (later ones first).
	for i := 0; i < 30; i++ {
		if _, err := app.FindCollectionByNameOrId(schema.Schedules); err != nil {
			break
		}
		if _, err := runner.Down(1); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
	for _, name := range []string{schema.Schedules, schema.TimeOffRequests, schema.TimeOffBalances, schema.HolidayPolicies, schema.TimeOffPolicies} {
		if _, err := app.FindCollectionByNameOrId(name); err == nil {
			t.Fatalf("%s still exists after its migration was rolled back", name)
		}
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := app.FindCollectionByNameOrId(schema.Schedules); err != nil {
		t.Fatalf("schedules not rebuilt: %v", err)
	}
}
