package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// Time off (policies, holidays, balances, requests) and schedules (shifts).
// Balances store only the hours granted by hand: what was accrued and taken
// is computed on read (hooks/timeoff.go), so it never drifts from the
// tracked time and the approved requests it comes from.
func init() {
	m.Register(createTimeOff, dropTimeOff)
}

func createTimeOff(app core.App) error {
	cs, err := findCollections(app, schema.Organizations, schema.Users, schema.Projects)
	if err != nil {
		return err
	}
	orgs, users, projects := cs[0], cs[1], cs[2]
	members := func(c *core.Collection) {
		// Who a policy applies to: everyone, or the members listed.
		c.Fields.Add(&core.BoolField{Name: "all_members"})
		c.Fields.Add(&core.RelationField{Name: "members", CollectionId: users.Id, MaxSelect: schema.MaxPolicyMembers})
	}
	hours := func(name string, min float64) *core.NumberField {
		return &core.NumberField{Name: name, Min: floatPtr(min), Max: floatPtr(schema.MaxTimeOffHours)}
	}

	policies := orgScoped(schema.TimeOffPolicies, orgs)
	policies.Fields.Add(text(schema.FieldName, true, 100))
	policies.Fields.Add(&core.BoolField{Name: "paid"})
	policies.Fields.Add(choice("accrual", true, schema.AccrualNone, schema.AccrualPerHourWorked, schema.AccrualYearly))
	policies.Fields.Add(&core.NumberField{Name: "accrual_rate", Min: floatPtr(0), Max: floatPtr(schema.MaxAccrualRate)})
	policies.Fields.Add(hours("max_balance_hours", 0)) // 0: no cap
	policies.Fields.Add(&core.DateField{Name: "starts_on"})
	members(policies)
	timestamps(policies)
	if err := save(app, policies); err != nil {
		return err
	}

	holidays := orgScoped(schema.HolidayPolicies, orgs)
	holidays.Fields.Add(text(schema.FieldName, true, 100))
	// [{"date":"YYYY-MM-DD","name":"..."}], checked by hooks/timeoff.go.
	holidays.Fields.Add(&core.JSONField{Name: "holidays", MaxSize: 64 << 10})
	members(holidays)
	timestamps(holidays)
	if err := save(app, holidays); err != nil {
		return err
	}

	balances := orgScoped(schema.TimeOffBalances, orgs)
	balances.Fields.Add(relation(schema.FieldUser, users, true, true))
	balances.Fields.Add(relation("policy", policies, true, true))
	balances.Fields.Add(hours("adjustment_hours", -schema.MaxTimeOffHours))
	balances.Fields.Add(text("note", false, schema.MaxTimeOffTextLength))
	timestamps(balances)
	balances.AddIndex("idx_time_off_balances_policy_user", true, "`policy`, `user`", "")
	if err := save(app, balances); err != nil {
		return err
	}

	requests := orgScoped(schema.TimeOffRequests, orgs)
	requests.Fields.Add(relation(schema.FieldUser, users, true, true))
	requests.Fields.Add(relation("policy", policies, true, true))
	// Days of the organization's time zone, stored as midnight UTC of that
	// day (as timesheets' periods); end is the last day off, inclusive.
	requests.Fields.Add(&core.DateField{Name: "start", Required: true})
	requests.Fields.Add(&core.DateField{Name: "end", Required: true})
	requests.Fields.Add(&core.NumberField{Name: "hours", Required: true, Min: floatPtr(0.01), Max: floatPtr(schema.MaxTimeOffHours)})
	requests.Fields.Add(text("reason", false, schema.MaxTimeOffTextLength))
	requests.Fields.Add(choice(schema.FieldStatus, true, schema.TimeOffPending, schema.TimeOffApproved, schema.TimeOffDenied, schema.TimeOffCancelled))
	requests.Fields.Add(relation("requested_by", users, false, false))
	requests.Fields.Add(relation("decided_by", users, false, false))
	requests.Fields.Add(text("decision_note", false, schema.MaxTimeOffTextLength))
	timestamps(requests)
	requests.AddIndex("idx_time_off_requests_org_user_start", false, "`org`, `user`, `start`", "")
	if err := save(app, requests); err != nil {
		return err
	}

	shifts := orgScoped(schema.Schedules, orgs)
	shifts.Fields.Add(relation(schema.FieldUser, users, true, true))
	shifts.Fields.Add(relation(schema.FieldProject, projects, false, true))
	shifts.Fields.Add(&core.DateField{Name: "start", Required: true})
	shifts.Fields.Add(&core.DateField{Name: "end", Required: true})
	// The shift repeats every week on the same local weekday and time, up to
	// and including this day (org time zone, midnight UTC as above).
	shifts.Fields.Add(&core.DateField{Name: "repeat_until"})
	shifts.Fields.Add(&core.NumberField{Name: "min_hours", Min: floatPtr(0), Max: floatPtr(schema.MaxShiftHours)})
	shifts.Fields.Add(text("note", false, schema.MaxTimeOffTextLength))
	timestamps(shifts)
	shifts.AddIndex("idx_schedules_org_start", false, "`org`, `start`", "")
	if err := save(app, shifts); err != nil {
		return err
	}
	return applyMatrixRules(app)
}

func dropTimeOff(app core.App) error {
	// Dependents first: balances and requests point at policies.
	return dropCollections(app, schema.Schedules, schema.TimeOffRequests, schema.TimeOffBalances, schema.HolidayPolicies, schema.TimeOffPolicies)
}
