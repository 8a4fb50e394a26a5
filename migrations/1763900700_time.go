package migrations

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// Time rules: per-member daily/weekly limits and a switch for tracking,
// manual time (added or requested), and timesheets that are submitted,
// approved (which locks their time) or rejected per pay period.
func init() {
	m.Register(createTimeRules, dropTimeRules)
}

func createTimeRules(app core.App) error {
	cs, err := findCollections(app, schema.Memberships, schema.Organizations, schema.Users, schema.Projects, schema.Tasks)
	if err != nil {
		return err
	}
	memberships, orgs, users, projects, tasks := cs[0], cs[1], cs[2], cs[3], cs[4]
	memberships.Fields.Add(&core.NumberField{Name: schema.FieldDailyLimitHours, Min: floatPtr(0), Max: floatPtr(schema.MaxDailyLimitHours)})
	memberships.Fields.Add(&core.NumberField{Name: schema.FieldWeeklyLimitHours, Min: floatPtr(0), Max: floatPtr(schema.MaxWeeklyLimitHours)})
	memberships.Fields.Add(&core.BoolField{Name: schema.FieldTrackingEnabled})
	if err := app.Save(memberships); err != nil {
		return fmt.Errorf("add limits to %s: %w", schema.Memberships, err)
	}
	// Everyone tracked before the switch existed: keep it that way.
	if _, err := app.DB().Update(schema.Memberships, dbx.Params{"tracking_enabled": true}, nil).Execute(); err != nil {
		return fmt.Errorf("turn tracking on for existing memberships: %w", err)
	}

	orgs.Fields.Add(choice(schema.FieldManualTime, false, schema.ManualTimeAllowed, schema.ManualTimeApproval, schema.ManualTimeOff))
	orgs.Fields.Add(&core.BoolField{Name: schema.FieldTimesheetApprovals})
	orgs.Fields.Add(choice(schema.FieldPayPeriod, false, schema.PayPeriodWeekly, schema.PayPeriodBiweekly, schema.PayPeriodMonthly))
	orgs.Fields.Add(&core.DateField{Name: schema.FieldPayPeriodAnchor})
	if err := app.Save(orgs); err != nil {
		return fmt.Errorf("add time settings to %s: %w", schema.Organizations, err)
	}
	if _, err := app.DB().Update(schema.Organizations, dbx.Params{
		"manual_time": schema.DefaultManualTime, "pay_period": schema.DefaultPayPeriod,
		"pay_period_anchor": schema.DefaultPayPeriodAnchor + " 00:00:00.000Z",
	}, nil).Execute(); err != nil {
		return fmt.Errorf("default time settings of existing organizations: %w", err)
	}

	requests := orgScoped(schema.TimeRequests, orgs)
	requests.Fields.Add(relation(schema.FieldUser, users, true, true))
	requests.Fields.Add(relation(schema.FieldProject, projects, true, true))
	requests.Fields.Add(relation(schema.FieldTask, tasks, false, false))
	requests.Fields.Add(&core.DateField{Name: "start", Required: true})
	requests.Fields.Add(&core.DateField{Name: "end", Required: true})
	requests.Fields.Add(text("note", false, schema.MaxManualTimeNoteLength))
	requests.Fields.Add(choice(schema.FieldStatus, true, schema.RequestPending, schema.RequestApproved, schema.RequestDenied))
	requests.Fields.Add(relation("requested_by", users, false, false))
	requests.Fields.Add(relation("decided_by", users, false, false))
	requests.Fields.Add(text("decision_note", false, schema.MaxManualTimeNoteLength))
	timestamps(requests)
	requests.AddIndex("idx_time_requests_org_user_start", false, "`org`, `user`, `start`", "")
	if err := save(app, requests); err != nil {
		return err
	}

	sheets := orgScoped(schema.Timesheets, orgs)
	sheets.Fields.Add(relation(schema.FieldUser, users, true, true))
	// Days of the organization's timezone, stored as midnight UTC of that day.
	sheets.Fields.Add(&core.DateField{Name: "period_start", Required: true})
	sheets.Fields.Add(&core.DateField{Name: "period_end", Required: true})
	sheets.Fields.Add(choice(schema.FieldStatus, true, schema.TimesheetOpen, schema.TimesheetSubmitted, schema.TimesheetApproved, schema.TimesheetRejected))
	sheets.Fields.Add(relation("submitted_by", users, false, false))
	sheets.Fields.Add(relation("decided_by", users, false, false))
	sheets.Fields.Add(text("reason", false, schema.MaxManualTimeNoteLength))
	sheets.Fields.Add(&core.NumberField{Name: schema.FieldTrackedSeconds, Min: floatPtr(0), OnlyInt: true})
	sheets.Fields.Add(&core.NumberField{Name: "manual_seconds", Min: floatPtr(0), OnlyInt: true})
	timestamps(sheets)
	sheets.AddIndex("idx_timesheets_org_user_period", true, "`org`, `user`, `period_start`", "")
	if err := save(app, sheets); err != nil {
		return err
	}
	return applyMatrixRules(app)
}

func dropTimeRules(app core.App) error {
	if err := dropCollections(app, schema.Timesheets, schema.TimeRequests); err != nil {
		return err
	}
	for name, fields := range map[string][]string{
		schema.Memberships:   {"daily_limit_hours", "weekly_limit_hours", "tracking_enabled"},
		schema.Organizations: {"manual_time", "timesheet_approvals", "pay_period", "pay_period_anchor"},
	} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		for _, f := range fields {
			c.Fields.RemoveByName(f)
		}
		if err := app.Save(c); err != nil {
			return fmt.Errorf("drop time fields of %s: %w", name, err)
		}
	}
	return nil
}
