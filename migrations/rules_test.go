package migrations

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/migrations/schema"
)

// secondLineApp is an app with Tock's migrations and none of its hooks: what
// the API rules alone allow, should a request ever get past the hooks.
type secondLineApp struct {
	dir    string
	tokens map[string]string
}

// saveFunc stores a record as it is, without validation or hooks.
type saveFunc func(collection, id string, fields map[string]any) *core.Record

// seedSecondLine seeds Acme (alice owner, bob manager, carol and walt users,
// project pa with walt's and carol's screenshots) and Globex (dave owner,
// project pg); more adds what a test needs on top.
func seedSecondLine(t *testing.T, more ...func(save saveFunc)) secondLineApp {
	t.Helper()
	app := newApp(t)
	save := func(collection, id string, fields map[string]any) *core.Record {
		c, err := app.FindCollectionByNameOrId(collection)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(c)
		r.Id = id
		for k, v := range fields {
			r.Set(k, v)
		}
		if c.IsAuth() {
			r.SetPassword("password-123456")
		}
		if err := app.SaveNoValidate(r); err != nil {
			t.Fatalf("seed %s: %v", id, err)
		}
		return r
	}
	people := map[string]string{"alice": "acme", "bob": "acme", "carol": "acme", "walt": "acme", "dave": "globex"}
	roles := map[string]string{"alice": "owner", "bob": "manager", "carol": "user", "walt": "user", "dave": "owner"}
	save(schema.Organizations, "acme", map[string]any{"name": "Acme", "allow_screenshot_delete": true})
	save(schema.Organizations, "globex", map[string]any{"name": "Globex"})
	tokens := map[string]string{}
	for name, org := range people {
		u := save(schema.Users, name, map[string]any{"email": name + "@example.test", schema.UserOrgsField: "," + org + ","})
		save(schema.Memberships, "m"+name, map[string]any{"org": org, "user": name, "role": roles[name], "status": "active"})
		tokens[name], _ = u.NewAuthToken()
	}
	save(schema.Projects, "pa", map[string]any{"org": "acme", "name": "A"})
	save(schema.Projects, "pg", map[string]any{"org": "globex", "name": "G"})
	for _, d := range []struct{ user, org, project string }{{"walt", "acme", "pa"}, {"carol", "acme", "pa"}, {"dave", "globex", "pg"}} {
		save(schema.Activities, "a"+d.user, map[string]any{"org": d.org, "project": d.project, "user": d.user, "slot_start": time.Now(), "source": "tracked"})
		save(schema.Screenshots, "s"+d.user, map[string]any{"org": d.org, "project": d.project, "user": d.user, "activity": "a" + d.user,
			"taken_at": time.Now(), "width": 1, "height": 1, "size": 1, "sha256": strings.Repeat("0", 64), "key_id": "k", "storage_key": "x"})
	}
	for _, m := range more {
		m(save)
	}
	dir, err := tests.TempDirClone(app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	return secondLineApp{dir: dir, tokens: tokens}
}

// factory gives each scenario its own copy of the seeded app.
func (s secondLineApp) factory(t testing.TB) *tests.TestApp {
	app, err := tests.NewTestApp(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// as authenticates a request as a seeded person.
func (s secondLineApp) as(name string) map[string]string {
	return map[string]string{"Authorization": s.tokens[name]}
}

func TestRulesAloneKeepOrganizationsApart(t *testing.T) {
	s := seedSecondLine(t)
	factory, as := s.factory, s.as
	list := "/api/collections/screenshots/records"
	scenarios := []tests.ApiScenario{
		{Name: "an outsider lists none of another organization's screenshots", Method: http.MethodGet, URL: list,
			Headers: as("dave"), ExpectedStatus: 200, ExpectedContent: []string{`"totalItems":1`, `"id":"sdave"`},
			NotExpectedContent: []string{"swalt", "scarol"}, TestAppFactory: factory},
		{Name: "an outsider can't view one either", Method: http.MethodGet, URL: list + "/swalt",
			Headers: as("dave"), ExpectedStatus: 404, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "a user views their own screenshot", Method: http.MethodGet, URL: list + "/scarol",
			Headers: as("carol"), ExpectedStatus: 200, ExpectedContent: []string{`"id":"scarol"`}, TestAppFactory: factory},
		{Name: "a user can't view a colleague's screenshot", Method: http.MethodGet, URL: list + "/swalt",
			Headers: as("carol"), ExpectedStatus: 404, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "a manager can't while the owner hasn't enabled it", Method: http.MethodGet, URL: list + "/swalt",
			Headers: as("bob"), ExpectedStatus: 404, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "the owner views any of the organization's", Method: http.MethodGet, URL: list + "/swalt",
			Headers: as("alice"), ExpectedStatus: 200, ExpectedContent: []string{`"id":"swalt"`}, TestAppFactory: factory},
		{Name: "a user can't delete a colleague's screenshot", Method: http.MethodDelete, URL: list + "/swalt",
			Headers: as("carol"), ExpectedStatus: 404, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "no one creates screenshot records through the API", Method: http.MethodPost, URL: list,
			Body:    strings.NewReader(`{"org":"acme","project":"pa","user":"carol","activity":"acarol"}`),
			Headers: as("carol"), ExpectedStatus: 403, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "an outsider can't edit another organization", Method: http.MethodPatch, URL: "/api/collections/organizations/records/acme",
			Body: strings.NewReader(`{"name":"Mine"}`), Headers: as("dave"), ExpectedStatus: 404, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
	}
	for _, sc := range scenarios {
		sc.Test(t)
	}
}
