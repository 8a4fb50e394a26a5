package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Accrual kinds of a time off policy.
const (
	AccrualNone          = "none"            // balances are granted by hand only
	AccrualPerHourWorked = "per_hour_worked" // accrual_rate hours per hour tracked
	AccrualYearly        = "yearly"          // accrual_rate hours per year, earned day by day
)

// Statuses of a time off request; cancelled is the requester withdrawing a
// pending one.
const (
	TimeOffPending   = "pending"
	TimeOffApproved  = "approved"
	TimeOffDenied    = "denied"
	TimeOffCancelled = "cancelled"
)

// Bounds of time off and schedules.
const (
	MaxTimeOffHours      = 10000 // a balance or a request, in hours: ample for any career
	MaxAccrualRate       = 8760  // hours per hour worked, or per year (a year's hours)
	MaxShiftHours        = 24
	MaxTimeOffTextLength = 500
	MaxHolidaysPerPolicy = 366
	MaxPolicyMembers     = 10000
)

// Time off (policies, holidays, balances, requests) and schedules (shifts).
// Balances store only the hours granted by hand: what was accrued and taken
// is computed on read (hooks/timeoff.go), so it never drifts from the
// tracked time and the approved requests it comes from.
func init() {
	m.Register(createTimeOff, dropTimeOff)
}

func createTimeOff(app core.App) error {
	cs, err := findCollections(app, Organizations, Users, Projects)
	if err != nil {
		return err
	}
	orgs, users, projects := cs[0], cs[1], cs[2]
	members := func(c *core.Collection) {
		// Who a policy applies to: everyone, or the members listed.
		c.Fields.Add(&core.BoolField{Name: "all_members"})
		c.Fields.Add(&core.RelationField{Name: "members", CollectionId: users.Id, MaxSelect: MaxPolicyMembers})
	}
	hours := func(name string, min float64) *core.NumberField {
		return &core.NumberField{Name: name, Min: floatPtr(min), Max: floatPtr(MaxTimeOffHours)}
	}

	policies := orgScoped(TimeOffPolicies, orgs)
	policies.Fields.Add(text("name", true, 100))
	policies.Fields.Add(&core.BoolField{Name: "paid"})
	policies.Fields.Add(choice("accrual", true, AccrualNone, AccrualPerHourWorked, AccrualYearly))
	policies.Fields.Add(&core.NumberField{Name: "accrual_rate", Min: floatPtr(0), Max: floatPtr(MaxAccrualRate)})
	policies.Fields.Add(hours("max_balance_hours", 0)) // 0: no cap
	policies.Fields.Add(&core.DateField{Name: "starts_on"})
	members(policies)
	timestamps(policies)
	if err := save(app, policies); err != nil {
		return err
	}

	holidays := orgScoped(HolidayPolicies, orgs)
	holidays.Fields.Add(text("name", true, 100))
	// [{"date":"YYYY-MM-DD","name":"..."}], checked by hooks/timeoff.go.
	holidays.Fields.Add(&core.JSONField{Name: "holidays", MaxSize: 64 << 10})
	members(holidays)
	timestamps(holidays)
	if err := save(app, holidays); err != nil {
		return err
	}

	balances := orgScoped(TimeOffBalances, orgs)
	balances.Fields.Add(relation("user", users, true, true))
	balances.Fields.Add(relation("policy", policies, true, true))
	balances.Fields.Add(hours("adjustment_hours", -MaxTimeOffHours))
	balances.Fields.Add(text("note", false, MaxTimeOffTextLength))
	timestamps(balances)
	balances.AddIndex("idx_time_off_balances_policy_user", true, "`policy`, `user`", "")
	if err := save(app, balances); err != nil {
		return err
	}

	requests := orgScoped(TimeOffRequests, orgs)
	requests.Fields.Add(relation("user", users, true, true))
	requests.Fields.Add(relation("policy", policies, true, true))
	// Days of the organization's time zone, stored as midnight UTC of that
	// day (as timesheets' periods); end is the last day off, inclusive.
	requests.Fields.Add(&core.DateField{Name: "start", Required: true})
	requests.Fields.Add(&core.DateField{Name: "end", Required: true})
	requests.Fields.Add(&core.NumberField{Name: "hours", Required: true, Min: floatPtr(0.01), Max: floatPtr(MaxTimeOffHours)})
	requests.Fields.Add(text("reason", false, MaxTimeOffTextLength))
	requests.Fields.Add(choice("status", true, TimeOffPending, TimeOffApproved, TimeOffDenied, TimeOffCancelled))
	requests.Fields.Add(relation("requested_by", users, false, false))
	requests.Fields.Add(relation("decided_by", users, false, false))
	requests.Fields.Add(text("decision_note", false, MaxTimeOffTextLength))
	timestamps(requests)
	requests.AddIndex("idx_time_off_requests_org_user_start", false, "`org`, `user`, `start`", "")
	if err := save(app, requests); err != nil {
		return err
	}

	shifts := orgScoped(Schedules, orgs)
	shifts.Fields.Add(relation("user", users, true, true))
	shifts.Fields.Add(relation("project", projects, false, true))
	shifts.Fields.Add(&core.DateField{Name: "start", Required: true})
	shifts.Fields.Add(&core.DateField{Name: "end", Required: true})
	// The shift repeats every week on the same local weekday and time, up to
	// and including this day (org time zone, midnight UTC as above).
	shifts.Fields.Add(&core.DateField{Name: "repeat_until"})
	shifts.Fields.Add(&core.NumberField{Name: "min_hours", Min: floatPtr(0), Max: floatPtr(MaxShiftHours)})
	shifts.Fields.Add(text("note", false, MaxTimeOffTextLength))
	timestamps(shifts)
	shifts.AddIndex("idx_schedules_org_start", false, "`org`, `start`", "")
	if err := save(app, shifts); err != nil {
		return err
	}
	return applyMatrixRules(app)
}

func dropTimeOff(app core.App) error {
	// Dependents first: balances and requests point at policies.
	return dropCollections(app, Schedules, TimeOffRequests, TimeOffBalances, HolidayPolicies, TimeOffPolicies)
}
