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

func TestInvitesCollection(t *testing.T) {
	app := newApp(t)
	c, err := app.FindCollectionByNameOrId(schema.Invites)
	if err != nil {
		t.Fatalf("invites missing: %v", err)
	}
	for _, f := range []string{"org", "email", "role", "team", "token_hash", "invited_by", "status", "expires", "accepted_by", "created", "updated"} {
		if c.Fields.GetByName(f) == nil {
			t.Errorf("invites.%s missing", f)
		}
	}
	if f := c.Fields.GetByName("token_hash"); f == nil || !f.GetHidden() {
		t.Errorf("token_hash must be hidden from every API response")
	}
	if org, ok := c.Fields.GetByName("org").(*core.RelationField); !ok || !org.Required || !org.CascadeDelete {
		t.Errorf("org must be a required relation that cascades: %+v", c.Fields.GetByName("org"))
	}
	for _, want := range []struct {
		columns string
		unique  bool
	}{{"`org`", false}, {"`token_hash`", true}} {
		found := false
		for _, idx := range c.Indexes {
			if strings.Contains(idx, "("+want.columns+")") && strings.HasPrefix(idx, "CREATE UNIQUE") == want.unique {
				found = true
			}
		}
		if !found {
			t.Errorf("no unique=%v index on %s in %v", want.unique, want.columns, c.Indexes)
		}
	}
	if c.CreateRule != nil || c.UpdateRule != nil {
		t.Errorf("invites are written only by Tock's routes: create %v, update %v", c.CreateRule, c.UpdateRule)
	}
	for i, rule := range []*string{c.ListRule, c.ViewRule, c.DeleteRule} {
		if rule == nil || *rule == "" {
			t.Errorf("rule %d must be a matrix rule, is %v", i, rule)
		}
	}
}

func TestInvitesDownAndUp(t *testing.T) {
	app := newApp(t)
	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	// Roll back until the collection is gone: later migrations come first.
	for range core.AppMigrations.Items() {
		if _, err := app.FindCollectionByNameOrId(schema.Invites); err != nil {
			break
		}
		if _, err := runner.Down(1); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
	if _, err := app.FindCollectionByNameOrId(schema.Invites); err == nil {
		t.Fatalf("invites still exists after its migration was rolled back")
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := app.FindCollectionByNameOrId(schema.Invites); err != nil {
		t.Fatalf("invites not rebuilt: %v", err)
	}
}

// The API rules alone (no hooks) let owners and managers read and delete
// invitations, keep them from everyone else and let no one write them.
func TestInviteRulesAlone(t *testing.T) {
	s := seedSecondLine(t, func(save saveFunc) {
		save(schema.Invites, "invacme", map[string]any{"org": "acme", "email": "new@example.test", "role": "user",
			"token_hash": strings.Repeat("a", 64), "status": schema.InvitePending, "expires": time.Now().Add(time.Hour)})
	})
	factory, as := s.factory, s.as
	url := "/api/collections/invites/records"
	scenarios := []tests.ApiScenario{
		{Name: "an owner views an invitation, without its token hash", Method: http.MethodGet, URL: url + "/invacme",
			Headers: as("alice"), ExpectedStatus: 200, ExpectedContent: []string{`"id":"invacme"`},
			NotExpectedContent: []string{"token_hash", strings.Repeat("a", 64)}, TestAppFactory: factory},
		{Name: "a manager views it", Method: http.MethodGet, URL: url + "/invacme",
			Headers: as("bob"), ExpectedStatus: 200, ExpectedContent: []string{`"id":"invacme"`}, TestAppFactory: factory},
		{Name: "a user doesn't", Method: http.MethodGet, URL: url + "/invacme",
			Headers: as("carol"), ExpectedStatus: 404, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "another organization's owner doesn't", Method: http.MethodGet, URL: url + "/invacme",
			Headers: as("dave"), ExpectedStatus: 404, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "a user can't revoke it", Method: http.MethodDelete, URL: url + "/invacme",
			Headers: as("carol"), ExpectedStatus: 404, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "no one creates one through the API", Method: http.MethodPost, URL: url,
			Body:    strings.NewReader(`{"org":"acme","email":"x@example.test","role":"owner","status":"pending","token_hash":"` + strings.Repeat("b", 64) + `","expires":"2099-01-01 00:00:00.000Z"}`),
			Headers: as("alice"), ExpectedStatus: 403, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "no one changes one through the API", Method: http.MethodPatch, URL: url + "/invacme",
			Body: strings.NewReader(`{"role":"owner"}`), Headers: as("alice"), ExpectedStatus: 403, ExpectedContent: []string{`"data":{}`}, TestAppFactory: factory},
		{Name: "a manager revokes it", Method: http.MethodDelete, URL: url + "/invacme",
			Headers: as("bob"), ExpectedStatus: 204, TestAppFactory: factory},
	}
	for _, sc := range scenarios {
		sc.Test(t)
	}
}
