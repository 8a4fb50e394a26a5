package tracking_test

import (
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// The matrix seed gives everyone who tracks 300 s of "editor" on
// https://intranet.example/<their id> in their slot of project A at 09:00
// on 2026-11-02, Walt in B too.
const seedRange = "?from=2026-11-02&to=2026-11-02"

// TestAppsReport: each role sees the apps (and sites) of exactly the members
// and projects "View Apps" ("View URLs") gives it; the rest is refused.
func TestAppsReport(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	a := func(u string) string { return u + "/" + tt.ProjA }
	acmeA := []string{a(tt.Alice), a(tt.Bob), a(tt.Carol), a(tt.Pam), a(tt.Tess), a(tt.Walt)}
	all := append(slices.Clone(acmeA), tt.Walt+"/"+tt.ProjB)
	cases := []struct {
		name, user, query string
		status            int
		rows              []string // member/project of the rows, 300 s each
		name_             string   // what each row names
	}{
		{name: "owner sees everyone's apps", user: tt.Alice, query: seedRange, status: 200, rows: all, name_: "editor"},
		{name: "owner sees everyone's sites", user: tt.Alice, query: seedRange + "&by=domain", status: 200, rows: all, name_: "intranet.example"},
		{name: "manager sees everyone's", user: tt.Bob, query: seedRange, status: 200, rows: all, name_: "editor"},
		{name: "project manager sees their project's", user: tt.Pam, query: seedRange, status: 200, rows: acmeA, name_: "editor"},
		{name: "project viewer sees their project's", user: tt.Vic, query: seedRange + "&by=domain", status: 200, rows: acmeA, name_: "intranet.example"},
		{name: "team lead sees their team's projects and members", user: tt.Tess, query: seedRange, status: 200, rows: all, name_: "editor"},
		{name: "a plain user sees their own", user: tt.Walt, query: seedRange, status: 200, rows: []string{a(tt.Walt), tt.Walt + "/" + tt.ProjB}, name_: "editor"},
		{name: "a plain user's sites are their own too", user: tt.Carol, query: seedRange + "&by=domain", status: 200, rows: []string{a(tt.Carol)}, name_: "intranet.example"},
		{name: "a plain user asking for someone else gets nothing", user: tt.Walt, query: seedRange + "&user=" + tt.Alice, status: 200, rows: nil},
		{name: "a user who tracked nothing gets nothing", user: tt.Nia, query: seedRange, status: 200, rows: nil},
		{name: "the project filter narrows", user: tt.Alice, query: seedRange + "&project=" + tt.ProjB, status: 200, rows: []string{tt.Walt + "/" + tt.ProjB}, name_: "editor"},
		{name: "another day is empty", user: tt.Alice, query: "?from=2026-11-03&to=2026-11-04", status: 200, rows: nil},
		{name: "by must be app or domain", user: tt.Alice, query: seedRange + "&by=title", status: 400},
		{name: "a range is required", user: tt.Alice, query: "?from=2026-11-02", status: 400},
		{name: "a user filter must be an id", user: tt.Alice, query: seedRange + "&user=x'--", status: 400},
		{name: "format must be json or csv", user: tt.Alice, query: seedRange + "&format=xml", status: 400},
		{name: "another organization's owner gets 404", user: tt.Dave, query: seedRange, status: 404},
		{name: "a member of nothing gets 404", user: tt.Erin, query: seedRange, status: 404},
		{name: "signing in is required", query: seedRange, status: 401},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: http.MethodGet, URL: hookstest.OrgURL(api.AppsReportRoute, tt.Acme) + tc.query,
			ExpectedStatus: tc.status, TestAppFactory: factory,
		}
		if tc.user != "" {
			sc.Headers = fx.Auth(t, tc.user)
		}
		if tc.status != 200 {
			sc.ExpectedContent = []string{`"data":{}`}
			sc.NotExpectedContent = []string{`"rows"`}
			sc.Test(t)
			continue
		}
		sc.ExpectedContent = []string{`"rows":[`}
		sc.AfterTestFunc = func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			got := hookstest.Decoded[api.AppsReport](t, res)
			var rows []string
			for _, r := range got.Rows {
				rows = append(rows, r.MemberID+"/"+r.ProjectID)
				if r.Seconds != 300 || r.Name != tc.name_ || r.Member == "" || r.Project == "" {
					t.Errorf("row %+v, want 300 s of %q, named member and project", r, tc.name_)
				}
			}
			slices.Sort(rows)
			want := slices.Sorted(slices.Values(tc.rows))
			if !slices.Equal(rows, want) {
				t.Errorf("rows %v, want %v", rows, want)
			}
			if got.Total != 300*len(want) {
				t.Errorf("total %d s, want %d", got.Total, 300*len(want))
			}
		}
		sc.Test(t)
	}
}

// TestAppsReportCSV: the CSV carries the JSON's rows under its fixed header.
func TestAppsReportCSV(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	sc := tests.ApiScenario{
		Name: "csv", Method: http.MethodGet, URL: hookstest.OrgURL(api.AppsReportRoute, tt.Acme) + seedRange + "&by=domain&format=csv&user=" + tt.Walt,
		Headers: fx.Auth(t, tt.Alice), ExpectedStatus: 200, TestAppFactory: factory,
		ExpectedContent: []string{strings.Join(api.AppsReportCSVColumns, ",")},
		AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
			if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "tock-domains-2026-11-02-2026-11-02.csv") {
				t.Errorf("Content-Disposition %q", cd)
			}
			recs, err := csv.NewReader(res.Body).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 3 {
				t.Fatalf("%d records, want a header and Walt's two projects: %v", len(recs), recs)
			}
			for _, r := range recs[1:] {
				if r[0] != tt.Walt || r[4] != "domain" || r[5] != "intranet.example" || r[6] != "300" || r[7] != "0.08" {
					t.Errorf("row %v", r)
				}
			}
		},
	}
	sc.Test(t)
}
