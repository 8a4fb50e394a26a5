package projects_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// Ids of the project the transfer tests move from Acme to Initech.
const (
	projX   = "prjacmex0000001"
	taskX   = "taskacmex000001"
	linkX   = "tpacmetx0000001"
	pmWaltX = "pmwaltx00000001"
	pmNiaX  = "pmniax000000001"
)

// plantProjectX gives Acme a project with a client, a task assigned to Walt
// and Nia, both as project members, a link to team T, and Walt's tracked
// slot with an encrypted screenshot uploaded through the agent's protocol.
func plantProjectX(t testing.TB, p hookstest.Pipeline) (hookstest.Shot, time.Time) {
	t.Helper()
	hookstest.PlantRecord(t, p.App, schema.Projects, projX, map[string]any{"org": tt.Acme, "name": "X", "client": tt.Cli})
	hookstest.PlantRecord(t, p.App, schema.Tasks, taskX, map[string]any{"org": tt.Acme, "project": projX, "title": "x", "assignees": []string{tt.Walt, tt.Nia}})
	hookstest.PlantRecord(t, p.App, schema.ProjectMembers, pmWaltX, map[string]any{"org": tt.Acme, "project": projX, "user": tt.Walt, "role": "user"})
	hookstest.PlantRecord(t, p.App, schema.ProjectMembers, pmNiaX, map[string]any{"org": tt.Acme, "project": projX, "user": tt.Nia, "role": "user"})
	hookstest.PlantRecord(t, p.App, schema.TeamProjects, linkX, map[string]any{"org": tt.Acme, "team": tt.TeamT, "project": projX})
	start := hookstest.Slot()
	act := p.Track(t, tt.Walt, projX, start)
	return p.Capture(t, tt.Walt, act, start, 7), start
}

func transfer(t testing.TB, p hookstest.Pipeline, user, project, to string) (int, string) {
	t.Helper()
	status, _, body := tt.Send(p.Handler, tt.JSONRequest(http.MethodPost,
		strings.Replace(api.TransferProjectRoute, "{id}", project, 1), `{"org":"`+to+`"}`, p.Token(t, user)))
	return status, body
}

func orgOf(t testing.TB, app core.App, collection, id string) string {
	t.Helper()
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("%s %s: %v", collection, id, err)
	}
	return r.GetString("org")
}

func TestTransferProject(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	s, _ := plantProjectX(t, p)

	// Walt's submitted week in Acme counts the slot until it moves.
	start := hookstest.Slot()
	day := start.UTC().Truncate(24 * time.Hour)
	hookstest.PlantRecord(t, p.App, schema.Timesheets, "tshwaltsub00001", map[string]any{
		"org": tt.Acme, "user": tt.Walt, "status": schema.TimesheetSubmitted, "tracked_seconds": 600,
		"period_start": day, "period_end": day.AddDate(0, 0, 6),
	})
	hookstest.

		// Walt's shift on the project stays in Acme without it; his project
		// rate is Acme's price for the project and goes.
		PlantRecord(t, p.App, schema.Schedules, "shfwaltx0000001", map[string]any{
			"org": tt.Acme, "user": tt.Walt, "project": projX, "start": start, "end": start.Add(8 * time.Hour), "min_hours": 1,
		})
	hookstest.PlantRecord(t, p.App, schema.Rates, "ratwaltx0000001", map[string]any{
		"org": tt.Acme, "user": tt.Walt, "project": projX, "pay_rate_cents": 2000, "bill_rate_cents": 5000, "currency": "USD",
	})

	status, body := transfer(t, p, tt.Alice, projX, tt.Initech)
	if status != http.StatusOK {
		t.Fatalf("transfer: %d %s", status, body)
	}
	if shift, err := p.App.FindRecordById(schema.Schedules, "shfwaltx0000001"); err != nil ||
		shift.GetString("org") != tt.Acme || shift.GetString("project") != "" {
		t.Errorf("Walt's shift after the transfer: %v %v", shift, err)
	}
	if hookstest.Exists(p.App, schema.Rates, "ratwaltx0000001") {
		t.Error("Acme's rate for the moved project survived")
	}
	if sheet, err := p.App.FindRecordById(schema.Timesheets, "tshwaltsub00001"); err != nil || sheet.GetInt("tracked_seconds") != 0 {
		t.Errorf("the source's submitted timesheet still counts the moved time: %v %v", sheet.Get("tracked_seconds"), err)
	}
	var out api.Transferred
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	want := api.Transferred{
		Project: projX, From: tt.Acme, To: tt.Initech, Tasks: 1, Activities: 1, Screenshots: 1, AppUsage: 1,
		MembersMoved: []string{tt.Walt}, MembersDropped: []string{tt.Nia}, TeamLinksRemoved: 1, ClientCleared: true,
	}
	if hookstest.MustJSON(t, out) != hookstest.MustJSON(t, want) {
		t.Fatalf("answer:\n got %s\nwant %s", hookstest.MustJSON(t, out), hookstest.MustJSON(t, want))
	}

	for _, c := range []string{schema.Activities, schema.Screenshots, schema.AppUsage} {
		rs, err := p.App.FindAllRecords(c, dbx.HashExp{"project": projX})
		if err != nil || len(rs) != 1 || rs[0].GetString("org") != tt.Initech {
			t.Errorf("%s not moved: %v %v", c, err, rs)
		}
	}
	if orgOf(t, p.App, schema.Projects, projX) != tt.Initech || orgOf(t, p.App, schema.Tasks, taskX) != tt.Initech ||
		orgOf(t, p.App, schema.ProjectMembers, pmWaltX) != tt.Initech {
		t.Error("project, task or kept member not moved")
	}
	if hookstest.Exists(p.App, schema.ProjectMembers, pmNiaX) || hookstest.Exists(p.App, schema.TeamProjects, linkX) {
		t.Error("Nia (not in Initech) or the link to Acme's team survived")
	}
	task, _ := p.App.FindRecordById(schema.Tasks, taskX)
	if got := task.GetStringSlice("assignees"); len(got) != 1 || got[0] != tt.Walt {
		t.Errorf("assignees %v, want only Walt", got)
	}
	proj, _ := p.App.FindRecordById(schema.Projects, projX)
	if proj.GetString("client") != "" {
		t.Error("Acme's client still set on the project")
	}

	// Re-sealed for Initech: the old blob is gone, the new one opens only
	// with Initech's key and shows the same picture to Initech's owner.
	moved, _ := p.App.FindRecordById(schema.Screenshots, s.Id)
	initech, _ := p.App.FindRecordById(schema.Organizations, tt.Initech)
	if moved.GetString("key_id") != initech.GetString("key_id") || moved.GetString("storage_key") == s.Key {
		t.Fatalf("screenshot not re-sealed: key %s, blob %s", moved.GetString("key_id"), moved.GetString("storage_key"))
	}
	if p.BlobExists(t, s.Key) {
		t.Error("the blob sealed for Acme is still stored")
	}
	if raw := p.Raw(t, moved.GetString("storage_key")); bytes.Contains(raw, s.Img[:64]) || bytes.Equal(raw, s.Env) {
		t.Error("the new blob isn't a new envelope")
	}
	status, _, img := p.View(t, tt.Alice, s.Id, "image")
	if status != http.StatusOK || img != string(s.Img) {
		t.Fatalf("viewing the moved screenshot: %d (%d bytes, want %d)", status, len(img), len(s.Img))
	}
	if status, _, _ := p.View(t, tt.Walt, s.Id, "thumb"); status != http.StatusOK {
		t.Errorf("Walt can't see his own moved screenshot: %d", status)
	}
	if status, _, _ := p.View(t, tt.Bob, s.Id, "image"); status != http.StatusNotFound {
		t.Errorf("Bob (a user in Initech) sees Walt's moved screenshot: %d", status)
	}

	for _, org := range []string{tt.Acme, tt.Initech} {
		n, err := p.App.CountRecords(schema.AuditLog, dbx.HashExp{"org": org, "target_id": projX})
		if err != nil || n != 1 {
			t.Errorf("audit entries in %s: %d %v", org, n, err)
		}
	}
}

// snapshot is what a refused transfer must leave exactly as it was.
func snapshot(t testing.TB, p hookstest.Pipeline, s hookstest.Shot) string {
	t.Helper()
	var b strings.Builder
	for _, c := range []string{schema.Projects, schema.Tasks, schema.ProjectMembers, schema.TeamProjects,
		schema.Activities, schema.Screenshots, schema.AppUsage} {
		var rows []dbx.NullStringMap
		if err := p.App.DB().Select("*").From(c).OrderBy("id").All(&rows); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			for _, k := range []string{"id", "org", "project", "user", "storage_key", "key_id", "assignees", "client"} {
				if v, ok := r[k]; ok {
					b.WriteString(k + "=" + v.String + " ")
				}
			}
			b.WriteString("\n")
		}
	}
	b.WriteString(string(p.Raw(t, s.Key)))
	return b.String()
}

func TestTransferRefused(t *testing.T) {
	for _, tc := range []struct {
		name, user, project, to string
		before                  func(t testing.TB, p hookstest.Pipeline, start time.Time)
		status                  int
		code                    string
	}{
		{name: "manager of the source, user of the target", user: tt.Bob, project: projX, to: tt.Initech, status: 403},
		{name: "project member", user: tt.Walt, project: projX, to: tt.Initech, status: 403},
		{name: "not in the project's organization", user: tt.Dave, project: projX, to: tt.Globex, status: 404},
		{name: "not in the target", user: tt.Alice, project: projX, to: tt.Globex, status: 404},
		{name: "same organization", user: tt.Alice, project: projX, to: tt.Acme, status: 400},
		{name: "no organization", user: tt.Alice, project: projX, to: "", status: 400},
		{name: "time of someone outside the target", user: tt.Alice, project: tt.ProjA, to: tt.Initech, status: 409, code: api.CodeNotMember},
		{name: "approved time", user: tt.Alice, project: projX, to: tt.Initech, status: 409, code: api.CodeApprovedTime,
			before: func(t testing.TB, p hookstest.Pipeline, start time.Time) {
				day := start.UTC().Truncate(24 * time.Hour)
				hookstest.PlantRecord(t, p.App, schema.Timesheets, "tshwaltx0000001", map[string]any{
					"org": tt.Acme, "user": tt.Walt, "status": schema.TimesheetApproved,
					"period_start": day, "period_end": day.AddDate(0, 0, 6),
				})
			}},
		{name: "name taken in the target", user: tt.Alice, project: projX, to: tt.Initech, status: 409, code: api.CodeNameTaken,
			before: func(t testing.TB, p hookstest.Pipeline, _ time.Time) {
				hookstest.PlantRecord(t, p.App, schema.Projects, "prjinitechx0001", map[string]any{"org": tt.Initech, "name": "X"})
			}},
		{name: "referenced by another module", user: tt.Alice, project: projX, to: tt.Initech, status: 409, code: api.CodeProjectInUse,
			before: func(t testing.TB, p hookstest.Pipeline, _ time.Time) {
				projects, _ := p.App.FindCollectionByNameOrId(schema.Projects)
				c := core.NewBaseCollection("module_refs") // any collection pointing at the project
				c.Fields.Add(&core.RelationField{Name: "projects", CollectionId: projects.Id, MaxSelect: 10})
				if err := p.App.Save(c); err != nil {
					t.Fatal(err)
				}
				r := core.NewRecord(c)
				r.Set("projects", []string{projX})
				if err := p.App.Save(r); err != nil {
					t.Fatal(err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := hookstest.NewPipeline(t, "local", nil)
			s, start := plantProjectX(t, p)
			if tc.before != nil {
				tc.before(t, p, start)
			}
			before, blobs := snapshot(t, p, s), p.BlobCount(t)
			status, body := transfer(t, p, tc.user, tc.project, tc.to)
			if status != tc.status || !strings.Contains(body, tc.code) {
				t.Fatalf("%d %s, want %d %s", status, body, tc.status, tc.code)
			}
			if after := snapshot(t, p, s); after != before {
				t.Errorf("a refused transfer changed data:\n%s\n---\n%s", before, after)
			}
			if n := p.BlobCount(t); n != blobs {
				t.Errorf("blobs %d, were %d", n, blobs)
			}
		})
	}
}

// A screenshot whose blob the sweep already removed can't be viewed before
// the transfer and isn't carried: its record goes, the time moves.
func TestTransferDropsSweptScreenshots(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	// The seed's screenshot of Walt in B points at a blob that was never
	// stored, sealed (it says) for a key Acme doesn't have.
	shot := tt.DataID("shot", tt.Walt, tt.ProjB)
	status, body := transfer(t, p, tt.Alice, tt.ProjB, tt.Initech)
	if status != http.StatusOK {
		t.Fatalf("transfer: %d %s", status, body)
	}
	var out api.Transferred
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if out.ScreenshotsGone != 1 || out.Screenshots != 0 || out.Activities != 1 || hookstest.Exists(p.App, schema.Screenshots, shot) {
		t.Fatalf("answer %s; screenshot record left: %v", body, hookstest.Exists(p.App, schema.Screenshots, shot))
	}
	if orgOf(t, p.App, schema.Activities, tt.DataID("act", tt.Walt, tt.ProjB)) != tt.Initech {
		t.Fatal("Walt's time in B didn't move")
	}
}
