package tocktest

import (
	"time"

	"github.com/tock-app/tock/migrations/schema"
)

// Ids of the time off and schedules part of the matrix seed.
const (
	PolA = "tofacme00000001" // Acme's vacation policy, for everyone
	PolG = "tofglobex000001"
	HolA = "holacme00000001" // Acme's holidays
	HolG = "holglobex000001"
)

// TimeOffDay is the first day of every seeded time off request; requests
// made by tests pick other days.
const TimeOffDay = "2026-12-01"

// ShiftID names a seeded shift of user in project ("" for none).
func ShiftID(user, project string) string {
	if project == "" {
		project = "xxxnone"
	}
	return DataID("sh", user, project+"0")
}

// BalanceID names the seeded balance of user on policy.
func BalanceID(user, policy string) string { return DataID("bal", user, policy) }

// TimeOffRequestID names the seeded pending request of user on policy.
func TimeOffRequestID(user, policy string) string { return DataID("tor", user, policy) }

// TimeOffPeople has a balance of 40 granted hours and one pending 8-hour
// request on their organization's policy, and a shift on tt.Slot's day.
var TimeOffPeople = []struct{ User, Org, Policy, Project string }{
	{Alice, Acme, PolA, ProjA}, {Bob, Acme, PolA, ProjA}, {Carol, Acme, PolA, ProjA}, {Pam, Acme, PolA, ProjA},
	{Vic, Acme, PolA, ""}, {Tess, Acme, PolA, ProjA}, {Walt, Acme, PolA, ProjA}, {Nia, Acme, PolA, ProjB},
	{Zoe, Acme, PolA, ""}, {Dave, Globex, PolG, ProjG},
}

// seedTimeOff adds policies, holidays, balances, requests and shifts.
func seedTimeOff(s *Seeder) {
	for _, p := range []struct{ id, hol, org string }{{PolA, HolA, Acme}, {PolG, HolG, Globex}} {
		s.Create(schema.TimeOffPolicies, p.id, map[string]any{
			"org": p.org, "name": "Vacation", "paid": true, "accrual": schema.AccrualNone, "all_members": true,
		})
		s.Create(schema.HolidayPolicies, p.hol, map[string]any{
			"org": p.org, "name": "Public holidays", "all_members": true,
			"holidays": []map[string]string{{"date": "2026-12-25", "name": "Christmas"}},
		})
	}
	for _, p := range TimeOffPeople {
		s.Create(schema.TimeOffBalances, BalanceID(p.User, p.Policy), map[string]any{
			"org": p.Org, "user": p.User, "policy": p.Policy, "adjustment_hours": 40,
		})
		s.Create(schema.TimeOffRequests, TimeOffRequestID(p.User, p.Policy), map[string]any{
			"org": p.Org, "user": p.User, "policy": p.Policy, "status": schema.TimeOffPending,
			"start": TimeOffDay + " 00:00:00.000Z", "end": TimeOffDay + " 00:00:00.000Z", "hours": 8, "requested_by": p.User,
		})
	}
	shifts := []struct{ user, org, project string }{{Walt, Acme, ProjB}}
	for _, p := range TimeOffPeople {
		shifts = append(shifts, struct{ user, org, project string }{p.User, p.Org, p.Project})
	}
	for _, sh := range shifts {
		s.Create(schema.Schedules, ShiftID(sh.user, sh.project), map[string]any{
			"org": sh.org, "user": sh.user, "project": sh.project,
			"start": Slot, "end": Slot.Add(8 * time.Hour), "min_hours": 1,
		})
	}
}
