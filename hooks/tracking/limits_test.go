package tracking_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func slotsFrom(start time.Time, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = start.Add(time.Duration(i) * 10 * time.Minute)
	}
	return out
}

// TestIngestLimits: tracking turned off refuses uploads; a daily or weekly
// limit (days and Monday weeks of the organization's timezone, tracked and
// manual time alike) clamps the slot that reaches it and refuses the next.
func TestIngestLimits(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	ny, _ := time.LoadLocation("America/New_York") // UTC-5 in November
	// Monday 9 November 2026, 09:00 in New York.
	monday9 := time.Date(2026, 11, 9, 9, 0, 0, 0, ny)
	cases := []struct {
		name    string
		limits  map[string]any
		planted []time.Time // Carol's stored 10-minute slots (600 s each; the first is manual)
		partial int         // seconds of one more slot, right after the planted ones
		slot    time.Time
		status  int
		content []string
		stored  int // tracked seconds stored for the slot afterwards (-1: none)
	}{
		{name: "tracking turned off", limits: map[string]any{"tracking_enabled": false}, slot: monday9,
			status: 403, content: []string{"Time tracking is turned off for you in Acme.", `"code":"tracking_off"`}, stored: -1},
		{name: "no limit", slot: monday9, planted: slotsFrom(monday9.Add(-3*time.Hour), 12), status: 200, stored: 600,
			content: []string{`"tracked_seconds":600`}},
		{name: "daily limit leaves part of the slot", limits: map[string]any{"daily_limit_hours": 1},
			planted: slotsFrom(monday9.Add(-time.Hour), 5), partial: 300, slot: monday9, status: 200, stored: 300,
			content: []string{`"limit_reached":true`, `"message":"Daily limit of 1 h reached."`, `"tracked_seconds":300`,
				`"active_seconds":200`, `"keyboard_seconds":100`, `"mouse_seconds":150`}},
		{name: "daily limit used up", limits: map[string]any{"daily_limit_hours": 1},
			planted: slotsFrom(monday9.Add(-time.Hour), 6), slot: monday9, status: 409,
			content: []string{`"message":"Daily limit of 1 h reached."`}, stored: -1},
		{name: "fractional daily limit", limits: map[string]any{"daily_limit_hours": 0.5},
			planted: slotsFrom(monday9.Add(-time.Hour), 3), slot: monday9, status: 409,
			content: []string{`"message":"Daily limit of 0.5 h reached."`}, stored: -1},
		{name: "the day ends at midnight in the organization's timezone, not UTC", limits: map[string]any{"daily_limit_hours": 1},
			// 18:00-18:59 New York on the 9th is 23:00-23:59 UTC; 23:50 New York is 04:50 UTC on the 10th.
			planted: slotsFrom(time.Date(2026, 11, 9, 18, 0, 0, 0, ny), 6), slot: time.Date(2026, 11, 9, 23, 50, 0, 0, ny),
			status: 409, content: []string{"Daily limit of 1 h reached.", `"code":"limit_reached"`}, stored: -1},
		{name: "a new day in the organization's timezone starts afresh", limits: map[string]any{"daily_limit_hours": 1},
			planted: slotsFrom(time.Date(2026, 11, 9, 18, 0, 0, 0, ny), 6), slot: time.Date(2026, 11, 10, 0, 0, 0, 0, ny),
			status: 200, stored: 600, content: []string{`"tracked_seconds":600`}},
		{name: "weekly limit used up on Sunday night", limits: map[string]any{"weekly_limit_hours": 1, "daily_limit_hours": 8},
			planted: slotsFrom(monday9, 6), slot: time.Date(2026, 11, 15, 23, 50, 0, 0, ny), status: 409,
			content: []string{`"message":"Weekly limit of 1 h reached."`}, stored: -1},
		{name: "the week starts on Monday in the organization's timezone", limits: map[string]any{"weekly_limit_hours": 1},
			planted: slotsFrom(monday9, 6), slot: time.Date(2026, 11, 16, 0, 0, 0, 0, ny), status: 200, stored: 600},
		// Daylight saving time ends in New York at 02:00 on Sunday 1 November 2026: a 25-hour day.
		{name: "a 25-hour day is one day", limits: map[string]any{"daily_limit_hours": 1},
			planted: slotsFrom(time.Date(2026, 11, 1, 0, 0, 0, 0, ny), 6), slot: time.Date(2026, 11, 1, 23, 50, 0, 0, ny),
			status: 409, content: []string{"Daily limit of 1 h reached."}, stored: -1},
		{name: "the day after a 25-hour day starts afresh", limits: map[string]any{"daily_limit_hours": 1},
			planted: slotsFrom(time.Date(2026, 11, 1, 0, 0, 0, 0, ny), 6), slot: time.Date(2026, 11, 2, 0, 0, 0, 0, ny),
			status: 200, stored: 600},
		{name: "a week with the clock change ends on its Sunday at midnight", limits: map[string]any{"weekly_limit_hours": 1},
			planted: slotsFrom(time.Date(2026, 10, 26, 0, 0, 0, 0, ny), 6), slot: time.Date(2026, 11, 1, 23, 50, 0, 0, ny),
			status: 409, content: []string{"Weekly limit of 1 h reached."}, stored: -1},
		{name: "the week after the clock change starts afresh", limits: map[string]any{"weekly_limit_hours": 1},
			planted: slotsFrom(time.Date(2026, 10, 26, 0, 0, 0, 0, ny), 6), slot: time.Date(2026, 11, 2, 0, 0, 0, 0, ny),
			status: 200, stored: 600},
	}
	for _, tc := range cases {
		in := ingest.Activity{ClientID: "limit-test-01", Org: tt.Acme, Project: tt.ProjA, SlotStart: tc.slot.UTC(),
			TrackedSeconds: 600, ActiveSeconds: 400, KeyboardSeconds: 200, MouseSeconds: 300}
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodPost, URL: ingest.ActivitiesRoute, Body: strings.NewReader(tt.ActivityBody(in)),
			Headers: fx.Auth(t, tt.Carol), TestAppFactory: factory, ExpectedStatus: tc.status, ExpectedContent: tc.content,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				hookstest.SetFields(t, app, schema.Organizations, tt.Acme, map[string]any{"timezone": "America/New_York"})
				if tc.limits != nil {
					hookstest.SetFields(t, app, schema.Memberships, tt.MembershipID(tt.Carol), tc.limits)
				}
				for i, s := range tc.planted {
					source := "tracked"
					if i == 0 {
						source = "manual" // manual time counts too
					}
					hookstest.PlantTime(t, app, tt.Carol, tt.ProjB, s, 600, source)
				}
				if tc.partial > 0 {
					hookstest.PlantTime(t, app, tt.Carol, tt.ProjB, tc.planted[len(tc.planted)-1].Add(10*time.Minute), tc.partial, "tracked")
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				got := -1
				if r, err := app.FindFirstRecordByData(schema.Activities, "client_id", in.ClientID); err == nil {
					got = r.GetInt("tracked_seconds")
				}
				if got != tc.stored {
					t.Errorf("stored %d tracked seconds for the slot, want %d", got, tc.stored)
				}
			},
		}
		if tc.status == 200 && len(tc.content) < 2 {
			sc.NotExpectedContent = []string{"limit_reached"}
		}
		sc.Test(t)
	}
}

// TestIngestLimitReupload: the agent's re-upload of a clamped slot is
// answered as the first upload was, and the slot is stored once.
func TestIngestLimitReupload(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	app := fx.App(t)
	defer app.Cleanup()
	start := time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)
	hookstest.SetFields(t, app, schema.Memberships, tt.MembershipID(tt.Carol), map[string]any{"daily_limit_hours": 1})
	for _, s := range slotsFrom(start.Add(-time.Hour), 5) {
		hookstest.PlantTime(t, app, tt.Carol, tt.ProjA, s, 600, "tracked")
	}
	hookstest.PlantTime(t, app, tt.Carol, tt.ProjB, start.Add(-10*time.Minute), 300, "manual")
	h := tt.Handler(t, app)
	in := ingest.Activity{ClientID: "limit-reupload-1", Org: tt.Acme, Project: tt.ProjA, SlotStart: start, TrackedSeconds: 600, ActiveSeconds: 600}
	for i := 0; i < 3; i++ {
		status, _, body := tt.Send(h, tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(in), fx.Token(t, tt.Carol)))
		if status != 200 || !strings.Contains(body, `"limit_reached":true`) || !strings.Contains(body, `"tracked_seconds":300`) {
			t.Fatalf("upload %d: %d %s", i+1, status, body)
		}
	}
	if n := hookstest.Count(t, app, schema.Activities, "client_id = {:c}", map[string]any{"c": in.ClientID}); n != 1 {
		t.Errorf("%d records for one slot", n)
	}
	// Another slot the same day: nothing is left.
	in.ClientID, in.SlotStart = "limit-reupload-2", start.Add(10*time.Minute)
	status, _, body := tt.Send(h, tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(in), fx.Token(t, tt.Carol)))
	if status != 409 || !strings.Contains(body, "Daily limit of 1 h reached.") {
		t.Fatalf("next slot: %d %s", status, body)
	}
}

// TestTimeSettings: limits, the tracking switch and the organization's time
// settings are checked when written, and new records get their defaults.
func TestTimeSettings(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	member := hookstest.RecordsURL(schema.Memberships) + "/" + tt.MembershipID(tt.Carol)
	org := hookstest.RecordsURL(schema.Organizations) + "/" + tt.Acme
	cases := []struct {
		name, user, method, url, body string
		status                        int
		content                       []string
		check                         func(t testing.TB, app core.App)
	}{
		{name: "a daily limit over 24 hours", user: tt.Bob, method: "PATCH", url: member, body: `{"daily_limit_hours":25}`, status: 400,
			content: []string{"daily_limit_hours"}},
		{name: "a negative weekly limit", user: tt.Bob, method: "PATCH", url: member, body: `{"weekly_limit_hours":-1}`, status: 400,
			content: []string{"weekly_limit_hours"}},
		{name: "a manager sets a weekly limit", user: tt.Bob, method: "PATCH", url: member, body: `{"weekly_limit_hours":37.5}`, status: 200,
			content: []string{`"weekly_limit_hours":37.5`}},
		// A member may update their own membership (their summary e-mails), so
		// Tock's first line refuses the rest with a 403.
		{name: "a member can't lift their own limit", user: tt.Carol, method: "PATCH", url: member, body: `{"daily_limit_hours":0}`, status: 403,
			content: []string{"Your role doesn't allow"}},
		{name: "a member can't turn their own tracking off", user: tt.Carol, method: "PATCH", url: member, body: `{"tracking_enabled":false}`, status: 403,
			content: []string{"Enable/Disable Time Tracking"}},
		{name: "a new member tracks time", user: tt.Alice, method: "POST", url: hookstest.RecordsURL(schema.Memberships),
			body: `{"org":"` + tt.Acme + `","user":"` + tt.Erin + `","role":"user"}`, status: 200, content: []string{`"tracking_enabled":true`}},
		{name: "a new member can't start with tracking off", user: tt.Alice, method: "POST", url: hookstest.RecordsURL(schema.Memberships),
			body: `{"org":"` + tt.Acme + `","user":"` + tt.Erin + `","role":"user","tracking_enabled":false}`, status: 400,
			content: []string{"start with time tracking on"}},
		{name: "a manager changes manual time", user: tt.Bob, method: "PATCH", url: org, body: `{"manual_time":"off"}`, status: 200,
			content: []string{`"manual_time":"off"`}},
		{name: "an unknown manual time mode", user: tt.Alice, method: "PATCH", url: org, body: `{"manual_time":"sometimes"}`, status: 400},
		{name: "a manager can't turn timesheet approvals on", user: tt.Bob, method: "PATCH", url: org, body: `{"timesheet_approvals":true}`, status: 403},
		{name: "a manager can't change pay periods", user: tt.Bob, method: "PATCH", url: org, body: `{"pay_period":"monthly"}`, status: 403},
		{name: "monthly periods can't start after the 28th", user: tt.Alice, method: "PATCH", url: org,
			body: `{"pay_period":"monthly","pay_period_anchor":"2026-01-30"}`, status: 400, content: []string{"pay_period_anchor"}},
		{name: "a new organization gets the default time settings", user: tt.Carol, method: "POST", url: hookstest.RecordsURL(schema.Organizations),
			body: `{"name":"Carol's"}`, status: 200, content: []string{`"manual_time":"allowed"`, `"pay_period":"weekly"`,
				`"pay_period_anchor":"2026-01-05 00:00:00.000Z"`, `"timesheet_approvals":false`}},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: tc.method, URL: tc.url, Body: strings.NewReader(tc.body), Headers: fx.Auth(t, tc.user),
			TestAppFactory: factory, ExpectedStatus: tc.status, ExpectedContent: tc.content,
		}
		if tc.content == nil {
			sc.ExpectedContent = []string{`"status":`}
		}
		sc.Test(t)
	}
}
