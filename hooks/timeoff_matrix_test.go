package hooks_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// timeOffRequested files a day of time off for user, on a day the seed
// leaves free.
func timeOffRequested(org, user, policy string) probe {
	const day = "2026-12-10"
	return probe{
		method: "POST", url: hookstest.OrgURL(api.TimeOffRequestsRoute, org),
		body: fmt.Sprintf(`{"user":%q,"policy":%q,"start":%q,"end":%q,"hours":8,"reason":"probe"}`, user, policy, day, day),
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			n, err := app.CountRecords(schema.TimeOffRequests, dbx.HashExp{"user": user, "start": day + " 00:00:00.000Z"})
			return err == nil && n == 1
		},
	}
}

// timeOffDecided approves or denies the seeded pending request of user.
func timeOffDecided(user, policy, verb string) probe {
	id := tt.TimeOffRequestID(user, policy)
	route := map[string]string{"approve": api.ApproveTimeOffRoute, "deny": api.DenyTimeOffRoute}[verb]
	status := map[string]string{"approve": schema.TimeOffApproved, "deny": schema.TimeOffDenied}[verb]
	return probe{
		method: "POST", url: strings.Replace(route, "{id}", id, 1), body: `{"note":"probe"}`,
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			r, err := app.FindRecordById(schema.TimeOffRequests, id)
			return err == nil && r.GetString("status") == status
		},
		// Deciding needs more than self, and one's own request goes to
		// someone else unless one is an owner.
		expect: func(a perms.Actor, s perms.Settings, t perms.Target) perms.Decision {
			d := perms.Default().Decide(a, perms.ApproveRequestTimeOffRequests, t, s)
			if !d.Allowed || d.Cell == perms.CellSelf || (t.OwnerID == a.UserID && a.OrgRole != "owner") {
				return perms.Decision{}
			}
			return d
		},
	}
}

// balancesShown asks for user's balances: shown to them, and to those who
// edit balances or approve their requests.
func balancesShown(org, user, policy string) probe {
	return probe{
		method: "GET", read: true, url: hookstest.OrgURL(api.TimeOffBalancesRoute, org) + "?user=" + url.QueryEscape(user),
		took: func(_ testing.TB, _ core.App, status int, body string) bool {
			return status == 200 && strings.Contains(body, `"policy":"`+policy+`"`) && strings.Contains(body, `"balance_hours":40`)
		},
	}
}

// attended asks for the attendance of the seed's day and looks for a shift.
func attended(org, shift string) probe {
	return probe{
		method: "GET", read: true, url: hookstest.OrgURL(api.AttendanceRoute, org) + "?day=" + tt.Slot.Format(time.DateOnly),
		took: func(_ testing.TB, _ core.App, status int, body string) bool {
			return status == 200 && strings.Contains(body, `"id":"`+shift+`"`)
		},
	}
}

// timeOffProbes covers the rows of time off and schedules.
func timeOffProbes(self string) []probe {
	var ps []probe
	for _, o := range []struct{ label, id, policy, holidays string }{
		{"own org", tt.Acme, tt.PolA, tt.HolA}, {"other org", tt.Globex, tt.PolG, tt.HolG},
	} {
		tg := perms.Target{}
		ps = append(ps,
			created(schema.TimeOffPolicies, map[string]any{"org": o.id, "name": "Sick leave", "accrual": "per_hour_worked", "accrual_rate": 0.05},
				"org = {:org} AND name = {:name}").on(perms.AddTimeOffPolicies, o.label, o.id, tg),
			updated(schema.TimeOffPolicies, o.policy, "max_balance_hours", 80).on(perms.AddTimeOffPolicies, o.label+" (edit)", o.id, tg),
			deleted(schema.TimeOffPolicies, o.policy).on(perms.AddTimeOffPolicies, o.label+" (delete)", o.id, tg),
			created(schema.HolidayPolicies, map[string]any{"org": o.id, "name": "Local days", "all_members": true,
				"holidays": []map[string]string{{"date": "2026-06-01", "name": "Founders' day"}}},
				"org = {:org} AND name = {:name}").on(perms.AddHolidayPolicies, o.label, o.id, tg),
			updated(schema.HolidayPolicies, o.holidays, "name", "Renamed").on(perms.AddHolidayPolicies, o.label+" (edit)", o.id, tg),
			deleted(schema.HolidayPolicies, o.holidays).on(perms.AddHolidayPolicies, o.label+" (delete)", o.id, tg),
		)
	}

	members := []struct{ label, user, org, policy string }{
		{"own", self, tt.Acme, tt.PolA},
		{"team member", tt.Walt, tt.Acme, tt.PolA},
		{"other member", tt.Nia, tt.Acme, tt.PolA},
		{"other org", tt.Dave, tt.Globex, tt.PolG},
	}
	for _, m := range members {
		tg := perms.Target{OwnerID: m.user}
		bal := tt.BalanceID(m.user, m.policy)
		ps = append(ps,
			updated(schema.TimeOffBalances, bal, "adjustment_hours", 12).on(perms.EditTimeOffBalances, m.label, m.org, tg),
			timeOffRequested(m.org, m.user, m.policy).on(perms.ApproveRequestTimeOffRequests, m.label+" (request)", m.org, tg),
			timeOffDecided(m.user, m.policy, "approve").on(perms.ApproveRequestTimeOffRequests, m.label+" (approve)", m.org, tg),
			timeOffDecided(m.user, m.policy, "deny").on(perms.ApproveRequestTimeOffRequests, m.label+" (deny)", m.org, tg),
			listed(schema.TimeOffRequests, tt.TimeOffRequestID(m.user, m.policy)).
				on(perms.ApproveRequestTimeOffRequests, m.label+" (list)", m.org, tg),
			balancesShown(m.org, m.user, m.policy).on(perms.ApproveRequestTimeOffRequests, m.label+" (balances)", m.org, tg),
		)
		if m.user != self {
			// One's own balance record is always listed to oneself.
			ps = append(ps, listed(schema.TimeOffBalances, bal).on(perms.EditTimeOffBalances, m.label+" (list)", m.org, tg))
		}
	}

	ownProject := ""
	for _, p := range tt.TimeOffPeople {
		if p.User == self {
			ownProject = p.Project
		}
	}
	shifts := []struct{ label, user, project, org string }{
		{"own", self, ownProject, tt.Acme},
		{"assigned", tt.Walt, tt.ProjA, tt.Acme},
		{"team member, other project", tt.Walt, tt.ProjB, tt.Acme},
		{"other member", tt.Nia, tt.ProjB, tt.Acme},
		{"other org", tt.Dave, tt.ProjG, tt.Globex},
	}
	for _, sh := range shifts {
		tg := perms.Target{OwnerID: sh.user, ProjectID: sh.project}
		id := tt.ShiftID(sh.user, sh.project)
		ps = append(ps,
			listed(schema.Schedules, id).on(perms.ViewSchedules, sh.label, sh.org, tg),
			attended(sh.org, id).on(perms.ViewSchedules, sh.label+" (attendance)", sh.org, tg),
			created(schema.Schedules, map[string]any{
				"org": sh.org, "user": sh.user, "project": sh.project, "note": "probe",
				"start": tt.Slot.Add(24 * time.Hour), "end": tt.Slot.Add(32 * time.Hour),
			}, "user = {:user} AND note = {:note}").on(perms.AddSchedules, sh.label, sh.org, tg),
			updated(schema.Schedules, id, "min_hours", 2).on(perms.ModifySchedules, sh.label, sh.org, tg),
			deleted(schema.Schedules, id).on(perms.ModifySchedules, sh.label+" (delete)", sh.org, tg),
		)
	}
	return ps
}
