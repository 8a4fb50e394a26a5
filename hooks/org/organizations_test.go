package org_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func TestCreateOrganization(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:           "user creates an organization and becomes its owner",
			Method:         http.MethodPost,
			URL:            "/api/collections/organizations/records",
			Body:           strings.NewReader(`{"name":"Initech","timezone":"Europe/Berlin"}`),
			Headers:        hookstest.Fixture.Auth(t, tocktest.Erin),
			ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{
				`"name":"Initech"`, `"timezone":"Europe/Berlin"`,
				`"screenshots_per_slot":1`, `"idle_timeout_minutes":5`, `"retention_days":90`,
				`"allow_screenshot_delete":true`, `"managers_view_screenshots":false`,
			},
			TestAppFactory: hookstest.Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				org, err := app.FindFirstRecordByData(schema.Organizations, "name", "Initech")
				if err != nil {
					t.Fatalf("organization not stored: %v", err)
				}
				owners := hookstest.Count(t, app, schema.Memberships,
					"org = {:org} AND user = {:user} AND role = 'owner' AND status = 'active'",
					map[string]any{"org": org.Id, "user": tocktest.Erin})
				if owners != 1 {
					t.Fatalf("creator owner memberships = %d, want 1", owners)
				}
			},
		},
		{
			Name:            "explicit zero screenshots is kept, not replaced by the default",
			Method:          http.MethodPost,
			URL:             "/api/collections/organizations/records",
			Body:            strings.NewReader(`{"name":"Quiet","screenshots_per_slot":0}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Erin),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"screenshots_per_slot":0`, `"timezone":"UTC"`},
			TestAppFactory:  hookstest.Factory,
		},
		{
			Name:            "unknown time zone is a 400 and stores nothing",
			Method:          http.MethodPost,
			URL:             "/api/collections/organizations/records",
			Body:            strings.NewReader(`{"name":"Nowhere","timezone":"Mars/Olympus"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Erin),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"timezone"`, `validation_invalid_timezone`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectNoOrganization("Nowhere"),
		},
		{
			Name:            "screenshots per slot above 3 is a 400",
			Method:          http.MethodPost,
			URL:             "/api/collections/organizations/records",
			Body:            strings.NewReader(`{"name":"Greedy","screenshots_per_slot":4}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Erin),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"screenshots_per_slot"`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectNoOrganization("Greedy"),
		},
		{
			Name:            "anonymous request can't create an organization",
			Method:          http.MethodPost,
			URL:             "/api/collections/organizations/records",
			Body:            strings.NewReader(`{"name":"Anon"}`),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"data":{}`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectNoOrganization("Anon"),
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

func expectNoOrganization(name string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		if n := hookstest.Count(t, app, schema.Organizations, "name = {:name}", map[string]any{"name": name}); n != 0 {
			t.Fatalf("organization %q stored %d times, want none", name, n)
		}
		if n := hookstest.Count(t, app, schema.Memberships, "1=1", nil); n != 4 {
			t.Fatalf("memberships = %d, want the 4 seeded", n)
		}
	}
}

func TestOrganizationVisibility(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:               "member sees own organization",
			Method:             http.MethodGet,
			URL:                "/api/collections/organizations/records",
			Headers:            hookstest.Fixture.Auth(t, tocktest.Carol),
			ExpectedStatus:     http.StatusOK,
			ExpectedContent:    []string{`"totalItems":1`, `"id":"` + tocktest.Acme + `"`},
			NotExpectedContent: []string{tocktest.Globex},
			TestAppFactory:     hookstest.Factory,
		},
		{
			Name:            "non-member gets 404 for another organization, same as a missing one",
			Method:          http.MethodGet,
			URL:             "/api/collections/organizations/records/" + tocktest.Acme,
			Headers:         hookstest.Fixture.Auth(t, tocktest.Dave),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"data":{}`},
			TestAppFactory:  hookstest.Factory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
