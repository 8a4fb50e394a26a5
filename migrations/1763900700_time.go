package migrations

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Per-member limits: 0 means no limit; a day has 24 hours, a week 168.
const (
	MaxDailyLimitHours  = 24
	MaxWeeklyLimitHours = 168
)

// Manual time modes of an organization (its manual_time setting).
const (
	ManualTimeAllowed  = "allowed"  // members add their own time
	ManualTimeApproval = "approval" // members request it, approvers add it
	ManualTimeOff      = "off"      // only approvers add time
)

// Pay periods, and the default first day of one: a Monday, so weekly periods
// are calendar weeks as Hubstaff's default.
const (
	PayPeriodWeekly         = "weekly"
	PayPeriodBiweekly       = "biweekly"
	PayPeriodMonthly        = "monthly"
	DefaultPayPeriodAnchor  = "2026-01-05"
	DefaultManualTime       = ManualTimeAllowed
	DefaultPayPeriod        = PayPeriodWeekly
	MaxManualTimeNoteLength = 500
)

// Statuses of manual time requests and of timesheets.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestDenied   = "denied"

	TimesheetOpen      = "open"
	TimesheetSubmitted = "submitted"
	TimesheetApproved  = "approved"
	TimesheetRejected  = "rejected"
)

// Time rules: per-member daily/weekly limits and a switch for tracking,
// manual time (added or requested), and timesheets that are submitted,
// approved (which locks their time) or rejected per pay period.
func init() {
	m.Register(createTimeRules, dropTimeRules)
}

func createTimeRules(app core.App) error {
	cs, err := findCollections(app, Memberships, Organizations, Users, Projects, Tasks)
	if err != nil {
		return err
	}
	memberships, orgs, users, projects, tasks := cs[0], cs[1], cs[2], cs[3], cs[4]
	memberships.Fields.Add(&core.NumberField{Name: "daily_limit_hours", Min: floatPtr(0), Max: floatPtr(MaxDailyLimitHours)})
	memberships.Fields.Add(&core.NumberField{Name: "weekly_limit_hours", Min: floatPtr(0), Max: floatPtr(MaxWeeklyLimitHours)})
	memberships.Fields.Add(&core.BoolField{Name: "tracking_enabled"})
	if err := app.Save(memberships); err != nil {
		return fmt.Errorf("add limits to %s: %w", Memberships, err)
	}
	// Everyone tracked before the switch existed: keep it that way.
	if _, err := app.DB().Update(Memberships, dbx.Params{"tracking_enabled": true}, nil).Execute(); err != nil {
		return fmt.Errorf("turn tracking on for existing memberships: %w", err)
	}

	orgs.Fields.Add(choice("manual_time", false, ManualTimeAllowed, ManualTimeApproval, ManualTimeOff))
	orgs.Fields.Add(&core.BoolField{Name: "timesheet_approvals"})
	orgs.Fields.Add(choice("pay_period", false, PayPeriodWeekly, PayPeriodBiweekly, PayPeriodMonthly))
	orgs.Fields.Add(&core.DateField{Name: "pay_period_anchor"})
	if err := app.Save(orgs); err != nil {
		return fmt.Errorf("add time settings to %s: %w", Organizations, err)
	}
	if _, err := app.DB().Update(Organizations, dbx.Params{
		"manual_time": DefaultManualTime, "pay_period": DefaultPayPeriod,
		"pay_period_anchor": DefaultPayPeriodAnchor + " 00:00:00.000Z",
	}, nil).Execute(); err != nil {
		return fmt.Errorf("default time settings of existing organizations: %w", err)
	}

	requests := orgScoped(TimeRequests, orgs)
	requests.Fields.Add(relation("user", users, true, true))
	requests.Fields.Add(relation("project", projects, true, true))
	requests.Fields.Add(relation("task", tasks, false, false))
	requests.Fields.Add(&core.DateField{Name: "start", Required: true})
	requests.Fields.Add(&core.DateField{Name: "end", Required: true})
	requests.Fields.Add(text("note", false, MaxManualTimeNoteLength))
	requests.Fields.Add(choice("status", true, RequestPending, RequestApproved, RequestDenied))
	requests.Fields.Add(relation("requested_by", users, false, false))
	requests.Fields.Add(relation("decided_by", users, false, false))
	requests.Fields.Add(text("decision_note", false, MaxManualTimeNoteLength))
	timestamps(requests)
	requests.AddIndex("idx_time_requests_org_user_start", false, "`org`, `user`, `start`", "")
	if err := save(app, requests); err != nil {
		return err
	}

	sheets := orgScoped(Timesheets, orgs)
	sheets.Fields.Add(relation("user", users, true, true))
	// Days of the organization's timezone, stored as midnight UTC of that day.
	sheets.Fields.Add(&core.DateField{Name: "period_start", Required: true})
	sheets.Fields.Add(&core.DateField{Name: "period_end", Required: true})
	sheets.Fields.Add(choice("status", true, TimesheetOpen, TimesheetSubmitted, TimesheetApproved, TimesheetRejected))
	sheets.Fields.Add(relation("submitted_by", users, false, false))
	sheets.Fields.Add(relation("decided_by", users, false, false))
	sheets.Fields.Add(text("reason", false, MaxManualTimeNoteLength))
	sheets.Fields.Add(&core.NumberField{Name: "tracked_seconds", Min: floatPtr(0), OnlyInt: true})
	sheets.Fields.Add(&core.NumberField{Name: "manual_seconds", Min: floatPtr(0), OnlyInt: true})
	timestamps(sheets)
	sheets.AddIndex("idx_timesheets_org_user_period", true, "`org`, `user`, `period_start`", "")
	if err := save(app, sheets); err != nil {
		return err
	}
	return applyMatrixRules(app)
}

func dropTimeRules(app core.App) error {
	if err := dropCollections(app, Timesheets, TimeRequests); err != nil {
		return err
	}
	for name, fields := range map[string][]string{
		Memberships:   {"daily_limit_hours", "weekly_limit_hours", "tracking_enabled"},
		Organizations: {"manual_time", "timesheet_approvals", "pay_period", "pay_period_anchor"},
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
