package gate_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func TestCrossOrganizationIntegrity(t *testing.T) {
	const url = "/api/collections/project_members/records"
	body := func(org, project, user string) *strings.Reader {
		return strings.NewReader(`{"org":"` + org + `","project":"` + project + `","user":"` + user + `","role":"user"}`)
	}
	expectProjectMembers := func(want int) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if n := hookstest.Count(t, app, schema.ProjectMembers, "1=1", nil); n != want {
				t.Fatalf("project members = %d, want %d", n, want)
			}
		}
	}
	scenarios := []tests.ApiScenario{
		{
			Name:            "member of the organization joins one of its projects",
			Method:          http.MethodPost,
			URL:             url,
			Body:            body(tocktest.Acme, tocktest.AcmeWeb, tocktest.Carol),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"project":"` + tocktest.AcmeWeb + `"`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectProjectMembers(1),
		},
		{
			Name:            "a project of another organization is as unknown as a missing one",
			Method:          http.MethodPost,
			URL:             url,
			Body:            body(tocktest.Acme, tocktest.GlobexApp, tocktest.Carol),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"project":{"code":"validation_missing_rel_records"`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectProjectMembers(0),
		},
		{
			Name:            "a non-member can't be put on a project",
			Method:          http.MethodPost,
			URL:             url,
			Body:            body(tocktest.Acme, tocktest.AcmeWeb, tocktest.Dave),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"user":{"code":"validation_not_member"`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectProjectMembers(0),
		},
		{
			Name:            "a project can't be moved to another organization",
			Method:          http.MethodPatch,
			URL:             "/api/collections/projects/records/" + tocktest.AcmeWeb,
			Body:            strings.NewReader(`{"org":"` + tocktest.Globex + `"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"org":{"code":"validation_immutable"`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				p, err := app.FindRecordById(schema.Projects, tocktest.AcmeWeb)
				if err != nil || p.GetString("org") != tocktest.Acme {
					t.Fatalf("project moved or lost: %v", err)
				}
			},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
