package org_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

var acmeMembers = []string{tt.Alice, tt.Bob, tt.Carol, tt.Nia, tt.Pam, tt.Tess, tt.Vic, tt.Walt, tt.Zoe}

// seedMore saves records after the fixture, through the app and its hooks.
func seedMore(steps ...func(s *tt.Seeder)) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		s := &tt.Seeder{App: app}
		for _, step := range steps {
			step(s)
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// setField changes one field of a seeded record before the request.
func setField(collection, id, field string, value any) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		r, err := app.FindRecordById(collection, id)
		if err != nil {
			t.Fatal(err)
		}
		r.Set(field, value)
		if err := app.Save(r); err != nil {
			t.Fatalf("set %s.%s of %s: %v", collection, field, id, err)
		}
	}
}

func TestPeopleRoute(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	cases := []struct {
		name   string
		user   string
		before func(testing.TB, *tests.TestApp, *core.ServeEvent)
		status int
		ids    []string // exactly these people, in this order
		full   bool     // with e-mails, roles and statuses
		check  func(t testing.TB, items map[string]api.Person)
	}{
		{
			name: "owner sees every member with e-mail and role", user: tt.Alice, status: 200, ids: acmeMembers, full: true,
			check: func(t testing.TB, items map[string]api.Person) {
				if p := items[tt.Bob]; p.Role != "manager" || p.Status != "active" || p.Email != tt.Bob+"@example.test" || p.Name != tt.Bob {
					t.Errorf("Bob = %+v", p)
				}
			},
		},
		{
			name: "names in the order a person reads them, accents and case included", user: tt.Alice, status: 200, full: true,
			ids: []string{tt.Nia, tt.Bob, tt.Alice, tt.Pam, tt.Tess, tt.Vic, tt.Walt, tt.Zoe, tt.Carol},
			before: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				for id, name := range map[string]string{tt.Nia: "Adam", tt.Bob: "Émile", tt.Carol: "zoë"} {
					setField(schema.Users, id, "name", name)(t, app, e)
				}
			},
		},
		{
			name: "manager sees members that aren't active too", user: tt.Bob, status: 200, ids: acmeMembers, full: true,
			before: setField(schema.Memberships, tt.MembershipID(tt.Nia), "status", "invited"),
			check: func(t testing.TB, items map[string]api.Person) {
				if items[tt.Nia].Status != "invited" {
					t.Errorf("Nia = %+v", items[tt.Nia])
				}
			},
		},
		{
			name: "without a name, owners see the e-mail's local part", user: tt.Alice, status: 200, ids: acmeMembers, full: true,
			before: setField(schema.Users, tt.Walt, "name", ""),
			check: func(t testing.TB, items map[string]api.Person) {
				if items[tt.Walt].Name != tt.Walt {
					t.Errorf("Walt = %+v", items[tt.Walt])
				}
			},
		},
		{
			name: "plain user on no team sees only themself, e-mail and all", user: tt.Carol, status: 200, ids: []string{tt.Carol},
			check: func(t testing.TB, items map[string]api.Person) {
				if p := items[tt.Carol]; p.Email != tt.Carol+"@example.test" || p.Role != "user" || p.Status != "active" {
					t.Errorf("Carol = %+v", p)
				}
			},
		},
		{
			name: "plain user sees teammates' names, not their e-mails or roles", user: tt.Carol, status: 200,
			ids: []string{tt.Carol, tt.Nia},
			before: seedMore(func(s *tt.Seeder) {
				s.Create(schema.TeamMembers, "tmcarolteamu001", map[string]any{"org": tt.Acme, "team": tt.TeamU, "user": tt.Carol})
			}),
		},
		{
			name: "team member sees their team, not the projects' other members", user: tt.Walt, status: 200,
			ids: []string{tt.Tess, tt.Walt, tt.Zoe},
		},
		{
			// Pam may add people to her project, so she picks from everyone.
			name: "project manager sees every member's name, not their e-mail", user: tt.Pam, status: 200,
			ids: acmeMembers,
		},
		{
			name: "project viewer sees their project's members", user: tt.Vic, status: 200,
			ids: []string{tt.Carol, tt.Pam, tt.Vic, tt.Walt},
		},
		{
			// Tess may add people to her team, so she picks from everyone.
			name: "team lead sees every member's name; an unnamed member is just Member", user: tt.Tess, status: 200,
			ids:    append([]string{tt.Zoe}, acmeMembers[:len(acmeMembers)-1]...), // "Member" sorts first
			before: setField(schema.Users, tt.Zoe, "name", ""),
			check: func(t testing.TB, items map[string]api.Person) {
				if items[tt.Zoe].Name != "Member" {
					t.Errorf("Zoe = %+v", items[tt.Zoe])
				}
			},
		},
		{
			name: "no one from another organization, even on a team by a forged row", user: tt.Walt, status: 200,
			ids: []string{tt.Tess, tt.Walt, tt.Zoe},
			before: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				c, _ := app.FindCollectionByNameOrId(schema.TeamMembers)
				r := core.NewRecord(c)
				r.Load(map[string]any{"org": tt.Acme, "team": tt.TeamT, "user": tt.Dave})
				if err := app.SaveNoValidate(r); err != nil {
					t.Fatal(err)
				}
			},
		},
		{name: "another organization's owner gets 404", user: tt.Dave, status: 404},
		{name: "a member of nothing gets 404", user: tt.Erin, status: 404},
		{name: "signing in is required", status: 401},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodGet, URL: hookstest.OrgURL(api.PeopleRoute, tt.Acme),
			ExpectedStatus: tc.status, TestAppFactory: factory, BeforeTestFunc: tc.before,
		}
		if tc.user != "" {
			sc.Headers = fx.Auth(t, tc.user)
		}
		if tc.status != 200 {
			sc.ExpectedContent = []string{`"data":{}`}
			sc.NotExpectedContent = []string{"example.test", `"items"`}
			sc.Test(t)
			continue
		}
		sc.ExpectedContent = []string{`"items":[`}
		sc.NotExpectedContent = []string{tt.Dave, tt.Erin}
		sc.AfterTestFunc = func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			got := hookstest.Decoded[api.People](t, res)
			var ids []string
			byID := map[string]api.Person{}
			for _, p := range got.Items {
				ids = append(ids, p.ID)
				byID[p.ID] = p
				hidden := p.Email == "" && p.Role == "" && p.Status == ""
				if self := p.ID == tc.user; !self && hidden == tc.full {
					t.Errorf("%s: e-mail, role and status shown = %v, want %v: %+v", p.ID, !hidden, tc.full, p)
				}
				if p.Name == "" {
					t.Errorf("%s has no name", p.ID)
				}
			}
			// Seeded names are the ids, so name order is id order.
			if !slices.Equal(ids, tc.ids) {
				t.Errorf("people %v, want %v", ids, tc.ids)
			}
			if tc.check != nil {
				tc.check(t, byID)
			}
		}
		sc.Test(t)
	}
}
