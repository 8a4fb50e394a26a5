package ledger_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// Kathmandu is UTC+05:45: its midnight is 18:15 UTC, in the middle of the
// 10-minute slot 18:10–18:20, so one slot a day straddles local midnight.
// kathmanduWeek is Carol's time in project A around the week of Monday
// 18 May 2026: slots across the week's first and last midnights and across
// three midnights inside it (one of them manual, one half tracked), and
// whole slots inside the days. Counting each slot whole on the day it
// starts gives this week 8,500 s where the ledger has 8,650.
type ledgerSlot struct {
	start   time.Time // UTC
	tracked int
	manual  bool
}

func kathmanduWeek() []ledgerSlot {
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 5, day, hour, minute, 0, 0, time.UTC) }
	slots := []ledgerSlot{
		{start: at(17, 18, 10), tracked: 600},               // Sun 17th 23:55 → Mon 18th 00:05, local
		{start: at(19, 18, 10), tracked: 600},               // Tue → Wed
		{start: at(20, 18, 10), tracked: 600, manual: true}, // Wed → Thu, manual time
		{start: at(21, 18, 10), tracked: 400},               // Thu → Fri, partly idle
		{start: at(24, 18, 10), tracked: 300},               // Sun 24th → Mon 25th, half of it in the week
		{start: at(24, 18, 20), tracked: 600},               // Mon 25th: out of the week
	}
	for i := range 6 { // Mon 18th 08:45–09:45 local
		slots = append(slots, ledgerSlot{start: at(18, 3, 0).Add(time.Duration(i) * 10 * time.Minute), tracked: 600})
	}
	for i := range 5 { // Thu 21st 11:45–12:35 local
		slots = append(slots, ledgerSlot{start: at(21, 6, 0).Add(time.Duration(i) * 10 * time.Minute), tracked: 600})
	}
	return slots
}

// ledger is the independent reckoning: each second of a slot is placed on
// the local day its instant falls on, and each day gets the slot's tracked
// seconds in proportion to the seconds it holds (every share here is exact).
type ledger struct {
	day             map[string]int // tracked seconds per local day
	tracked, manual int            // over the week
}

func ledgerOf(slots []ledgerSlot, loc *time.Location, first, last string) ledger {
	l := ledger{day: map[string]int{}}
	for _, s := range slots {
		held := map[string]int{}
		for sec := range 600 {
			held[s.start.Add(time.Duration(sec)*time.Second).In(loc).Format(time.DateOnly)]++
		}
		for day, n := range held {
			share := s.tracked * n / 600
			l.day[day] += share
			if day >= first && day <= last {
				l.tracked += share
				if s.manual {
					l.manual += share
				}
			}
		}
	}
	return l
}

// plantWeek moves Acme to Kathmandu and stores Carol's week.
func plantWeek(t testing.TB, app core.App, slots []ledgerSlot) {
	t.Helper()
	hookstest.SetFields(t, app, schema.Organizations, tt.Acme, map[string]any{"timezone": "Asia/Kathmandu"})
	for _, s := range slots {
		source := "tracked"
		if s.manual {
			source = "manual"
		}
		hookstest.PlantTime(t, app, tt.Carol, tt.ProjA, s.start, s.tracked, source)
	}
}

// asked sends a request as user and decodes a 200 answer into out.
func asked(t testing.TB, h http.Handler, fx *tt.Fixture, user, method, u, body string, out any) {
	t.Helper()
	status, _, answer := tt.Send(h, tt.JSONRequest(method, u, body, fx.Token(t, user)))
	if status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, u, status, answer)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(answer), out); err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
	}
}

// TestKathmanduWeekAddsUpEverywhere: in a zone whose midnight falls inside
// a slot, the report, the timesheet, payroll, a client invoice, both
// dashboards and the daily limit all hold the same seconds per day and per
// week as an independent ledger, because they all split a slot at local
// midnight the same way.
func TestKathmanduWeekAddsUpEverywhere(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	loc, err := time.LoadLocation("Asia/Kathmandu")
	if err != nil {
		t.Fatal(err)
	}
	slots := kathmanduWeek()
	const first, last = "2026-05-18", "2026-05-24"
	want := ledgerOf(slots, loc, first, last)
	if want.tracked != 8650 || want.manual != 600 || want.day["2026-05-21"] != 3500 || want.day[last] != 150 {
		t.Fatalf("the ledger itself: %+v", want) // a check of the fixture, not of Tock
	}

	app := fx.App(t)
	defer app.Cleanup()
	plantWeek(t, app, slots)
	h := tt.Handler(t, app)

	t.Run("report", func(t *testing.T) {
		var rep api.Report
		asked(t, h, fx, tt.Alice, "GET", hookstest.OrgURL(api.ReportsRoute, tt.Acme)+"?"+url.Values{
			"from": {first}, "to": {last}, "group": {"day"}, "user": {tt.Carol}}.Encode(), "", &rep)
		if rep.Totals.TrackedSeconds != want.tracked || rep.Totals.ManualSeconds != want.manual {
			t.Errorf("report totals %+v, ledger %d tracked (%d manual)", rep.Totals, want.tracked, want.manual)
		}
		for _, r := range rep.Rows {
			if r.TrackedSeconds != want.day[*r.Date] {
				t.Errorf("report %s: %d s, ledger %d", *r.Date, r.TrackedSeconds, want.day[*r.Date])
			}
		}
	})
	t.Run("dashboards", func(t *testing.T) {
		var me api.MeDashboard
		asked(t, h, fx, tt.Carol, "GET", hookstest.OrgURL(api.MeDashboardRoute, tt.Acme)+"?day="+last, "", &me)
		if me.ThisWeek.Tracked != want.tracked || me.ThisWeek.Manual != want.manual || me.Today.Tracked != want.day[last] {
			t.Errorf("me dashboard week %+v today %+v, ledger week %d (%d manual) and %d on %s",
				me.ThisWeek, me.Today, want.tracked, want.manual, want.day[last], last)
		}
		for _, day := range []string{"2026-05-18", "2026-05-21", "2026-05-22"} {
			var team api.TeamDashboard
			asked(t, h, fx, tt.Alice, "GET", hookstest.OrgURL(api.TeamDashboardRoute, tt.Acme)+"?day="+day, "", &team)
			got, drawn := 0, 0
			for _, m := range team.Members {
				if m.User == tt.Carol {
					got = m.Tracked
					for _, sl := range m.Slots {
						drawn += sl.Tracked
					}
				}
			}
			if got != want.day[day] || drawn != got {
				t.Errorf("team dashboard %s: %d s, its slots to draw %d s, ledger %d", day, got, drawn, want.day[day])
			}
		}
	})
	t.Run("timesheet, payroll and invoice", func(t *testing.T) {
		hookstest.SetFields(t, app, schema.Organizations, tt.Acme, map[string]any{
			"timesheet_approvals": true, "pay_period": "weekly", "pay_period_anchor": first + " 00:00:00.000Z"})
		var sheet struct {
			ID string `json:"id"`
		}
		asked(t, h, fx, tt.Carol, "POST", hookstest.OrgURL(api.TimesheetSubmitRoute, tt.Acme), `{"period_start":"`+first+`"}`, &sheet)
		asked(t, h, fx, tt.Alice, "POST", strings.Replace(api.TimesheetApproveRoute, "{id}", sheet.ID, 1), `{}`, nil)
		r, err := app.FindRecordById(schema.Timesheets, sheet.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.GetInt("tracked_seconds") != want.tracked || r.GetInt("manual_seconds") != want.manual {
			t.Errorf("timesheet %d tracked (%d manual), ledger %d (%d)", r.GetInt("tracked_seconds"), r.GetInt("manual_seconds"), want.tracked, want.manual)
		}

		period := fmt.Sprintf(`"period_start":%q,"period_end":%q`, first, last)
		asked(t, h, fx, tt.Alice, "POST", hookstest.OrgURL(api.PayrollRoute, tt.Acme), "{"+period+"}", nil)
		pay, err := app.FindFirstRecordByFilter(schema.Payments, "user = {:u} && period_start = {:d}",
			dbx.Params{"u": tt.Carol, "d": first + " 00:00:00.000Z"})
		if err != nil {
			t.Fatal(err)
		}
		if pay.GetInt("seconds") != want.tracked {
			t.Errorf("payroll pays %d s, ledger %d", pay.GetInt("seconds"), want.tracked)
		}

		asked(t, h, fx, tt.Alice, "POST", hookstest.OrgURL(api.ClientInvoicesRoute, tt.Acme), fmt.Sprintf(`{"client":%q,%s}`, tt.Cli, period), nil)
		inv, err := app.FindFirstRecordByFilter(schema.ClientInvoices, "period_start = {:d}", dbx.Params{"d": first + " 00:00:00.000Z"})
		if err != nil {
			t.Fatal(err)
		}
		var lines []api.MoneyLine
		if err := inv.UnmarshalJSONField("lines", &lines); err != nil {
			t.Fatal(err)
		}
		billed := int64(0)
		for _, l := range lines {
			billed += l.Seconds
		}
		if billed != int64(want.tracked) {
			t.Errorf("invoice bills %d s, ledger %d", billed, want.tracked)
		}
	})
}

// TestKathmanduDailyLimit: a daily limit counts the day's seconds as the
// ledger does. Thursday holds 3,500 s, so a 1-hour limit leaves 100 s of
// the next slot; counting slots whole on the day they start would leave
// 200 (the manual slot from Wednesday night left out, the one into Friday
// counted whole).
func TestKathmanduDailyLimit(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	app := fx.App(t)
	defer app.Cleanup()
	plantWeek(t, app, kathmanduWeek())
	hookstest.SetFields(t, app, schema.Memberships, tt.MembershipID(tt.Carol), map[string]any{"daily_limit_hours": 1})

	in := ingest.Activity{ClientID: "kathmandu-limit1", Org: tt.Acme, Project: tt.ProjA,
		SlotStart: time.Date(2026, 5, 21, 7, 0, 0, 0, time.UTC), TrackedSeconds: 600, ActiveSeconds: 600}
	status, _, body := tt.Send(tt.Handler(t, app), tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(in), fx.Token(t, tt.Carol)))
	if status != http.StatusOK || !strings.Contains(body, `"limit_reached":true`) || !strings.Contains(body, `"tracked_seconds":100`) {
		t.Fatalf("upload on Thursday with 3,500 s of 3,600 used: %d %s", status, body)
	}
}

// TestTrackedSecondsIncludesManualTime: tracked_seconds is all time worked,
// manual time included, and manual_seconds its manual part, on a report and
// on a timesheet alike.
func TestTrackedSecondsIncludesManualTime(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	app := fx.App(t)
	defer app.Cleanup()
	monday := time.Date(2026, 5, 18, 9, 0, 0, 0, time.UTC)
	hookstest.PlantTime(t, app, tt.Carol, tt.ProjA, monday, 600, "tracked")
	hookstest.PlantTime(t, app, tt.Carol, tt.ProjA, monday.Add(10*time.Minute), 400, "tracked")
	hookstest.PlantTime(t, app, tt.Carol, tt.ProjA, monday.Add(time.Hour), 600, "manual")
	hookstest.SetFields(t, app, schema.Organizations, tt.Acme, map[string]any{
		"timesheet_approvals": true, "pay_period": "weekly", "pay_period_anchor": "2026-05-18 00:00:00.000Z"})
	h := tt.Handler(t, app)
	const tracked, manual = 1600, 600

	var rep api.Report
	asked(t, h, fx, tt.Carol, "GET", hookstest.OrgURL(api.ReportsRoute, tt.Acme)+"?from=2026-05-18&to=2026-05-24&group=member", "", &rep)
	if rep.Totals.TrackedSeconds != tracked || rep.Totals.ManualSeconds != manual {
		t.Errorf("report %+v, want %d tracked of which %d manual", rep.Totals, tracked, manual)
	}
	var sheet struct {
		Tracked int `json:"tracked_seconds"`
		Manual  int `json:"manual_seconds"`
	}
	asked(t, h, fx, tt.Carol, "POST", hookstest.OrgURL(api.TimesheetSubmitRoute, tt.Acme), `{"period_start":"2026-05-18"}`, &sheet)
	if sheet.Tracked != tracked || sheet.Manual != manual {
		t.Errorf("timesheet %+v, want %d tracked of which %d manual", sheet, tracked, manual)
	}
}
