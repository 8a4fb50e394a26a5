package tracking_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

const plantedSheet = "tshcarol0000001"

// plantSheet gives Carol a timesheet for the week of tt.Slot (2 to 8 November) in status.
func plantSheet(t testing.TB, app core.App, status string) {
	t.Helper()
	s := &tt.Seeder{App: app}
	s.Create(schema.Timesheets, plantedSheet, map[string]any{
		"org": tt.Acme, "user": tt.Carol, "status": status, "submitted_by": tt.Carol,
		"period_start": "2026-11-02 00:00:00.000Z", "period_end": "2026-11-08 00:00:00.000Z",
	})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
}

func sheetStatus(t testing.TB, app core.App, user, start string) string {
	t.Helper()
	r, err := app.FindFirstRecordByFilter(schema.Timesheets, "user = {:u} && period_start = {:s}",
		map[string]any{"u": user, "s": start + " 00:00:00.000Z"})
	if err != nil {
		return ""
	}
	return r.GetString("status")
}

// TestTimesheetSubmit: who submits whose timesheet, for which periods.
func TestTimesheetSubmit(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	now := time.Now().UTC()
	nextMonday := time.Date(now.Year(), now.Month(), now.Day()+7-int((now.Weekday()+6)%7), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	cases := []struct {
		name, user, body string
		org              map[string]any // Acme's settings besides timesheet_approvals on
		toggles          bool
		before           func(t testing.TB, app core.App)
		status           int
		content          []string
		sheetOf, start   string // the timesheet to check afterwards
		state            string
	}{
		{name: "a member submits their week", user: tt.Carol, body: `{"period_start":"2026-11-02"}`, status: 200,
			content: []string{`"status":"submitted"`, `"tracked_seconds":600`, `"manual_seconds":0`, `"period_start":"2026-11-02 00:00:00.000Z"`,
				`"period_end":"2026-11-08 00:00:00.000Z"`, `"submitted_by":"` + tt.Carol + `"`},
			sheetOf: tt.Carol, start: "2026-11-02", state: "submitted"},
		{name: "approvals turned off", user: tt.Carol, body: `{"period_start":"2026-11-02"}`, org: map[string]any{"timesheet_approvals": false},
			status: 400, content: []string{"Timesheet approvals are turned off in Acme."}, sheetOf: tt.Carol, start: "2026-11-02"},
		{name: "not the first day of a period", user: tt.Carol, body: `{"period_start":"2026-11-03"}`, status: 400,
			content: []string{"2026-11-02 – 2026-11-08"}, sheetOf: tt.Carol, start: "2026-11-03"},
		{name: "a period that hasn't started", user: tt.Carol, body: `{"period_start":"` + nextMonday + `"}`, status: 400,
			content: []string{"hasn't started yet"}, sheetOf: tt.Carol, start: nextMonday},
		{name: "not a day", user: tt.Carol, body: `{"period_start":"soon"}`, status: 400, sheetOf: tt.Carol, start: "2026-11-02"},
		{name: "a user can't submit for someone else", user: tt.Carol, body: `{"user":"` + tt.Walt + `","period_start":"2026-11-02"}`,
			status: 403, sheetOf: tt.Walt, start: "2026-11-02"},
		{name: "a manager submits for a member", user: tt.Bob, body: `{"user":"` + tt.Walt + `","period_start":"2026-11-02"}`,
			status: 200, content: []string{`"submitted_by":"` + tt.Bob + `"`, `"tracked_seconds":1200`}, sheetOf: tt.Walt, start: "2026-11-02", state: "submitted"},
		{name: "a team lead without the toggle", user: tt.Tess, body: `{"user":"` + tt.Walt + `","period_start":"2026-11-02"}`,
			status: 403, sheetOf: tt.Walt, start: "2026-11-02"},
		{name: "a team lead with the toggle, for their member", user: tt.Tess, toggles: true,
			body: `{"user":"` + tt.Walt + `","period_start":"2026-11-02"}`, status: 200, sheetOf: tt.Walt, start: "2026-11-02", state: "submitted"},
		{name: "a team lead with the toggle, for someone else", user: tt.Tess, toggles: true,
			body: `{"user":"` + tt.Nia + `","period_start":"2026-11-02"}`, status: 403, sheetOf: tt.Nia, start: "2026-11-02"},
		{name: "a non-member learns nothing", user: tt.Dave, body: `{"period_start":"2026-11-02"}`, status: 404, sheetOf: tt.Dave, start: "2026-11-02"},
		{name: "biweekly periods count from the anchor", user: tt.Carol, body: `{"period_start":"2026-10-26"}`,
			org: map[string]any{"pay_period": "biweekly"}, status: 200, content: []string{`"period_end":"2026-11-08 00:00:00.000Z"`},
			sheetOf: tt.Carol, start: "2026-10-26", state: "submitted"},
		{name: "biweekly: a week's Monday isn't always a period's", user: tt.Carol, body: `{"period_start":"2026-11-02"}`,
			org: map[string]any{"pay_period": "biweekly"}, status: 400, content: []string{"2026-10-26 – 2026-11-08"}, sheetOf: tt.Carol, start: "2026-11-02"},
		{name: "monthly periods start on the anchor's day", user: tt.Carol, body: `{"period_start":"2026-10-05"}`,
			org: map[string]any{"pay_period": "monthly"}, status: 200, content: []string{`"period_end":"2026-11-04 00:00:00.000Z"`},
			sheetOf: tt.Carol, start: "2026-10-05", state: "submitted"},
		{name: "already submitted", user: tt.Carol, body: `{"period_start":"2026-11-02"}`, before: func(t testing.TB, app core.App) { plantSheet(t, app, "submitted") },
			status: 400, content: []string{"already submitted"}, sheetOf: tt.Carol, start: "2026-11-02", state: "submitted"},
		{name: "already approved", user: tt.Carol, body: `{"period_start":"2026-11-02"}`, before: func(t testing.TB, app core.App) { plantSheet(t, app, "approved") },
			status: 409, content: []string{"already approved"}, sheetOf: tt.Carol, start: "2026-11-02", state: "approved"},
		{name: "a rejected timesheet is submitted again", user: tt.Carol, body: `{"period_start":"2026-11-02"}`,
			before: func(t testing.TB, app core.App) { plantSheet(t, app, "rejected") },
			status: 200, content: []string{`"status":"submitted"`, `"reason":""`}, sheetOf: tt.Carol, start: "2026-11-02", state: "submitted"},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodPost, URL: hookstest.OrgURL(api.TimesheetSubmitRoute, tt.Acme), Body: strings.NewReader(tc.body),
			Headers: fx.Auth(t, tc.user), TestAppFactory: factory, ExpectedStatus: tc.status, ExpectedContent: tc.content,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				hookstest.SetToggles(t, app, tc.toggles)
				fields := map[string]any{"timesheet_approvals": true}
				for k, v := range tc.org {
					fields[k] = v
				}
				hookstest.SetFields(t, app, schema.Organizations, tt.Acme, fields)
				if tc.before != nil {
					tc.before(t, app)
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if got := sheetStatus(t, app, tc.sheetOf, tc.start); got != tc.state {
					t.Errorf("timesheet is %q, want %q", got, tc.state)
				}
			},
		}
		if tc.content == nil {
			sc.ExpectedContent = []string{`"status":`}
		}
		sc.Test(t)
	}
}

// TestTimesheetDecisions: approvers approve or reject; a rejection needs a
// reason and reopens even an approved timesheet.
func TestTimesheetDecisions(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	cases := []struct {
		name, user, url, body, from string
		status                      int
		content                     []string
		state                       string
	}{
		{name: "a manager approves", user: tt.Bob, url: api.TimesheetApproveRoute, body: `{}`, from: "submitted", status: 200,
			content: []string{`"status":"approved"`, `"decided_by":"` + tt.Bob + `"`, `"tracked_seconds":600`}, state: "approved"},
		{name: "the member can't approve their own", user: tt.Carol, url: api.TimesheetApproveRoute, body: `{}`, from: "submitted",
			status: 403, state: "submitted"},
		{name: "a member who can't see it learns nothing", user: tt.Walt, url: api.TimesheetApproveRoute, body: `{}`, from: "submitted",
			status: 404, state: "submitted"},
		{name: "another organization learns nothing", user: tt.Dave, url: api.TimesheetRejectRoute, body: `{"reason":"x"}`, from: "submitted",
			status: 404, state: "submitted"},
		{name: "only submitted timesheets are approved", user: tt.Bob, url: api.TimesheetApproveRoute, body: `{}`, from: "rejected",
			status: 400, content: []string{"this one is rejected"}, state: "rejected"},
		{name: "a rejection needs a reason", user: tt.Bob, url: api.TimesheetRejectRoute, body: `{"reason":"  "}`, from: "submitted",
			status: 400, content: []string{"Say why"}, state: "submitted"},
		{name: "a manager rejects", user: tt.Bob, url: api.TimesheetRejectRoute, body: `{"reason":"Missing Friday"}`, from: "submitted",
			status: 200, content: []string{`"status":"rejected"`, `"reason":"Missing Friday"`}, state: "rejected"},
		{name: "rejecting an approved timesheet reopens it", user: tt.Alice, url: api.TimesheetRejectRoute, body: `{"reason":"Fix Monday"}`,
			from: "approved", status: 200, state: "rejected"},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodPost, URL: strings.Replace(tc.url, "{id}", plantedSheet, 1), Body: strings.NewReader(tc.body),
			Headers: fx.Auth(t, tc.user), TestAppFactory: factory, ExpectedStatus: tc.status, ExpectedContent: tc.content,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { plantSheet(t, app, tc.from) },
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				if got := sheetStatus(t, app, tt.Carol, "2026-11-02"); got != tc.state {
					t.Errorf("timesheet is %q, want %q", got, tc.state)
				}
			},
		}
		if tc.content == nil {
			sc.ExpectedContent = []string{`"status":`}
		}
		sc.Test(t)
	}
}

// TestApprovedTimeLocked: nothing adds, changes or deletes a member's time
// inside their approved timesheet, whichever way it comes; a rejection
// unlocks it; other members' time in the same days stays editable.
func TestApprovedTimeLocked(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	app := fx.App(t)
	defer app.Cleanup()
	plantSheet(t, app, "approved")
	plantRequest(t, app)
	hookstest. // 10 November: outside the period
			SetFields(t, app, schema.TimeRequests, "treqcarol000001", map[string]any{
			"start": time.Date(2026, 11, 4, 10, 0, 0, 0, time.UTC), "end": time.Date(2026, 11, 4, 10, 30, 0, 0, time.UTC),
		})
	h := tt.Handler(t, app)
	act := tt.DataID("act", tt.Carol, tt.ProjA)
	shot := tt.DataID("shot", tt.Carol, tt.ProjA)
	locked := "This time is in an approved timesheet (2026-11-02 – 2026-11-08)."
	seededSlot := ingest.Activity{ClientID: act, Org: tt.Acme, Project: tt.ProjA, SlotStart: tt.Slot,
		TrackedSeconds: 600, KeyboardSeconds: 300, MouseSeconds: 400, ActiveSeconds: 500}
	changed := seededSlot
	changed.TrackedSeconds = 550
	newSlot := seededSlot
	newSlot.ClientID, newSlot.SlotStart = "locked-new-slot", tt.Slot.Add(24*time.Hour)
	steps := []struct {
		name, user, method, url, body string
		status                        int
		content                       string
	}{
		{"the agent uploads a new slot", tt.Carol, "POST", ingest.ActivitiesRoute, tt.ActivityBody(newSlot), 409, locked},
		{"the agent re-uploads a stored slot unchanged", tt.Carol, "POST", ingest.ActivitiesRoute, tt.ActivityBody(seededSlot), 200, `"tracked_seconds":600`},
		{"the agent changes a stored slot", tt.Carol, "POST", ingest.ActivitiesRoute, tt.ActivityBody(changed), 409, locked},
		{"manual time", tt.Carol, "POST", hookstest.OrgURL(api.ManualTimeRoute, tt.Acme), hookstest.ManualBody("", tt.ProjA, tt.Slot.Add(time.Hour), tt.Slot.Add(90*time.Minute), ""), 409, locked},
		{"approving a request", tt.Bob, "POST", strings.Replace(api.ApproveTimeRequestRoute, "{id}", "treqcarol000001", 1), `{}`, 409, locked},
		{"editing an activity", tt.Alice, "PATCH", hookstest.RecordsURL(schema.Activities) + "/" + act, `{"tracked_seconds":100}`, 409, locked},
		{"reassigning a block", tt.Alice, "POST", strings.Replace(api.ReassignRoute, "{id}", act, 1), `{"project":"` + tt.ProjA + `","task":"` + tt.TaskA + `"}`, 409, locked},
		{"deleting an activity", tt.Alice, "DELETE", hookstest.RecordsURL(schema.Activities) + "/" + act, "", 409, locked},
		{"deleting a screenshot with its time block", tt.Carol, "DELETE", hookstest.RecordsURL(schema.Screenshots) + "/" + shot, "", 409, locked},
		{"another member's time the same day", tt.Alice, "PATCH", hookstest.RecordsURL(schema.Activities) + "/" + tt.DataID("act", tt.Walt, tt.ProjA), `{"tracked_seconds":100}`, 200, ""},
		{"a rejection unlocks it", tt.Bob, "POST", strings.Replace(api.TimesheetRejectRoute, "{id}", plantedSheet, 1), `{"reason":"Fix it"}`, 200, ""},
		{"deleting the activity again", tt.Alice, "DELETE", hookstest.RecordsURL(schema.Activities) + "/" + act, "", 204, ""},
	}
	for _, s := range steps {
		status, _, body := tt.Send(h, tt.JSONRequest(s.method, s.url, s.body, fx.Token(t, s.user)))
		if status != s.status || !strings.Contains(body, s.content) {
			t.Errorf("%s: %d %.300s, want %d with %q", s.name, status, body, s.status, s.content)
		}
	}
	if hookstest.ManualCount(t, app, tt.Carol) != 0 {
		t.Errorf("manual time was added to a locked period")
	}
}
