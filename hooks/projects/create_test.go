package projects_test

import (
	"encoding/json"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func TestCreateProjectWithTeam(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, user, body string
		toggles          bool
		status           int
		linked           bool
	}{
		{"team lead, toggle on, own team", tt.Tess, `{"name":"Lead's","team":"` + tt.TeamT + `"}`, true, 200, true},
		{"team lead, toggle off", tt.Tess, `{"name":"Lead's","team":"` + tt.TeamT + `"}`, false, 403, false},
		{"team lead, another team", tt.Tess, `{"name":"Lead's","team":"` + tt.TeamU + `"}`, true, 403, false},
		{"team lead, no team", tt.Tess, `{"name":"Lead's"}`, true, 400, false},
		{"team lead, empty name", tt.Tess, `{"name":" ","team":"` + tt.TeamT + `"}`, true, 400, false},
		{"team lead, another org's client", tt.Tess, `{"name":"Lead's","team":"` + tt.TeamT + `","client":"` + tt.CliG + `"}`, true, 400, false},
		{"manager, no team", tt.Bob, `{"name":"Lead's","client":"` + tt.Cli + `"}`, false, 200, false},
		{"manager, a team", tt.Bob, `{"name":"Lead's","team":"` + tt.TeamU + `"}`, false, 200, true},
		{"owner, another org's team", tt.Alice, `{"name":"Lead's","team":"` + tt.TeamG + `"}`, false, 404, false},
		{"user", tt.Carol, `{"name":"Lead's","team":"` + tt.TeamT + `"}`, true, 403, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := fx.App(t)
			defer app.Cleanup()
			hookstest.SetToggles(t, app, tc.toggles)
			status, body := tt.Do(t, app, "POST", hookstest.OrgURL(api.CreateProjectRoute, tt.Acme), tc.body, fx.Token(t, tc.user))
			if status != tc.status {
				t.Fatalf("%d %s, want %d", status, body, tc.status)
			}
			n, _ := app.CountRecords(schema.Projects, dbx.HashExp{"name": "Lead's"})
			links, _ := app.CountRecords(schema.TeamProjects, dbx.NewExp("project IN (SELECT id FROM projects WHERE name = 'Lead''s')"))
			if want := map[bool]int64{true: 1, false: 0}[status == 200]; n != want {
				t.Fatalf("%d projects made, want %d", n, want)
			}
			if (links == 1) != tc.linked {
				t.Fatalf("%d team links, linked=%v", links, tc.linked)
			}
			if status == 200 {
				var out api.NewProjectCreated
				if err := json.Unmarshal([]byte(body), &out); err != nil || out.ID == "" || out.Org != tt.Acme {
					t.Fatalf("answer: %s", body)
				}
			}
		})
	}
}
