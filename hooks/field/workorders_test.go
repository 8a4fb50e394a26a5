package field_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestJobStatus: an assignee starts and finishes their own job; changing
// anything else of it, or anyone else's, needs "Add jobs".
func TestJobStatus(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	route := strings.Replace(api.JobStatusRoute, "{id}", tt.JobA, 1)
	for _, tc := range []struct {
		name, user, body string
		from             string // the job's status before
		status           int
		want             string // the job's status after
	}{
		{"the assignee finishes it", tt.Walt, `{"status":"done"}`, "scheduled", 200, "done"},
		{"the assignee starts it", tt.Walt, `{"status":"in_progress"}`, "scheduled", 200, "in_progress"},
		{"the assignee can't reschedule it", tt.Walt, `{"status":"scheduled"}`, "done", 403, "done"},
		{"the same status again changes nothing", tt.Walt, `{"status":"done"}`, "done", 200, "done"},
		{"a colleague can't touch it", tt.Carol, `{"status":"done"}`, "scheduled", 404, "scheduled"},
		{"his team lead can't either", tt.Tess, `{"status":"done"}`, "scheduled", 404, "scheduled"},
		{"another organization's owner can't", tt.Dave, `{"status":"done"}`, "scheduled", 404, "scheduled"},
		{"a manager reschedules it", tt.Bob, `{"status":"scheduled"}`, "done", 200, "scheduled"},
		{"no such status", tt.Walt, `{"status":"paused"}`, "scheduled", 400, "scheduled"},
		{"not JSON", tt.Walt, `{`, "scheduled", 400, "scheduled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := factory(t)
			defer app.Cleanup()
			hookstest.SetFields(t, app, schema.Jobs, tt.JobA, map[string]any{"status": tc.from})
			status, body := tt.Do(t, app, "POST", route, tc.body, fx.Token(t, tc.user))
			if status != tc.status {
				t.Fatalf("got %d %.300s, want %d", status, body, tc.status)
			}
			job, err := app.FindRecordById(schema.Jobs, tt.JobA)
			if err != nil || job.GetString("status") != tc.want {
				t.Fatalf("status is %q, want %q (%v)", job.GetString("status"), tc.want, err)
			}
			audited := hookstest.Count(t, app, schema.AuditLog, "action = 'job_status' AND target_id = {:id} AND actor = {:u}",
				map[string]any{"id": tt.JobA, "u": tc.user})
			if changed := tc.from != tc.want; (audited == 1) != changed {
				t.Fatalf("audit entries: %d, status changed: %v", audited, changed)
			}
		})
	}
	t.Run("through the API the assignee changes nothing", func(t *testing.T) {
		app := factory(t)
		defer app.Cleanup()
		h := tt.Handler(t, app)
		for _, body := range []string{`{"status":"done"}`, `{"note":"mine now"}`} {
			status, _, out := tt.Send(h, tt.JSONRequest("PATCH", hookstest.RecordsURL(schema.Jobs)+"/"+tt.JobA, body, fx.Token(t, tt.Walt)))
			if status < 400 || status >= 500 {
				t.Fatalf("PATCH %s answered %d %.200s, want a 4xx", body, status, out)
			}
		}
		job, _ := app.FindRecordById(schema.Jobs, tt.JobA)
		if job.GetString("status") != "scheduled" || job.GetString("note") != "" {
			t.Fatalf("job changed: %v", job)
		}
	})
}

// TestFieldVisibility: every member sees job sites and work orders; jobs
// only their assignee and those who may add jobs.
func TestFieldVisibility(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	for _, tc := range []struct {
		collection, id, user string
		listed               bool
	}{
		{schema.JobSites, tt.JobSiteA, tt.Carol, true},
		{schema.JobSites, tt.JobSiteA, tt.Vic, true},
		{schema.JobSites, tt.JobSiteG, tt.Carol, false},
		{schema.WorkOrders, tt.WorkOrderA, tt.Carol, true},
		{schema.WorkOrders, tt.WorkOrderA, tt.Walt, true},
		{schema.WorkOrders, tt.WorkOrderG, tt.Alice, false},
		{schema.Jobs, tt.JobA, tt.Walt, true},
		{schema.Jobs, tt.JobA, tt.Bob, true},
		{schema.Jobs, tt.JobA, tt.Carol, false},
		{schema.Jobs, tt.JobA, tt.Tess, false},
		{schema.Jobs, tt.JobA, tt.Pam, false},
		{schema.Jobs, tt.JobG, tt.Alice, false},
	} {
		t.Run(fmt.Sprintf("%s/%s/%s", tc.collection, tc.id, tc.user), func(t *testing.T) {
			app := factory(t)
			defer app.Cleanup()
			status, body := tt.Do(t, app, "GET", hookstest.RecordsURL(tc.collection), "", fx.Token(t, tc.user))
			if status != 200 || strings.Contains(body, `"id":"`+tc.id+`"`) != tc.listed {
				t.Fatalf("%d %.300s: want listed %v", status, body, tc.listed)
			}
		})
	}
}

// TestFieldIntegrity: field records stay inside their organization and
// make sense; a refused one changes nothing.
func TestFieldIntegrity(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	job := func(extra string) string {
		return fmt.Sprintf(`{"org":%q,"work_order":%q,"assignee":%q,"start":"2026-11-03 08:00:00.000Z","end":"2026-11-03 12:00:00.000Z","status":"scheduled"%s}`,
			tt.Acme, tt.WorkOrderA, tt.Walt, extra)
	}
	site := func(extra string) string {
		return fmt.Sprintf(`{"org":%q,"name":"New site","lat":48.1,"lng":11.5,"radius_m":200%s}`, tt.Acme, extra)
	}
	for _, tc := range []struct {
		name, collection, body string
		status                 int
		field                  string // the field the 400 names
	}{
		{"a job at another organization's site", schema.Jobs, job(`,"job_site":"` + tt.JobSiteG + `"`), 400, "job_site"},
		{"a job for another organization's work order", schema.Jobs,
			strings.Replace(job(""), tt.WorkOrderA, tt.WorkOrderG, 1), 400, "work_order"},
		{"a job for someone who isn't a member", schema.Jobs, strings.Replace(job(""), tt.Walt, tt.Dave, 1), 400, "assignee"},
		{"a job ending before it starts", schema.Jobs, strings.Replace(job(""), "12:00", "07:00", 1), 400, "end"},
		{"a job with no status", schema.Jobs, strings.Replace(job(""), `"scheduled"`, `""`, 1), 400, "status"},
		{"a good job", schema.Jobs, job(`,"job_site":"` + tt.JobSiteA + `"`), 200, ""},
		{"a work order for another organization's client", schema.WorkOrders,
			fmt.Sprintf(`{"org":%q,"title":"X","status":"open","client":%q}`, tt.Acme, tt.CliG), 400, "client"},
		{"a work order with no title", schema.WorkOrders, fmt.Sprintf(`{"org":%q,"status":"open"}`, tt.Acme), 400, "title"},
		{"a radius too small", schema.JobSites, strings.Replace(site(""), "200", "10", 1), 400, "radius_m"},
		{"a radius too large", schema.JobSites, strings.Replace(site(""), "200", "5001", 1), 400, "radius_m"},
		{"a latitude beyond the pole", schema.JobSites, strings.Replace(site(""), "48.1", "91", 1), 400, "lat"},
		{"a longitude beyond the antimeridian", schema.JobSites, strings.Replace(site(""), "11.5", "-181", 1), 400, "lng"},
		{"a site for another organization's project", schema.JobSites, site(`,"project":"` + tt.ProjG + `"`), 400, "project"},
		{"a site at the equator and the prime meridian", schema.JobSites, strings.Replace(strings.Replace(site(""), "48.1", "0", 1), "11.5", "0", 1), 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := factory(t)
			defer app.Cleanup()
			before := hookstest.Count(t, app, tc.collection, "id != ''", nil)
			status, body := tt.Do(t, app, "POST", hookstest.RecordsURL(tc.collection), tc.body, fx.Token(t, tt.Alice))
			if status != tc.status || (tc.field != "" && !strings.Contains(body, `"`+tc.field+`":{`)) {
				t.Fatalf("got %d %.400s, want %d naming %q", status, body, tc.status, tc.field)
			}
			added := hookstest.Count(t, app, tc.collection, "id != ''", nil) - before
			if want := map[bool]int{true: 1, false: 0}[status == 200]; added != want {
				t.Fatalf("added %d records, want %d", added, want)
			}
		})
	}
}
