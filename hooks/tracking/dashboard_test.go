package tracking_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// The matrix seed's day: everyone who tracks has one slot of A at 09:00,
// Walt one of B too.
const seedDay = "?day=2026-11-02"

func TestTeamDashboard(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	everyone := []string{tt.Alice, tt.Bob, tt.Carol, tt.Pam, tt.Tess, tt.Walt}
	cases := []struct {
		name, user, query string
		status            int
		members           []string
		waltProjects      []string
	}{
		{name: "owner sees everyone", user: tt.Alice, query: seedDay, status: 200, members: everyone, waltProjects: []string{tt.ProjA, tt.ProjB}},
		{name: "manager sees everyone", user: tt.Bob, query: seedDay, status: 200, members: everyone, waltProjects: []string{tt.ProjA, tt.ProjB}},
		{name: "project manager sees their project only", user: tt.Pam, query: seedDay, status: 200, members: everyone, waltProjects: []string{tt.ProjA}},
		{name: "team lead sees their team's projects and members", user: tt.Tess, query: seedDay, status: 200, members: everyone, waltProjects: []string{tt.ProjA, tt.ProjB}},
		{name: "another day is empty", user: tt.Alice, query: "?day=2026-11-03", status: 200, members: nil},
		{name: "a plain user may not", user: tt.Carol, query: seedDay, status: 403},
		{name: "a project viewer may not", user: tt.Vic, query: seedDay, status: 403},
		{name: "a bad day is a 400", user: tt.Alice, query: "?day=2026-13-40", status: 400},
		{name: "another organization's owner gets 404", user: tt.Dave, query: seedDay, status: 404},
		{name: "a member of nothing gets 404", user: tt.Erin, query: seedDay, status: 404},
		{name: "signing in is required", query: seedDay, status: 401},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodGet, URL: hookstest.OrgURL(api.TeamDashboardRoute, tt.Acme) + tc.query,
			ExpectedStatus: tc.status, TestAppFactory: factory,
		}
		if tc.user != "" {
			sc.Headers = fx.Auth(t, tc.user)
		}
		if tc.status != 200 {
			sc.ExpectedContent = []string{`"data":{}`}
			sc.NotExpectedContent = []string{`"members"`}
			sc.Test(t)
			continue
		}
		sc.ExpectedContent = []string{`"members":[`}
		sc.AfterTestFunc = func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			got := hookstest.Decoded[api.TeamDashboard](t, res)
			var ids []string
			for _, m := range got.Members {
				ids = append(ids, m.User)
				if m.User == tt.Walt {
					var ps []string
					for _, p := range m.Projects {
						ps = append(ps, p.Project)
					}
					slices.Sort(ps)
					if !slices.Equal(ps, tc.waltProjects) {
						t.Errorf("Walt's projects %v, want %v", ps, tc.waltProjects)
					}
					if want := 600 * len(tc.waltProjects); m.Tracked != want || m.Active != 500*len(tc.waltProjects) {
						t.Errorf("Walt's totals %+v, want %d s tracked", m.Totals, want)
					}
				}
				if m.Working {
					t.Errorf("%s working now on a day long past", m.User)
				}
			}
			if !slices.Equal(ids, tc.members) {
				t.Errorf("members %v, want %v", ids, tc.members)
			}
		}
		sc.Test(t)
	}
}

func TestMeDashboard(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	cases := []struct {
		name, user string
		status     int
		today      int
		projects   []string
	}{
		{name: "a member sees their own day and week", user: tt.Carol, status: 200, today: 600, projects: []string{tt.ProjA}},
		{name: "both of Walt's projects", user: tt.Walt, status: 200, today: 1200, projects: []string{tt.ProjA, tt.ProjB}},
		{name: "a viewer who never tracks sees zeros", user: tt.Vic, status: 200, projects: nil},
		{name: "another organization's owner gets 404", user: tt.Dave, status: 404},
		{name: "signing in is required", status: 401},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodGet, URL: hookstest.OrgURL(api.MeDashboardRoute, tt.Acme) + seedDay,
			ExpectedStatus: tc.status, TestAppFactory: factory,
		}
		if tc.user != "" {
			sc.Headers = fx.Auth(t, tc.user)
		}
		if tc.status != 200 {
			sc.ExpectedContent = []string{`"data":{}`}
			sc.Test(t)
			continue
		}
		sc.ExpectedContent = []string{`"week":"2026-11-02"`}
		sc.AfterTestFunc = func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			got := hookstest.Decoded[api.MeDashboard](t, res)
			if got.Today.Tracked != tc.today || got.ThisWeek.Tracked != tc.today {
				t.Errorf("today %+v, week %+v, want %d s", got.Today, got.ThisWeek, tc.today)
			}
			var ps []string
			for _, p := range got.Projects {
				ps = append(ps, p.Project)
			}
			slices.Sort(ps)
			if !slices.Equal(ps, tc.projects) {
				t.Errorf("projects %v, want %v", ps, tc.projects)
			}
		}
		sc.Test(t)
	}
}

// TestTeamDashboardPastMidnight: at 00:05 someone whose last slot began at
// 23:50 is at work in a slot not sent yet (a slot is sent once it closes):
// today's dashboard lists them working with no time today, within the
// requester's scope only; ten minutes later they have stopped.
func TestTeamDashboardPastMidnight(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	midnight := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	factory := func(now time.Time) func(testing.TB) *tests.TestApp {
		return func(t testing.TB) *tests.TestApp {
			cfg := tt.Config()
			cfg.Now = func() time.Time { return now }
			app, _ := fx.AppWith(t, cfg)
			hookstest.Plant(t, app,
				hookstest.Act{User: tt.Carol, Project: tt.ProjA, Start: midnight.Add(-10 * time.Minute), Tracked: 600, Active: 300},
				hookstest.Act{User: tt.Walt, Project: tt.ProjB, Start: midnight.Add(-10 * time.Minute), Tracked: 600, Active: 300},
				hookstest.Act{User: tt.Bob, Project: tt.ProjA, Start: midnight.Add(-40 * time.Minute), Tracked: 600, Active: 300})
			return app
		}
	}
	type row struct {
		user    string
		working bool
		tracked int
	}
	cases := []struct {
		name, user, query string
		now               time.Time
		want              []row
	}{
		{name: "at 00:05 the owner sees both still at work", user: tt.Alice, now: midnight.Add(5 * time.Minute),
			want: []row{{tt.Carol, true, 0}, {tt.Walt, true, 0}}},
		{name: "at 00:05 a project manager of A sees Carol, not Walt in B", user: tt.Pam, now: midnight.Add(5 * time.Minute),
			want: []row{{tt.Carol, true, 0}}},
		{name: "at 00:15 they have stopped", user: tt.Alice, now: midnight.Add(15 * time.Minute), want: nil},
		{name: "the day before, at 00:05, holds their slots", user: tt.Pam, query: "?day=2026-11-02", now: midnight.Add(5 * time.Minute),
			want: []row{{tt.Alice, false, 600}, {tt.Bob, false, 1200}, {tt.Carol, true, 1200}, {tt.Pam, false, 600}, {tt.Tess, false, 600}, {tt.Walt, false, 600}}},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodGet, URL: hookstest.OrgURL(api.TeamDashboardRoute, tt.Acme) + tc.query,
			Headers: fx.Auth(t, tc.user), ExpectedStatus: 200, ExpectedContent: []string{`"members":[`},
			TestAppFactory: factory(tc.now),
		}
		sc.AfterTestFunc = func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			var got []row
			for _, m := range hookstest.Decoded[api.TeamDashboard](t, res).Members {
				got = append(got, row{m.User, m.Working, m.Tracked})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("members %v, want %v", got, tc.want)
			}
		}
		sc.Test(t)
	}
}
