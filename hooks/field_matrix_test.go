package hooks_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// visitSeen asks for the visits to site on the seed's day; took means one
// of them is user's, starting at their seeded point in project.
func visitSeen(org, site, user, project string) probe {
	day := tt.Slot.Format(time.DateOnly)
	at := tt.LocationAt(user, project)
	return probe{
		method: "GET", read: true,
		url: strings.NewReplacer("{org}", org, "{id}", site).Replace(api.JobSiteVisitsRoute) +
			"?" + url.Values{"from": {day}, "to": {day}}.Encode(),
		took: func(t testing.TB, _ core.App, status int, body string) bool {
			if status != 200 {
				return false
			}
			var vs []api.Visit
			if err := json.Unmarshal([]byte(body), &vs); err != nil {
				t.Fatalf("visits: %v", err)
			}
			for _, v := range vs {
				if v.User == user && v.Start.Equal(at) {
					return true
				}
			}
			return false
		},
	}
}

// jobStatusSet sets a job's status through the assignees' route.
func jobStatusSet(job, status string) probe {
	return probe{
		method: "POST", url: strings.Replace(api.JobStatusRoute, "{id}", job, 1), body: `{"status":"` + status + `"}`,
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			r, err := app.FindRecordById(schema.Jobs, job)
			return err == nil && r.GetString("status") == status
		},
	}
}

// fieldProbes covers View Locations, job sites, work orders and jobs.
func fieldProbes(self string) []probe {
	var ps []probe
	for _, d := range []struct{ label, user, project, org, site string }{
		{"own", self, "", tt.Acme, tt.JobSiteA},
		{"led member, assigned project", tt.Walt, tt.ProjA, tt.Acme, tt.JobSiteA},
		{"led member, other project", tt.Walt, tt.ProjB, tt.Acme, tt.JobSiteA},
		{"other member", tt.Nia, "", tt.Acme, tt.JobSiteA},
		{"other org", tt.Dave, tt.ProjG, tt.Globex, tt.JobSiteG},
	} {
		tg := perms.Target{OwnerID: d.user, ProjectID: d.project}
		id := tt.LocationID(d.user, d.project)
		ps = append(ps,
			listed(schema.Locations, id).on(perms.ViewLocations, d.label+" (list)", d.org, tg),
			viewed(schema.Locations, id).on(perms.ViewLocations, d.label+" (view)", d.org, tg),
			visitSeen(d.org, d.site, d.user, d.project).on(perms.ViewLocations, d.label+" (visits)", d.org, tg),
		)
	}
	start, end := "2026-11-03 08:00:00.000Z", "2026-11-03 12:00:00.000Z"
	for _, o := range []struct{ label, org, site, order, job, assignee string }{
		{"own org", tt.Acme, tt.JobSiteA, tt.WorkOrderA, tt.JobA, tt.Walt},
		{"other org", tt.Globex, tt.JobSiteG, tt.WorkOrderG, tt.JobG, tt.Dave},
	} {
		tg := perms.Target{}
		job := perms.Target{OwnerID: o.assignee}
		ps = append(ps,
			created(schema.JobSites, map[string]any{"org": o.org, "name": "New site", "lat": 48.1, "lng": 11.5, "radius_m": 200},
				"org = {:org} AND name = {:name}").on(perms.AddRemoveJobSites, o.label+" (add)", o.org, tg),
			deleted(schema.JobSites, o.site).on(perms.AddRemoveJobSites, o.label+" (remove)", o.org, tg),
			updated(schema.JobSites, o.site, "radius_m", 300).on(perms.EditJobSites, o.label, o.org, tg),
			created(schema.WorkOrders, map[string]any{"org": o.org, "title": "New order", "status": "open"},
				"org = {:org} AND title = {:title}").on(perms.CreateWorkOrders, o.label+" (create)", o.org, tg),
			updated(schema.WorkOrders, o.order, "title", "Renamed").on(perms.CreateWorkOrders, o.label+" (edit)", o.org, tg),
			deleted(schema.WorkOrders, o.order).on(perms.CreateWorkOrders, o.label+" (delete)", o.org, tg),
			created(schema.Jobs, map[string]any{
				"org": o.org, "work_order": o.order, "job_site": o.site, "assignee": o.assignee,
				"start": start, "end": end, "status": "scheduled", "note": "new job",
			}, "org = {:org} AND note = {:note}").on(perms.AddJobs, o.label+" (add)", o.org, job),
			updated(schema.Jobs, o.job, "note", "Bring a ladder").on(perms.AddJobs, o.label+" (edit)", o.org, job),
			deleted(schema.Jobs, o.job).on(perms.AddJobs, o.label+" (remove)", o.org, job),
			jobStatusSet(o.job, "in_progress").on(perms.AddJobs, o.label+" (someone else's status)", o.org, job),
		)
	}
	return ps
}
