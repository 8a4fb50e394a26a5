package hooks_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// billingShown asks for org's billing page.
func billingShown(org string) probe {
	return probe{
		method: "GET", read: true, url: hookstest.OrgURL(api.BillingRoute, org),
		took: func(_ testing.TB, _ core.App, status int, body string) bool {
			return status == 200 && strings.Contains(body, `"seats"`)
		},
	}
}

// planProbes covers the plan rows: Billing, Change Subscription Plan,
// Add/Remove Features, in one's own organization and in another.
func planProbes(self string) []probe {
	var ps []probe
	for _, o := range []struct{ label, id string }{{"own org", tt.Acme}, {"other org", tt.Globex}} {
		tg := perms.Target{}
		ps = append(ps,
			billingShown(o.id).on(perms.Billing, o.label, o.id, tg),
			updated(schema.Organizations, o.id, "seat_limit", 50).on(perms.ChangeSubscriptionPlan, o.label+" (seats)", o.id, tg),
			updated(schema.Organizations, o.id, "plan_retention_days", 30).on(perms.ChangeSubscriptionPlan, o.label+" (retention)", o.id, tg),
			updated(schema.Organizations, o.id, schema.FeatureField(schema.ModulePayroll), false).
				on(perms.AddRemoveFeatures, o.label, o.id, tg),
		)
	}
	return append(ps, transferProbes()...)
}

// transferred moves project (planted in from, without time, when plant is
// set) to Initech, the second organization Alice owns.
func transferred(project, from string, plant bool) probe {
	pr := probe{
		method: "POST", url: strings.Replace(api.TransferProjectRoute, "{id}", project, 1),
		body: `{"org":"` + tt.Initech + `"}`,
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			r, err := app.FindRecordById(schema.Projects, project)
			return err == nil && r.GetString("org") == tt.Initech
		},
	}
	if plant {
		pr.before = func(t testing.TB, app core.App) {
			hookstest.PlantRecord(t, app, schema.Projects, project, map[string]any{"org": from, "name": "Movable"})
		}
	}
	return pr
}

// projectInTeam creates a project joined to team through the creation route.
func projectInTeam(org, team string) probe {
	name := "In " + team
	return probe{
		method: "POST", url: hookstest.OrgURL(api.CreateProjectRoute, org), body: `{"name":"` + name + `","team":"` + team + `"}`,
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			p, err := app.FindFirstRecordByData(schema.Projects, "name", name)
			if err != nil {
				return false
			}
			n, err := app.CountRecords(schema.TeamProjects, dbx.HashExp{"project": p.Id, "team": team})
			return err == nil && n == 1
		},
	}
}

func transferProbes() []probe {
	movable := "prjacmemove0001"
	ps := []probe{
		transferred(movable, tt.Acme, true).on(perms.TransferProjects, "own org", tt.Acme, perms.Target{ProjectID: movable}),
		transferred(tt.ProjG, tt.Globex, false).on(perms.TransferProjects, "other org", tt.Globex, perms.Target{ProjectID: tt.ProjG}),
	}
	for _, tm := range []struct{ label, id, org string }{
		{"led team", tt.TeamT, tt.Acme}, {"other team", tt.TeamU, tt.Acme}, {"other org", tt.TeamG, tt.Globex},
	} {
		ps = append(ps, projectInTeam(tm.org, tm.id).on(perms.CreateProjects, tm.label+" (with team)", tm.org, perms.Target{TeamID: tm.id}))
	}
	return ps
}
