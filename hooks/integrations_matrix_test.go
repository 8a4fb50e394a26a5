package hooks_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// rotated asks for a new secret of a webhook; took means it changed.
func rotated(id string) probe {
	var was string
	return probe{
		method: "POST", url: strings.Replace(api.WebhookRotateRoute, "{id}", id, 1), body: `{}`,
		before: func(t testing.TB, app core.App) {
			r, err := app.FindRecordById(schema.Webhooks, id)
			if err != nil {
				t.Fatal(err)
			}
			was = r.GetString("secret")
		},
		took: func(_ testing.TB, app core.App, status int, body string) bool {
			r, err := app.FindRecordById(schema.Webhooks, id)
			return err == nil && was != "" && r.GetString("secret") != was && status == 200 && strings.Contains(body, r.GetString("secret"))
		},
	}
}

// summaryRow previews the requester's daily summary of the seed's day in
// org; took means it holds user's time in project.
func summaryRow(org, user, project string) probe {
	u := hookstest.OrgURL(api.SummaryPreviewRoute, org) + "?" + url.Values{"period": {"daily"}, "day": {tt.Slot.Format(time.DateOnly)}}.Encode()
	return probe{
		method: "GET", read: true, url: u,
		took: func(t testing.TB, _ core.App, status int, body string) bool {
			if status != 200 {
				return false
			}
			var s api.Summary
			if err := json.Unmarshal([]byte(body), &s); err != nil {
				t.Fatalf("summary: %v", err)
			}
			for _, m := range s.Members {
				for _, p := range m.Projects {
					if m.User == user && p.Project == project {
						return true
					}
				}
			}
			return false
		},
	}
}

// integrationsProbes: the Integration rows on each organization's seeded
// webhook, and Receive Work Summary Emails on per-person data.
func integrationsProbes(self string) []probe {
	var ps []probe
	for _, o := range []struct{ label, org, hook string }{{"own org", tt.Acme, tt.WhkA}, {"other org", tt.Globex, tt.WhkG}} {
		tg := perms.Target{}
		ps = append(ps,
			created(schema.Webhooks, map[string]any{"org": o.org, "name": "Added", "url": "https://hooks.example.test/new",
				"events": []string{schema.EventMemberJoined}}, "org = {:org} AND name = {:name}").
				on(perms.AddIntegration, o.label, o.org, tg),
			deleted(schema.Webhooks, o.hook).on(perms.RemoveIntegration, o.label, o.org, tg),
			rotated(o.hook).on(perms.ReAuthenticateIntegration, o.label, o.org, tg),
			listed(schema.Webhooks, o.hook).on(perms.ChangeIntegrationSettings, o.label+" (list)", o.org, tg),
			updated(schema.Webhooks, o.hook, "url", "https://hooks.example.test/changed").
				on(perms.ChangeIntegrationSettings, o.label+" (url)", o.org, tg),
			updated(schema.Webhooks, o.hook, "active", false).on(perms.ChangeIntegrationSettings, o.label+" (active)", o.org, tg),
		)
	}

	targets := []struct{ label, user, project, org string }{
		{"own", self, tt.ProjA, tt.Acme},
		{"assigned", tt.Walt, tt.ProjA, tt.Acme},
		{"team member", tt.Walt, tt.ProjB, tt.Acme},
		{"other member", tt.Nia, tt.ProjB, tt.Acme},
		{"other org", tt.Dave, tt.ProjG, tt.Globex},
	}
	for _, d := range targets {
		if d.label == "own" && !tracksTime[self] {
			continue // a project viewer never tracks time
		}
		pr := summaryRow(d.org, d.user, d.project)
		if d.user == tt.Nia {
			pr.before = func(t testing.TB, app core.App) {
				hookstest.PlantTime(t, app, tt.Nia, tt.ProjB, tt.Slot, 600, "tracked")
			}
		}
		ps = append(ps, pr.on(perms.ReceiveWorkSummaryEmails, d.label, d.org, perms.Target{OwnerID: d.user, ProjectID: d.project}))
	}
	return ps
}
