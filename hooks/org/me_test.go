package org_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/perms"
)

func withToggles(on bool) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { hookstest.SetToggles(t, app, on) }
}

func TestMeRoute(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	viewScreenshots := string(perms.ViewScreenshots)
	cases := []struct {
		name    string
		user    string // "" sends no token
		org     string
		toggles bool
		status  int
		check   func(t testing.TB, me api.Me)
	}{
		{
			name: "owner reaches every screenshot and edits the organization", user: tt.Alice, org: tt.Acme, status: 200,
			check: func(t testing.TB, me api.Me) {
				if me.Org != (api.OrgSummary{ID: tt.Acme, Name: "Acme", Timezone: "UTC"}) || me.User != tt.Alice || me.Role != "owner" {
					t.Errorf("org/user/role = %+v %s %s", me.Org, me.User, me.Role)
				}
				if me.Zone.Name != "UTC" || len(me.Zone.Changes) != 1 || me.Zone.Changes[0][1] != 0 {
					t.Errorf("zone = %+v, want UTC's one offset, 0", me.Zone)
				}
				expectScope(t, me, viewScreenshots, &api.FeatureScope{All: true})
				expectScope(t, me, string(perms.EditOrganization), &api.FeatureScope{All: true})
				expectScope(t, me, string(perms.InviteUsers), &api.FeatureScope{All: true})
			},
		},
		{
			name: "manager doesn't see screenshots while the owner hasn't enabled it", user: tt.Bob, org: tt.Acme, status: 200,
			check: func(t testing.TB, me api.Me) {
				if me.Role != "manager" {
					t.Errorf("role = %q", me.Role)
				}
				expectScope(t, me, viewScreenshots, nil)
				expectScope(t, me, string(perms.EditOrganization), nil)
				expectScope(t, me, string(perms.ViewOrganizationMembers), &api.FeatureScope{All: true})
			},
		},
		{
			name: "manager sees every screenshot once enabled", user: tt.Bob, org: tt.Acme, toggles: true, status: 200,
			check: func(t testing.TB, me api.Me) {
				expectScope(t, me, viewScreenshots, &api.FeatureScope{All: true})
			},
		},
		{
			name: "plain user reaches their own screenshots only", user: tt.Carol, org: tt.Acme, status: 200,
			check: func(t testing.TB, me api.Me) {
				if me.Role != "user" || me.ProjectRoles[tt.ProjA] != "user" || len(me.ProjectRoles) != 1 {
					t.Errorf("role %q, project roles %v", me.Role, me.ProjectRoles)
				}
				if len(me.LedTeams) != 0 || len(me.Teams) != 0 {
					t.Errorf("teams %v, led %v", me.Teams, me.LedTeams)
				}
				expectScope(t, me, viewScreenshots, &api.FeatureScope{Self: true})
				expectScope(t, me, string(perms.ViewOrganizationMembers), nil)
				expectScope(t, me, string(perms.InviteUsers), nil)
				expectScope(t, me, string(perms.EditOrganization), nil)
			},
		},
		{
			name: "project manager reaches their project's screenshots and their own", user: tt.Pam, org: tt.Acme, status: 200,
			check: func(t testing.TB, me api.Me) {
				if me.ProjectRoles[tt.ProjA] != "manager" {
					t.Errorf("project roles %v", me.ProjectRoles)
				}
				expectScope(t, me, viewScreenshots, &api.FeatureScope{Self: true, Projects: []string{tt.ProjA}})
				expectScope(t, me, string(perms.ViewProjectMembers), &api.FeatureScope{Projects: []string{tt.ProjA}})
			},
		},
		{
			name: "team lead can't invite while the toggle is off", user: tt.Tess, org: tt.Acme, status: 200,
			check: func(t testing.TB, me api.Me) {
				if !slices.Equal(me.LedTeams, []string{tt.TeamT}) || !slices.Equal(me.Teams, []string{tt.TeamT}) {
					t.Errorf("led %v, teams %v", me.LedTeams, me.Teams)
				}
				expectScope(t, me, string(perms.InviteUsers), nil)
			},
		},
		{
			name: "team lead invites into their team once enabled", user: tt.Tess, org: tt.Acme, toggles: true, status: 200,
			check: func(t testing.TB, me api.Me) {
				expectScope(t, me, string(perms.InviteUsers), &api.FeatureScope{
					Self: true, Projects: []string{tt.ProjA}, Users: []string{tt.Walt, tt.Zoe}, Teams: []string{tt.TeamT},
				})
			},
		},
		{
			name: "team member lists the team, leading none", user: tt.Walt, org: tt.Acme, status: 200,
			check: func(t testing.TB, me api.Me) {
				if len(me.LedTeams) != 0 || !slices.Equal(me.Teams, []string{tt.TeamT}) {
					t.Errorf("led %v, teams %v", me.LedTeams, me.Teams)
				}
			},
		},
		{name: "another organization's owner gets 404", user: tt.Dave, org: tt.Acme, status: 404},
		{name: "a member of nothing gets 404", user: tt.Erin, org: tt.Acme, status: 404},
		{name: "an unknown organization is 404 like a foreign one", user: tt.Alice, org: "orgnothere00001", status: 404},
		{name: "signing in is required", org: tt.Acme, status: 401},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodGet, URL: hookstest.OrgURL(api.MeRoute, tc.org),
			ExpectedStatus: tc.status, TestAppFactory: factory, BeforeTestFunc: withToggles(tc.toggles),
		}
		if tc.user != "" {
			sc.Headers = fx.Auth(t, tc.user)
		}
		if tc.status == 200 {
			sc.ExpectedContent = []string{`"features":{`}
			check := tc.check
			sc.AfterTestFunc = func(t testing.TB, _ *tests.TestApp, res *http.Response) { check(t, hookstest.Decoded[api.Me](t, res)) }
		} else {
			sc.ExpectedContent = []string{`"data":{}`}
			sc.NotExpectedContent = []string{"Acme", `"features"`}
		}
		sc.Test(t)
	}
}

// expectScope checks one feature's entry; nil means it must be left out.
func expectScope(t testing.TB, me api.Me, feature string, want *api.FeatureScope) {
	t.Helper()
	got, ok := me.Features[feature]
	if want == nil {
		if ok {
			t.Errorf("%s: %+v, want it left out", feature, got)
		}
		return
	}
	norm := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	w := *want
	w.Projects, w.Users, w.Teams = norm(w.Projects), norm(w.Users), norm(w.Teams)
	if !ok || got.All != w.All || got.Self != w.Self || got.Limited != w.Limited ||
		!slices.Equal(got.Projects, w.Projects) || !slices.Equal(got.Users, w.Users) || !slices.Equal(got.Teams, w.Teams) {
		t.Errorf("%s: %+v (present %v), want %+v", feature, got, ok, w)
	}
}

// TestMeMatchesMatrix compares every feature of every seeded role with the
// matrix's own Scope for the hand-written actor of matrix_test.go.
func TestMeMatchesMatrix(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	m := perms.Default()
	for _, p := range hookstest.People() {
		for _, on := range []bool{false, true} {
			t.Run(string(p.Column)+map[bool]string{false: "/toggles off", true: "/toggles on"}[on], func(t *testing.T) {
				app := fx.App(t)
				defer app.Cleanup()
				hookstest.SetToggles(t, app, on)
				status, body := tt.Do(t, app, http.MethodGet, hookstest.OrgURL(api.MeRoute, tt.Acme), "", fx.Token(t, p.User))
				if status != http.StatusOK {
					t.Fatalf("status %d: %s", status, body)
				}
				var me api.Me
				if err := json.Unmarshal([]byte(body), &me); err != nil {
					t.Fatal(err)
				}
				present := 0
				for _, f := range perms.AllFeatures() {
					sc := m.Scope(p.Actor, f, hookstest.SettingsFor(on))
					if sc.Empty() {
						expectScope(t, me, string(f), nil)
						continue
					}
					present++
					expectScope(t, me, string(f), &api.FeatureScope{
						All: sc.All, Self: sc.Self, Projects: sc.Projects, Users: sc.Users, Teams: sc.Teams, Limited: sc.Limited,
					})
				}
				if len(me.Features) != present {
					t.Errorf("%d features, want %d", len(me.Features), present)
				}
			})
		}
	}
}
