package org_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

const membershipsURL = "/api/collections/memberships/records"

func TestMembershipChanges(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:            "owner adds a member; status defaults to active",
			Method:          http.MethodPost,
			URL:             membershipsURL,
			Body:            strings.NewReader(`{"org":"` + tocktest.Acme + `","user":"` + tocktest.Erin + `","role":"user"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"status":"active"`, `"role":"user"`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectMemberships(5),
		},
		{
			Name:            "unknown role is a 400 and changes nothing",
			Method:          http.MethodPost,
			URL:             membershipsURL,
			Body:            strings.NewReader(`{"org":"` + tocktest.Acme + `","user":"` + tocktest.Erin + `","role":"emperor"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"role":{"code":"validation_invalid_value"`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectMemberships(4),
		},
		{
			Name:            "second membership for the same user is a 400 and changes nothing",
			Method:          http.MethodPost,
			URL:             membershipsURL,
			Body:            strings.NewReader(`{"org":"` + tocktest.Acme + `","user":"` + tocktest.Carol + `","role":"manager"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`validation_not_unique`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectMemberships(4)(t, app, res)
				expectRole(t, app, tocktest.CarolInAcme, "user")
			},
		},
		{
			Name:            "owner of one organization can't add members to another",
			Method:          http.MethodPost,
			URL:             membershipsURL,
			Body:            strings.NewReader(`{"org":"` + tocktest.Globex + `","user":"` + tocktest.Alice + `","role":"owner"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"data":{}`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectMemberships(4),
		},
		{
			Name:            "the last owner can't be demoted",
			Method:          http.MethodPatch,
			URL:             membershipsURL + "/" + tocktest.AliceInAcme,
			Body:            strings.NewReader(`{"role":"manager"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{"at least one active owner"},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectRole(t, app, tocktest.AliceInAcme, "owner")
			},
		},
		{
			Name:            "the last owner can't be deactivated",
			Method:          http.MethodPatch,
			URL:             membershipsURL + "/" + tocktest.AliceInAcme,
			Body:            strings.NewReader(`{"status":"invited"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{"at least one active owner"},
			TestAppFactory:  hookstest.Factory,
		},
		{
			Name:            "the last owner can't leave",
			Method:          http.MethodDelete,
			URL:             membershipsURL + "/" + tocktest.AliceInAcme,
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{"at least one active owner"},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectMemberships(4),
		},
		{
			Name:            "an owner can step down once another owner exists",
			Method:          http.MethodPatch,
			URL:             membershipsURL + "/" + tocktest.AliceInAcme,
			Body:            strings.NewReader(`{"role":"manager"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"role":"manager"`},
			TestAppFactory:  hookstest.Factory,
			BeforeTestFunc:  promote(tocktest.BobInAcme),
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectRole(t, app, tocktest.AliceInAcme, "manager")
			},
		},
		{
			Name:           "a user can leave an organization",
			Method:         http.MethodDelete,
			URL:            membershipsURL + "/" + tocktest.CarolInAcme,
			Headers:        hookstest.Fixture.Auth(t, tocktest.Carol),
			ExpectedStatus: http.StatusNoContent,
			TestAppFactory: hookstest.Factory,
			AfterTestFunc:  expectMemberships(3),
		},
		{
			Name:           "deleting an organization removes its memberships, last owner included",
			Method:         http.MethodDelete,
			URL:            "/api/collections/organizations/records/" + tocktest.Acme,
			Headers:        hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus: http.StatusNoContent,
			TestAppFactory: hookstest.Factory,
			AfterTestFunc:  expectMemberships(1),
		},
		{
			Name:            "the last owner can't be removed by deleting their user account",
			Method:          http.MethodDelete,
			URL:             "/api/collections/users/records/" + tocktest.Alice,
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{"at least one active owner"},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   expectMemberships(4),
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

func expectMemberships(want int) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		if n := hookstest.Count(t, app, schema.Memberships, "1=1", nil); n != want {
			t.Fatalf("memberships = %d, want %d", n, want)
		}
	}
}

func expectRole(t testing.TB, app core.App, membership, want string) {
	t.Helper()
	m, err := app.FindRecordById(schema.Memberships, membership)
	if err != nil {
		t.Fatalf("find membership %s: %v", membership, err)
	}
	if got := m.GetString("role"); got != want {
		t.Fatalf("role of %s = %q, want %q", membership, got, want)
	}
}

func promote(membership string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		m, err := app.FindRecordById(schema.Memberships, membership)
		if err != nil {
			t.Fatal(err)
		}
		m.Set("role", "owner")
		if err := app.Save(m); err != nil {
			t.Fatalf("promote %s: %v", membership, err)
		}
	}
}
