package migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

func TestTimeCollections(t *testing.T) {
	app := newApp(t)
	for name, fields := range map[string][]string{
		schema.TimeRequests:  {"org", "user", "project", "task", "start", "end", "note", "status", "requested_by", "decided_by", "decision_note"},
		schema.Timesheets:    {"org", "user", "period_start", "period_end", "status", "submitted_by", "decided_by", "reason", "tracked_seconds", "manual_seconds"},
		schema.Memberships:   {"daily_limit_hours", "weekly_limit_hours", "tracking_enabled"},
		schema.Organizations: {"manual_time", "timesheet_approvals", "pay_period", "pay_period_anchor"},
	} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatalf("%s missing: %v", name, err)
		}
		for _, f := range fields {
			if c.Fields.GetByName(f) == nil {
				t.Errorf("%s.%s missing", name, f)
			}
		}
	}
	m, _ := app.FindCollectionByNameOrId(schema.Memberships)
	for field, max := range map[string]float64{"daily_limit_hours": schema.MaxDailyLimitHours, "weekly_limit_hours": schema.MaxWeeklyLimitHours} {
		n, ok := m.Fields.GetByName(field).(*core.NumberField)
		if !ok || n.Required || n.Min == nil || *n.Min != 0 || n.Max == nil || *n.Max != max {
			t.Errorf("%s must be an optional number in 0..%v", field, max)
		}
	}
	for _, name := range []string{schema.TimeRequests, schema.Timesheets} {
		c, _ := app.FindCollectionByNameOrId(name)
		if c.ListRule == nil || c.ViewRule == nil || *c.ViewRule == "" {
			t.Errorf("%s must have matrix list and view rules", name)
		}
		// Written only by Tock's routes.
		if c.CreateRule != nil || c.UpdateRule != nil || c.DeleteRule != nil {
			t.Errorf("%s must be written by superusers and Tock only", name)
		}
	}
}

// TestTimeMigrationKeepsTracking: members and organizations from before the
// migration keep tracking time, with the default settings.
func TestTimeMigrationKeepsTracking(t *testing.T) {
	app := newApp(t)
	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	for range core.AppMigrations.Items() { // at most every migration: later ones may exist
		if _, err := app.FindCollectionByNameOrId(schema.TimeRequests); err != nil {
			break
		}
		if _, err := runner.Down(1); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
	if _, err := app.FindCollectionByNameOrId(schema.TimeRequests); err == nil {
		t.Fatalf("time_requests still exists after its migration was rolled back")
	}
	save := func(collection string, fields map[string]any) *core.Record {
		c, err := app.FindCollectionByNameOrId(collection)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(c)
		for k, v := range fields {
			r.Set(k, v)
		}
		if c.IsAuth() {
			r.SetPassword("correct-horse-battery")
		}
		if err := app.Save(r); err != nil {
			t.Fatalf("save %s: %v", collection, err)
		}
		return r
	}
	user := save(schema.Users, map[string]any{"email": "old@example.test"})
	org := save(schema.Organizations, map[string]any{"name": "Old", "timezone": "UTC", "idle_timeout_minutes": 5, "retention_days": 90})
	member := save(schema.Memberships, map[string]any{"org": org.Id, "user": user.Id, "role": "owner", "status": "active"})

	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	m, err := app.FindRecordById(schema.Memberships, member.Id)
	if err != nil {
		t.Fatal(err)
	}
	if !m.GetBool("tracking_enabled") || m.GetFloat("daily_limit_hours") != 0 || m.GetFloat("weekly_limit_hours") != 0 {
		t.Errorf("an existing member must keep tracking with no limits: %v", m.PublicExport())
	}
	o, err := app.FindRecordById(schema.Organizations, org.Id)
	if err != nil {
		t.Fatal(err)
	}
	if o.GetString("manual_time") != schema.DefaultManualTime || o.GetString("pay_period") != schema.DefaultPayPeriod ||
		o.GetBool("timesheet_approvals") || o.GetDateTime("pay_period_anchor").Time().Format("2006-01-02") != schema.DefaultPayPeriodAnchor {
		t.Errorf("an existing organization must get the default time settings: %v", o.PublicExport())
	}
}
