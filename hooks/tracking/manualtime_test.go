package tracking_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestManualTime: who adds manual time for whom, in each manual_time mode,
// and what input is refused without changing anything.
func TestManualTime(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	at := time.Date(2026, 11, 10, 9, 5, 0, 0, time.UTC)
	hour := at.Add(30 * time.Minute)
	cases := []struct {
		name    string
		user    string
		mode    string
		body    string
		status  int
		content []string
		manual  map[string]int // manual activities per member afterwards
		request int            // time requests afterwards
	}{
		{name: "a user adds their own time, one activity per slot it covers", user: tt.Carol,
			body: hookstest.ManualBody("", tt.ProjA, at, hour, "Client call"), status: 200,
			content: []string{`"activities":[`, `"source":"manual"`, `"tracked_seconds":300`, `"tracked_seconds":600`, `"slot_start":"2026-11-10 09:00:00.000Z"`, `"slot_start":"2026-11-10 09:30:00.000Z"`},
			manual:  map[string]int{tt.Carol: 4}},
		{name: "a user can't add time for someone else", user: tt.Carol, body: hookstest.ManualBody(tt.Walt, tt.ProjA, at, hour, ""),
			status: 403, manual: map[string]int{tt.Walt: 0}},
		{name: "a project manager adds time for a member of their project", user: tt.Pam, body: hookstest.ManualBody(tt.Walt, tt.ProjA, at, hour, ""),
			status: 200, manual: map[string]int{tt.Walt: 4}},
		{name: "a project manager can't add time in another project", user: tt.Pam, body: hookstest.ManualBody(tt.Walt, tt.ProjB, at, hour, ""),
			status: 403, manual: map[string]int{tt.Walt: 0}},
		{name: "a manager adds time for anyone", user: tt.Bob, body: hookstest.ManualBody(tt.Walt, tt.ProjB, at, hour, ""),
			status: 200, manual: map[string]int{tt.Walt: 4}},
		{name: "a viewer never has time", user: tt.Vic, body: hookstest.ManualBody("", tt.ProjA, at, hour, ""),
			status: 400, content: []string{"doesn't track time to this project"}, manual: map[string]int{tt.Vic: 0}},
		{name: "another organization's project", user: tt.Bob, body: hookstest.ManualBody("", tt.ProjG, at, hour, ""),
			status: 400, content: []string{"roject must be one of the organization's projects."}, manual: map[string]int{tt.Bob: 0}},
		{name: "a non-member learns nothing", user: tt.Dave, body: hookstest.ManualBody("", tt.ProjA, at, hour, ""), status: 404},
		{name: "end before start", user: tt.Carol, body: hookstest.ManualBody("", tt.ProjA, hour, at, ""),
			status: 400, content: []string{"nd must be after start."}, manual: map[string]int{tt.Carol: 0}},
		{name: "longer than a day", user: tt.Carol, body: hookstest.ManualBody("", tt.ProjA, at, at.Add(25*time.Hour), ""),
			status: 400, content: []string{"at most 24 hours"}, manual: map[string]int{tt.Carol: 0}},
		{name: "in the future", user: tt.Carol, body: hookstest.ManualBody("", tt.ProjA, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), ""),
			status: 400, content: []string{"can't be in the future"}, manual: map[string]int{tt.Carol: 0}},
		{name: "overlapping recorded time on the project", user: tt.Carol,
			body:   hookstest.ManualBody("", tt.ProjA, tt.Slot.Add(-5*time.Minute), tt.Slot.Add(5*time.Minute), ""),
			status: 400, content: []string{"overlaps time already recorded"}, manual: map[string]int{tt.Carol: 0}},
		{name: "malformed times", user: tt.Carol, body: `{"project":"` + tt.ProjA + `","start":"yesterday","end":"now"}`,
			status: 400, manual: map[string]int{tt.Carol: 0}},
		{name: "approval mode: a user's time becomes a request", user: tt.Carol, mode: schema.ManualTimeApproval,
			body: hookstest.ManualBody("", tt.ProjA, at, hour, "Client call"), status: 202,
			content: []string{`"status":"pending"`, `"note":"Client call"`, `"collectionName":"time_requests"`},
			manual:  map[string]int{tt.Carol: 0}, request: 1},
		{name: "approval mode: an approver adds time at once", user: tt.Bob, mode: schema.ManualTimeApproval,
			body: hookstest.ManualBody(tt.Carol, tt.ProjA, at, hour, ""), status: 200, manual: map[string]int{tt.Carol: 4}},
		{name: "off: a user can't add time", user: tt.Carol, mode: schema.ManualTimeOff,
			body: hookstest.ManualBody("", tt.ProjA, at, hour, ""), status: 403, content: []string{"Manual time is turned off in Acme"},
			manual: map[string]int{tt.Carol: 0}},
		{name: "off: an approver still adds time", user: tt.Alice, mode: schema.ManualTimeOff,
			body: hookstest.ManualBody(tt.Carol, tt.ProjA, at, hour, ""), status: 200, manual: map[string]int{tt.Carol: 4}},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodPost, URL: hookstest.OrgURL(api.ManualTimeRoute, tt.Acme), Body: strings.NewReader(tc.body),
			Headers: fx.Auth(t, tc.user), TestAppFactory: factory, ExpectedStatus: tc.status, ExpectedContent: tc.content,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				if tc.mode != "" {
					hookstest.SetFields(t, app, schema.Organizations, tt.Acme, map[string]any{"manual_time": tc.mode})
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				for user, want := range tc.manual {
					if got := hookstest.ManualCount(t, app, user); got != want {
						t.Errorf("%s has %d manual activities, want %d", user, got, want)
					}
				}
				if got := hookstest.Count(t, app, schema.TimeRequests, "id != ''", nil); got != tc.request {
					t.Errorf("%d time requests, want %d", got, tc.request)
				}
			},
		}
		if tc.content == nil {
			sc.ExpectedContent = []string{`"status":`}
			if tc.status == 200 {
				sc.ExpectedContent = []string{`"activities":[`}
			}
		}
		sc.Test(t)
	}
}

// plantRequest files Carol's pending request for 10:00-10:30 on 10 November.
func plantRequest(t testing.TB, app core.App) *core.Record {
	t.Helper()
	s := &tt.Seeder{App: app}
	r := s.Create(schema.TimeRequests, "treqcarol000001", map[string]any{
		"org": tt.Acme, "user": tt.Carol, "project": tt.ProjA, "status": schema.RequestPending, "note": "Workshop",
		"start": time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC), "end": time.Date(2026, 11, 10, 10, 30, 0, 0, time.UTC),
	})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTimeRequestDecisions: approvers approve (adding the time in one go)
// or deny requests; the requester sees their own and can't decide them.
func TestTimeRequestDecisions(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	route := func(r, id string) string { return strings.Replace(r, "{id}", id, 1) }
	cases := []struct {
		name, user, url, body string
		before                func(t testing.TB, app core.App)
		status                int
		content               []string
		state                 string
		manual                int
	}{
		{name: "a manager approves", user: tt.Bob, url: api.ApproveTimeRequestRoute, body: `{"note":"ok"}`, status: 200,
			content: []string{`"request":{`, `"status":"approved"`, `"decision_note":"ok"`, `"activities":[`}, state: "approved", manual: 3},
		{name: "a manager denies with a note", user: tt.Bob, url: api.DenyTimeRequestRoute, body: `{"note":"No workshop that day"}`,
			status: 200, content: []string{`"status":"denied"`, `"decision_note":"No workshop that day"`}, state: "denied"},
		{name: "the requester can't approve their own", user: tt.Carol, url: api.ApproveTimeRequestRoute, body: `{}`,
			status: 403, state: "pending"},
		{name: "another member learns nothing", user: tt.Walt, url: api.ApproveTimeRequestRoute, body: `{}`, status: 404, state: "pending"},
		{name: "another organization learns nothing", user: tt.Dave, url: api.DenyTimeRequestRoute, body: `{}`, status: 404, state: "pending"},
		{name: "a decided request stays decided", user: tt.Alice, url: api.ApproveTimeRequestRoute, body: `{}`, status: 400,
			before: func(t testing.TB, app core.App) {
				hookstest.SetFields(t, app, schema.TimeRequests, "treqcarol000001", map[string]any{"status": "denied"})
			}, content: []string{"already denied"}, state: "denied"},
		{name: "approval refused when the slot has time meanwhile", user: tt.Alice, url: api.ApproveTimeRequestRoute, body: `{}`,
			status: 400, before: func(t testing.TB, app core.App) {
				hookstest.PlantTime(t, app, tt.Carol, tt.ProjA, time.Date(2026, 11, 10, 10, 20, 0, 0, time.UTC), 600, "tracked")
			}, content: []string{"overlaps"}, state: "pending"},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodPost, URL: route(tc.url, "treqcarol000001"), Body: strings.NewReader(tc.body),
			Headers: fx.Auth(t, tc.user), TestAppFactory: factory, ExpectedStatus: tc.status, ExpectedContent: tc.content,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				plantRequest(t, app)
				if tc.before != nil {
					tc.before(t, app)
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				r, err := app.FindRecordById(schema.TimeRequests, "treqcarol000001")
				if err != nil {
					t.Fatal(err)
				}
				if r.GetString("status") != tc.state {
					t.Errorf("request is %s, want %s", r.GetString("status"), tc.state)
				}
				if got := hookstest.ManualCount(t, app, tt.Carol); got != tc.manual {
					t.Errorf("Carol has %d manual activities, want %d", got, tc.manual)
				}
			},
		}
		if tc.content == nil {
			sc.ExpectedContent = []string{`"status":`}
		}
		sc.Test(t)
	}
}

// TestTimeRequestsListed: the requester and approvers list a request;
// other members don't.
func TestTimeRequestsListed(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	app := fx.App(t)
	defer app.Cleanup()
	plantRequest(t, app)
	h := tt.Handler(t, app)
	for user, want := range map[string]bool{tt.Carol: true, tt.Bob: true, tt.Alice: true, tt.Walt: false, tt.Pam: false, tt.Tess: false, tt.Dave: false} {
		status, _, body := tt.Send(h, tt.JSONRequest(http.MethodGet, hookstest.RecordsURL(schema.TimeRequests), "", fx.Token(t, user)))
		if got := strings.Contains(body, "treqcarol000001"); status != 200 || got != want {
			t.Errorf("%s lists Carol's request: %v (%d), want %v", user, got, status, want)
		}
	}
	hookstest.
		// A team lead whose toggle is on approves for their team's projects.
		SetToggles(t, app, true)
	status, _, body := tt.Send(h, tt.JSONRequest(http.MethodGet, hookstest.RecordsURL(schema.TimeRequests), "", fx.Token(t, tt.Tess)))
	if status != 200 || !strings.Contains(body, "treqcarol000001") {
		t.Errorf("a team lead with approvals enabled doesn't list a request in their project: %d %s", status, body)
	}
}

// TestDeleteTimeCascades: deleting a time block takes its screenshots and
// app usage with it, as Hubstaff does.
func TestDeleteTimeCascades(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	app := fx.App(t)
	defer app.Cleanup()
	act := tt.DataID("act", tt.Carol, tt.ProjA)
	status, body := tt.Do(t, app, http.MethodDelete, hookstest.RecordsURL(schema.Activities)+"/"+act, "", fx.Token(t, tt.Alice))
	if status != 204 {
		t.Fatalf("delete: %d %s", status, body)
	}
	for _, c := range []string{schema.Screenshots, schema.AppUsage} {
		if n, err := app.CountRecords(c, dbx.HashExp{"activity": act}); err != nil || n != 0 {
			t.Errorf("%d %s left of the deleted block (%v)", n, c, err)
		}
	}
}

// plantWaltsCall gives Walt manual time in A from 10:00 to 10:20 on
// 10 November, two slots with known ids, and a tracked slot at 11:00.
func plantWaltsCall(t testing.TB, app core.App) {
	t.Helper()
	s := &tt.Seeder{App: app}
	for i, id := range []string{"actwaltcall0001", "actwaltcall0002"} {
		s.Create(schema.Activities, id, map[string]any{"org": tt.Acme, "user": tt.Walt, "project": tt.ProjA, "source": "manual",
			"slot_start": time.Date(2026, 11, 10, 10, 10*i, 0, 0, time.UTC), "tracked_seconds": 600})
	}
	s.Create(schema.Activities, "actwalttracked1", map[string]any{"org": tt.Acme, "user": tt.Walt, "project": tt.ProjA, "source": "tracked",
		"slot_start": time.Date(2026, 11, 10, 11, 0, 0, 0, time.UTC), "tracked_seconds": 600})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestChangeManualTime: a block of manual time is edited by replacing its
// slots in one request (another project, start or end), by whoever may
// edit the member's time in both projects; anything refused leaves the
// block as it was.
func TestChangeManualTime(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	day := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	body := func(project string, from, to time.Duration, replace ...string) string {
		b := strings.TrimSuffix(hookstest.ManualBody(tt.Walt, project, day.Add(from), day.Add(to), ""), "}")
		r, _ := json.Marshal(replace)
		return b + `,"replace":` + string(r) + "}"
	}
	call := []string{"actwaltcall0001", "actwaltcall0002"}
	h := time.Hour
	cases := []struct {
		name, user, mode, body string
		status                 int
		content                []string
		inA, inB               int // Walt's manual slots in A and B afterwards
	}{
		{name: "the owner moves the call to B and makes it 10:00-10:30", user: tt.Alice, body: body(tt.ProjB, 10*h, 10*h+30*time.Minute, call...),
			status: 200, content: []string{`"activities":[`, `"project":"` + tt.ProjB + `"`}, inA: 0, inB: 3},
		{name: "a project manager shortens it within A", user: tt.Pam, body: body(tt.ProjA, 10*h, 10*h+10*time.Minute, call...),
			status: 200, inA: 1},
		{name: "a project manager of A can't move it to B", user: tt.Pam, body: body(tt.ProjB, 10*h, 10*h+20*time.Minute, call...),
			status: 403, inA: 2},
		{name: "a project viewer can't change it", user: tt.Vic, body: body(tt.ProjA, 10*h, 10*h+10*time.Minute, call...),
			status: 403, inA: 2},
		{name: "tracked time isn't replaced", user: tt.Alice, body: body(tt.ProjA, 11*h, 11*h+10*time.Minute, "actwalttracked1"),
			status: 400, content: []string{"eplace must list manual time"}, inA: 2},
		{name: "a refusal half-way undoes the deletions", user: tt.Alice, body: body(tt.ProjA, 10*h+50*time.Minute, 11*h+10*time.Minute, call...),
			status: 400, content: []string{"overlaps"}, inA: 2},
		{name: "malformed ids", user: tt.Alice, body: body(tt.ProjA, 10*h, 10*h+10*time.Minute, "../x"),
			status: 400, content: []string{"eplace must list activity ids"}, inA: 2},
		{name: "where manual time waits for approval, a user can't change theirs at once", user: tt.Pam, mode: schema.ManualTimeApproval,
			body: body(tt.ProjA, 10*h, 10*h+10*time.Minute, call...), status: 403, content: []string{"waits for an approver"}, inA: 2},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodPost, URL: hookstest.OrgURL(api.ManualTimeRoute, tt.Acme), Body: strings.NewReader(tc.body),
			Headers: fx.Auth(t, tc.user), TestAppFactory: factory, ExpectedStatus: tc.status, ExpectedContent: tc.content,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				plantWaltsCall(t, app)
				if tc.mode != "" {
					hookstest.SetFields(t, app, schema.Organizations, tt.Acme, map[string]any{"manual_time": tc.mode})
				}
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				for project, want := range map[string]int{tt.ProjA: tc.inA, tt.ProjB: tc.inB} {
					got := hookstest.Count(t, app, schema.Activities, "user = {:u} AND project = {:p} AND source = 'manual'", map[string]any{"u": tt.Walt, "p": project})
					if got != want {
						t.Errorf("Walt has %d manual slots in %s, want %d", got, project, want)
					}
				}
			},
		}
		if tc.content == nil {
			sc.ExpectedContent = []string{`"`}
		}
		sc.Test(t)
	}
}
