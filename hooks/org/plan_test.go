package org_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func setOrg(t testing.TB, app core.App, org string, fields map[string]any) {
	t.Helper()
	r, err := app.FindRecordById(schema.Organizations, org)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		r.Set(k, v)
	}
	if err := app.Save(r); err != nil {
		t.Fatalf("update organization: %v", err)
	}
}

func orgField(t testing.TB, app core.App, org, field string) any {
	t.Helper()
	r, err := app.FindRecordById(schema.Organizations, org)
	if err != nil {
		t.Fatal(err)
	}
	return r.Get(field)
}

func TestSeatLimit(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	defer app.Cleanup()
	h := tt.Handler(t, app)
	alice := fx.Token(t, tt.Alice)

	// Acme has nine members: a limit of nine leaves no seat.
	setOrg(t, app, tt.Acme, map[string]any{"seat_limit": 9})
	status, _, body := tt.Send(h, tt.JSONRequest("POST", hookstest.RecordsURL(schema.Memberships), `{"org":"`+tt.Acme+`","user":"`+tt.Erin+`","role":"user"}`, alice))
	if status != http.StatusConflict || !strings.Contains(body, api.CodeSeatLimit) || !strings.Contains(body, "9 seats") {
		t.Fatalf("a member past the seat limit: %d %s", status, body)
	}
	if n, _ := app.CountRecords(schema.Memberships, dbx.HashExp{"user": tt.Erin}); n != 0 {
		t.Fatalf("refused membership saved")
	}

	// An invitation made while a seat was free can't be accepted once it isn't.
	setOrg(t, app, tt.Acme, map[string]any{"seat_limit": 10})
	status, _, body = tt.Send(h, tt.JSONRequest("POST", hookstest.OrgURL(api.InvitesRoute, tt.Acme), `{"email":"erin@example.test","role":"user"}`, alice))
	if status != http.StatusOK {
		t.Fatalf("invite: %d %s", status, body)
	}
	var inv api.Invitation
	if err := json.Unmarshal([]byte(body), &inv); err != nil {
		t.Fatal(err)
	}
	setOrg(t, app, tt.Acme, map[string]any{"seat_limit": 9})
	accept := strings.Replace(api.AcceptInviteRoute, "{token}", inv.Token, 1)
	status, _, body = tt.Send(h, tt.JSONRequest("POST", accept, `{}`, fx.Token(t, tt.Erin)))
	if status != http.StatusConflict || !strings.Contains(body, api.CodeSeatLimit) {
		t.Fatalf("accepting past the seat limit: %d %s", status, body)
	}
	if n, _ := app.CountRecords(schema.Memberships, dbx.HashExp{"user": tt.Erin}); n != 0 {
		t.Fatalf("refused acceptance saved a membership")
	}
	setOrg(t, app, tt.Acme, map[string]any{"seat_limit": 10})
	if status, _, body = tt.Send(h, tt.JSONRequest("POST", accept, `{}`, fx.Token(t, tt.Erin))); status != http.StatusOK {
		t.Fatalf("accepting with a free seat: %d %s", status, body)
	}
	// No limit at all: anyone may be added.
	setOrg(t, app, tt.Acme, map[string]any{"seat_limit": 0})
	status, _, body = tt.Send(h, tt.JSONRequest("POST", hookstest.RecordsURL(schema.Memberships), `{"org":"`+tt.Acme+`","user":"`+tt.Dave+`","role":"user"}`, alice))
	if status != http.StatusOK {
		t.Fatalf("no limit: %d %s", status, body)
	}
}

func TestPlanChanges(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, user, body string
		status           int
		field            string
		want             any
	}{
		{"owner sets seats", tt.Alice, `{"seat_limit":25}`, 200, "seat_limit", 25},
		{"manager can't", tt.Bob, `{"seat_limit":25}`, 403, "seat_limit", 0},
		{"negative seats", tt.Alice, `{"seat_limit":-1}`, 400, "seat_limit", 0},
		{"owner lowers plan retention: setting follows", tt.Alice, `{"plan_retention_days":30}`, 200, "retention_days", 30},
		{"manager can't change plan retention", tt.Bob, `{"plan_retention_days":30}`, 403, "retention_days", 90},
		{"manager turns a module off", tt.Bob, `{"feature_payroll":false}`, 200, "feature_payroll", false},
		{"user can't", tt.Carol, `{"feature_payroll":false}`, 404, "feature_payroll", true},
		{"team lead can't", tt.Tess, `{"feature_schedules":false}`, 404, "feature_schedules", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := fx.App(t)
			defer app.Cleanup()
			status, body := tt.Do(t, app, "PATCH", hookstest.RecordsURL(schema.Organizations)+"/"+tt.Acme, tc.body, fx.Token(t, tc.user))
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if got := orgField(t, app, tt.Acme, tc.field); got != tc.want && !(isNumber(got) && toF(got) == toF(tc.want)) {
				t.Fatalf("%s = %v, want %v", tc.field, got, tc.want)
			}
		})
	}

	t.Run("retention past the plan is refused", func(t *testing.T) {
		app := fx.App(t)
		defer app.Cleanup()
		setOrg(t, app, tt.Acme, map[string]any{"plan_retention_days": 30})
		status, body := tt.Do(t, app, "PATCH", hookstest.RecordsURL(schema.Organizations)+"/"+tt.Acme, `{"retention_days":60}`, fx.Token(t, tt.Bob))
		if status != 400 || !strings.Contains(body, "at most 30 days") {
			t.Fatalf("retention past the plan: %d %s", status, body)
		}
		if got := orgField(t, app, tt.Acme, "retention_days"); toF(got) != 30 {
			t.Fatalf("retention_days = %v", got)
		}
	})
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, float64:
		return true
	}
	return false
}

func toF(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case float64:
		return n
	}
	return -1
}

// The gate of each module is keyed by collection name: the module map is
// complete, disjoint and names real collections, and each of them refuses
// creation while its module is off, before anything else is checked.
func TestFeatureGate(t *testing.T) {
	seen := map[string]string{}
	for mod, names := range schema.ModuleCollections() {
		for _, n := range names {
			if other, dup := seen[n]; dup {
				t.Errorf("%s belongs to %s and %s", n, other, mod)
			}
			seen[n] = mod
		}
	}

	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	defer app.Cleanup()
	refusedAsOff := func(err error) bool {
		var apiErr *router.ApiError
		return errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict && strings.Contains(hookstest.MustJSON(t, apiErr.Data), api.CodeFeatureOff)
	}
	for _, mod := range schema.Modules() {
		for _, name := range schema.ModuleCollections()[mod] {
			t.Run(mod+"/"+name, func(t *testing.T) {
				c, err := app.FindCollectionByNameOrId(name)
				if err != nil {
					t.Fatalf("module %s names a collection that doesn't exist: %v", mod, err)
				}
				for _, on := range []bool{false, true} {
					setOrg(t, app, tt.Acme, map[string]any{schema.FeatureField(mod): on})
					before, _ := app.CountRecords(name)
					r := core.NewRecord(c)
					r.Set("org", tt.Acme)
					err := app.Save(r) // with the module on, validation refuses the empty record instead
					after, _ := app.CountRecords(name)
					if refusedAsOff(err) == on {
						t.Fatalf("module on=%v: refused as switched off = %v (%v)", on, !on, err)
					}
					if !on && after != before {
						t.Fatal("module off, yet a record was saved")
					}
					if gate := gate.FeatureOn(app, tt.Acme, mod); (gate == nil) != on {
						t.Fatalf("FeatureOn with the module on=%v: %v", on, gate)
					}
				}
			})
		}
	}
	if err := gate.FeatureOn(app, tt.Acme, "teleportation"); err == nil {
		t.Fatal("an unknown module must be a programming error")
	}
	// One switch leaves the other modules on.
	setOrg(t, app, tt.Acme, map[string]any{schema.FeatureField(schema.ModuleSchedules): false})
	if err := gate.FeatureOn(app, tt.Acme, schema.ModulePayroll); err != nil {
		t.Fatalf("payroll: %v", err)
	}
}

func TestNewOrganizationHasEveryModule(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	defer app.Cleanup()
	h := tt.Handler(t, app)
	status, _, body := tt.Send(h, tt.JSONRequest("POST", hookstest.RecordsURL(schema.Organizations), `{"name":"Modules"}`, fx.Token(t, tt.Erin)))
	if status != 200 {
		t.Fatalf("create: %d %s", status, body)
	}
	r, err := app.FindFirstRecordByData(schema.Organizations, "name", "Modules")
	if err != nil {
		t.Fatal(err)
	}
	for _, mod := range schema.Modules() {
		if !r.GetBool(schema.FeatureField(mod)) {
			t.Errorf("%s off in a new organization", mod)
		}
	}
	// The creator's answer from /me carries the switches for the web app.
	status, _, body = tt.Send(h, tt.JSONRequest("GET", hookstest.OrgURL(api.MeRoute, r.Id), "", fx.Token(t, tt.Erin)))
	var me api.Me
	if status != 200 || json.Unmarshal([]byte(body), &me) != nil || len(me.Modules) != len(schema.Modules()) || !me.Modules["payroll"] {
		t.Fatalf("me modules: %d %s", status, body)
	}
}

func TestBilling(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	defer app.Cleanup()
	setOrg(t, app, tt.Acme, map[string]any{"seat_limit": 12, "plan_retention_days": 60})
	h := tt.Handler(t, app)
	for _, tc := range []struct {
		user, org string
		status    int
	}{
		{tt.Alice, tt.Acme, 200}, {tt.Bob, tt.Acme, 403}, {tt.Carol, tt.Acme, 403}, {tt.Tess, tt.Acme, 403},
		{tt.Dave, tt.Acme, 404}, {tt.Alice, tt.Globex, 404}, {tt.Dave, tt.Globex, 200},
	} {
		status, _, body := tt.Send(h, tt.JSONRequest("GET", hookstest.OrgURL(api.BillingRoute, tc.org), "", fx.Token(t, tc.user)))
		if status != tc.status {
			t.Errorf("%s on %s: %d, want %d: %s", tc.user, tc.org, status, tc.status, body)
		}
	}
	status, _, body := tt.Send(h, tt.JSONRequest("GET", hookstest.OrgURL(api.BillingRoute, tt.Acme), "", fx.Token(t, tt.Alice)))
	if status != 200 {
		t.Fatal(body)
	}
	var b api.Billing
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatal(err)
	}
	var shots, bytes int64
	if err := app.DB().NewQuery("SELECT count(*), sum(size) FROM screenshots WHERE org = {:org}").
		Bind(dbx.Params{"org": tt.Acme}).Row(&shots, &bytes); err != nil {
		t.Fatal(err)
	}
	switch {
	case b.Seats != api.Seats{Used: 9, Limit: 12, Available: 3}:
		t.Errorf("seats: %+v", b.Seats)
	case len(b.Members) != 9:
		t.Errorf("members: %d", len(b.Members))
	case b.Screenshots != shots || b.StoredBytes != bytes || shots == 0:
		t.Errorf("screenshots %d (%d bytes), want %d (%d)", b.Screenshots, b.StoredBytes, shots, bytes)
	case b.OldestScreenshot == nil || !b.OldestScreenshot.Time().Equal(tt.Slot.Add(5*60e9)):
		t.Errorf("oldest: %v", b.OldestScreenshot)
	case b.RetentionDays != 60 || b.Plan.PlanRetentionDays != 60:
		t.Errorf("retention: %d of %d", b.RetentionDays, b.Plan.PlanRetentionDays)
	}
}

// Two newcomers racing for the last seat: exactly one gets it.
func TestSeatLimitRace(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	defer app.Cleanup()
	h := tt.Handler(t, app)
	setOrg(t, app, tt.Acme, map[string]any{"seat_limit": 10})
	statuses := make(chan int, 2)
	for _, u := range []string{tt.Erin, tt.Dave} {
		go func() {
			status, _, _ := tt.Send(h, tt.JSONRequest("POST", hookstest.RecordsURL(schema.Memberships), `{"org":"`+tt.Acme+`","user":"`+u+`","role":"user"}`, fx.Token(t, tt.Alice)))
			statuses <- status
		}()
	}
	got := map[int]int{<-statuses: 1}
	got[<-statuses]++
	if got[200] != 1 || got[409] != 1 {
		t.Fatalf("statuses %v, want one 200 and one 409", got)
	}
	if n, _ := app.CountRecords(schema.Memberships, dbx.HashExp{"org": tt.Acme}); n != 10 {
		t.Fatalf("%d members for 10 seats", n)
	}
}
