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

// TestProfileTimezone: a person sets their own time zone from the profile
// page; a name the server doesn't know is a 400 and changes nothing, and
// nobody sets another person's.
func TestProfileTimezone(t *testing.T) {
	unchanged := func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		u, err := app.FindRecordById(schema.Users, tocktest.Carol)
		if err != nil || u.GetString(schema.UserTimezoneField) != "" {
			t.Fatalf("Carol's time zone %q (%v), want unset", u.GetString(schema.UserTimezoneField), err)
		}
	}
	scenarios := []tests.ApiScenario{
		{
			Name:            "a person sets their own time zone",
			Method:          http.MethodPatch,
			URL:             "/api/collections/users/records/" + tocktest.Carol,
			Body:            strings.NewReader(`{"timezone":"Asia/Kolkata"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Carol),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"timezone":"Asia/Kolkata"`},
			TestAppFactory:  hookstest.Factory,
		},
		{
			Name:            "an unknown time zone is refused",
			Method:          http.MethodPatch,
			URL:             "/api/collections/users/records/" + tocktest.Carol,
			Body:            strings.NewReader(`{"timezone":"Mars/Olympus"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Carol),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"timezone"`, `validation_invalid_timezone`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   unchanged,
		},
		{
			Name:            "nobody sets another person's",
			Method:          http.MethodPatch,
			URL:             "/api/collections/users/records/" + tocktest.Carol,
			Body:            strings.NewReader(`{"timezone":"Europe/Berlin"}`),
			Headers:         hookstest.Fixture.Auth(t, tocktest.Alice),
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"data":{}`},
			ExpectedEvents:  map[string]int{"*": 0},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc:   unchanged,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
