package tracking_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// Ids of the break policies the break tests plant in Acme.
const (
	shortBreak = "brkshort0000001" // after 60 minutes, 15 minutes, paid
	lunchBreak = "brklunch0000001" // after 180 minutes, 30 minutes, unpaid
)

var breakDay = time.Date(2026, 6, 10, 0, 0, 0, 0, time.UTC)

func at(h, m int) time.Time {
	return breakDay.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// plantBreaks gives Acme two policies and a day on which Walt takes both
// breaks (the lunch one across projects) and Carol the short one.
func plantBreaks(t testing.TB, app core.App) {
	t.Helper()
	// The seed's own policy would claim the short break first.
	if r, err := app.FindRecordById(schema.BreakPolicies, tt.BrkA); err == nil {
		if err := app.Delete(r); err != nil {
			t.Fatal(err)
		}
	}
	s := &tt.Seeder{App: app}
	s.Create(schema.BreakPolicies, shortBreak, map[string]any{"org": tt.Acme, "name": "Short", "after_minutes": 60, "break_minutes": 15, "paid": true})
	s.Create(schema.BreakPolicies, lunchBreak, map[string]any{"org": tt.Acme, "name": "Lunch", "after_minutes": 180, "break_minutes": 30})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	var acts []hookstest.
		// Walt: 2 h in A, a 20-minute gap (short break, 15 counted), 100 min in
		// B, a 40-minute gap (lunch, 30 counted), 80 min in A; the next day one
		// hour and nothing after: the night is no break.
		Act

	acts = append(acts, hookstest.Run(tt.Walt, tt.ProjA, at(8, 0), 12)...)
	acts = append(acts, hookstest.Run(tt.Walt, tt.ProjB, at(10, 20), 10)...)
	acts = append(acts, hookstest.Run(tt.Walt, tt.ProjA, at(12, 40), 8)...)
	acts = append(acts, hookstest.Run(tt.Walt, tt.ProjA, at(32, 0), 6)...)
	// Carol: a 20-minute gap after 40 minutes (too early), then another
	// after 60 more: the short break.
	acts = append(acts, hookstest.Run(tt.Carol, tt.ProjA, at(7, 0), 4)...)
	acts = append(acts, hookstest.Run(tt.Carol, tt.ProjA, at(8, 0), 6)...)
	acts = append(acts, hookstest.Run(tt.Carol, tt.ProjA, at(9, 20), 3)...)
	hookstest.Plant(t, app, acts...)
}

func TestBreaksRoute(t *testing.T) {
	ra := newReportApp(t, func(app core.App) { plantBreaks(t, app) })
	walt := []api.Break{
		{User: tt.Walt, Date: "2026-06-10", Start: at(10, 0), End: at(10, 15), Seconds: 900, Paid: true, Policy: shortBreak},
		{User: tt.Walt, Date: "2026-06-10", Start: at(12, 0), End: at(12, 30), Seconds: 1800, Paid: false, Policy: lunchBreak},
	}
	carol := []api.Break{{User: tt.Carol, Date: "2026-06-10", Start: at(9, 0), End: at(9, 15), Seconds: 900, Paid: true, Policy: shortBreak}}
	cases := []struct {
		name   string
		user   string
		org    string
		query  url.Values
		status int
		want   []api.Break
	}{
		{name: "owner: everyone's", user: tt.Alice, status: 200, want: append(slices.Clone(walt), carol...)},
		{name: "owner: one member's", user: tt.Alice, query: q("user", tt.Walt), status: 200, want: walt},
		{name: "manager: everyone's", user: tt.Bob, status: 200, want: append(slices.Clone(walt), carol...)},
		{name: "user: their own", user: tt.Carol, status: 200, want: carol},
		{name: "user: not someone else's", user: tt.Carol, query: q("user", tt.Walt), status: 403},
		{name: "project manager: only their own (none)", user: tt.Pam, status: 200, want: []api.Break{}},
		{name: "project manager: not their project's members'", user: tt.Pam, query: q("user", tt.Walt), status: 403},
		{name: "project viewer: not their project's members'", user: tt.Vic, query: q("user", tt.Walt), status: 403},
		{name: "team lead: their team's members'", user: tt.Tess, status: 200, want: walt},
		{name: "team lead: not outside the team", user: tt.Tess, query: q("user", tt.Carol), status: 403},
		{name: "another organization's owner: 404", user: tt.Dave, status: 404},
		{name: "anonymous: 401", status: 401},
		{name: "Globex: no gaps, no breaks", user: tt.Dave, org: tt.Globex, status: 200, want: []api.Break{}},
		{name: "a bad day: 400", user: tt.Alice, query: q("from", "10 June"), status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			query := url.Values{"from": {"2026-06-10"}, "to": {"2026-06-11"}}
			for k, v := range tc.query {
				query[k] = v
			}
			status, _, body := ra.get(tc.user, api.BreaksRoute, hookstest.CmpOr(tc.org, tt.Acme), query)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if status != 200 {
				return
			}
			var got []api.Break
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			if strings.TrimSpace(body) == "null" {
				t.Fatalf("breaks must be a list, got null")
			}
			norm := func(bs []api.Break) []api.Break {
				out := slices.Clone(bs)
				for i := range out {
					out[i].Start, out[i].End = out[i].Start.UTC(), out[i].End.UTC()
				}
				slices.SortFunc(out, func(x, y api.Break) int { return strings.Compare(x.User+x.Start.String(), y.User+y.Start.String()) })
				return out
			}
			if g, w := norm(got), norm(tc.want); !slices.Equal(g, w) {
				t.Errorf("breaks\n got %+v\nwant %+v", g, w)
			}
		})
	}
}

// breakRows maps a member,project report onto break seconds per pair.
func breakRows(rep api.Report) map[string]int {
	out := map[string]int{}
	for _, r := range rep.Rows {
		out[hookstest.Deref(r.MemberID)+"/"+hookstest.Deref(r.ProjectID)] += r.BreakSeconds
	}
	return out
}

func TestReportBreakSeconds(t *testing.T) {
	ra := newReportApp(t, func(app core.App) { plantBreaks(t, app) })
	day := q("from", "2026-06-10", "to", "2026-06-10", "group", "member,project")
	cases := []struct {
		name  string
		user  string
		query url.Values
		want  map[string]int
		total int
	}{
		{name: "owner sees every break, on the project worked before it", user: tt.Alice, query: day,
			want:  map[string]int{tt.Walt + "/" + tt.ProjA: 900, tt.Walt + "/" + tt.ProjB: 1800, tt.Carol + "/" + tt.ProjA: 900},
			total: 3600},
		{name: "a project filter still finds the break after that project's work", user: tt.Alice,
			query: q("from", "2026-06-10", "to", "2026-06-10", "group", "member,project", "project", tt.ProjB),
			want:  map[string]int{tt.Walt + "/" + tt.ProjB: 1800}, total: 1800},
		{name: "user sees their own break", user: tt.Carol, query: day,
			want: map[string]int{tt.Carol + "/" + tt.ProjA: 900}, total: 900},
		{name: "project manager sees the project's time but no one's breaks", user: tt.Pam, query: day,
			want: map[string]int{tt.Walt + "/" + tt.ProjA: 0, tt.Carol + "/" + tt.ProjA: 0}, total: 0},
		{name: "team lead sees the team's time but no breaks", user: tt.Tess, query: day,
			want: map[string]int{tt.Walt + "/" + tt.ProjA: 0, tt.Walt + "/" + tt.ProjB: 0, tt.Carol + "/" + tt.ProjA: 0}, total: 0},
		{name: "by day, the breaks of the day add up", user: tt.Alice, query: q("from", "2026-06-10", "to", "2026-06-11", "group", "day"),
			want: nil, total: 3600},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := ra.report(t, tc.user, tc.query)
			if tc.want != nil {
				if got := breakRows(rep); !mapsEqual(got, tc.want) {
					t.Errorf("break seconds %v, want %v", got, tc.want)
				}
			}
			if rep.Totals.BreakSeconds != tc.total {
				t.Errorf("total break seconds %d, want %d", rep.Totals.BreakSeconds, tc.total)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestBreakPolicyRequests(t *testing.T) {
	fx, _ := hookstest.Seeded(t)
	factory := func(t testing.TB) *tests.TestApp {
		app := fx.App(t)
		plantBreaks(t, app)
		return app
	}
	url := hookstest.RecordsURL(schema.BreakPolicies)
	body := func(s string) *strings.Reader { return strings.NewReader(s) }
	valid := `{"org":"` + tt.Acme + `","name":"Afternoon","after_minutes":300,"break_minutes":10,"paid":true}`
	cases := []struct {
		name, user, method, url, body string
		status                        int
		expect                        []string
	}{
		{"owner creates a policy", tt.Alice, http.MethodPost, url, valid, 200, []string{`"name":"Afternoon"`}},
		{"manager creates a policy", tt.Bob, http.MethodPost, url, valid, 200, []string{`"after_minutes":300`}},
		// PocketBase checks the create rule (compiled from the matrix) before
		// Tock's hook: a refused create is its 400; a refused edit, its 404.
		{"user can't create one", tt.Carol, http.MethodPost, url, valid, 400, nil},
		{"team lead can't create one", tt.Tess, http.MethodPost, url, valid, 400, nil},
		{"another organization's owner can't create one here", tt.Dave, http.MethodPost, url, valid, 400, nil},
		{"a break of 0 minutes is refused", tt.Alice, http.MethodPost, url, strings.Replace(valid, `"break_minutes":10`, `"break_minutes":0`, 1), 400, nil},
		{"a break after more than a day is refused", tt.Alice, http.MethodPost, url, strings.Replace(valid, `"after_minutes":300`, `"after_minutes":1441`, 1), 400, nil},
		{"a break longer than 4 hours is refused", tt.Alice, http.MethodPost, url, strings.Replace(valid, `"break_minutes":10`, `"break_minutes":241`, 1), 400, nil},
		{"manager edits one", tt.Bob, http.MethodPatch, url + "/" + lunchBreak, `{"break_minutes":45}`, 200, []string{`"break_minutes":45`}},
		{"user can't edit one", tt.Carol, http.MethodPatch, url + "/" + lunchBreak, `{"break_minutes":45}`, 404, nil},
		{"project manager can't delete one", tt.Pam, http.MethodDelete, url + "/" + lunchBreak, "", 404, nil},
		{"owner deletes one", tt.Alice, http.MethodDelete, url + "/" + lunchBreak, "", 204, nil},
		{"a user reads the policies that apply to them", tt.Carol, http.MethodGet, url, "", 200, []string{shortBreak, lunchBreak}},
		{"a project viewer reads them", tt.Vic, http.MethodGet, url + "/" + shortBreak, "", 200, []string{`"paid":true`}},
		{"another organization's owner doesn't", tt.Dave, http.MethodGet, url + "/" + shortBreak, "", 404, nil},
	}
	for _, tc := range cases {
		sc := tests.ApiScenario{
			Name: tc.name, Method: tc.method, URL: tc.url, Headers: fx.Auth(t, tc.user),
			ExpectedStatus: tc.status, ExpectedContent: tc.expect, TestAppFactory: factory,
		}
		if tc.body != "" {
			sc.Body = body(tc.body)
		}
		if len(sc.ExpectedContent) == 0 && tc.status != 204 {
			sc.ExpectedContent = []string{`"status":`}
			if tc.status == 200 {
				sc.ExpectedContent = []string{`"id":`}
			}
		}
		sc.Test(t)
	}
	// Another organization's list doesn't hold Acme's policies.
	app := factory(t)
	defer app.Cleanup()
	if status, out := tt.Do(t, app, http.MethodGet, url, "", fx.Token(t, tt.Dave)); status != 200 || strings.Contains(out, shortBreak) {
		t.Errorf("Dave's list: %d %s", status, out)
	}
}

// Breaks belong to local days: a gap across local midnight is the night,
// and a break's date is the local one.
func TestBreaksFollowLocalDays(t *testing.T) {
	utc := func(h, m int) time.Time { return time.Date(2026, 3, 10, h, m, 0, 0, time.UTC) }
	ra := newReportApp(t, func(app core.App) {
		setTimezone(t, app, "Asia/Kathmandu") // +05:45: local midnight is 18:15 UTC
		var acts []hookstest.
			// 16:50–18:10 UTC is 22:35–23:55 local; 18:40 is 00:25 the next day.
			Act

		acts = append(acts, hookstest.Run(tt.Walt, tt.ProjA, utc(16, 50), 8)...)
		acts = append(acts, hookstest.Run(tt.Walt, tt.ProjA, utc(18, 40), 6)...)
		// Two hours in all from 00:25 local, a 20-minute gap, more work.
		acts = append(acts, hookstest.Run(tt.Walt, tt.ProjA, utc(19, 40), 6)...)
		acts = append(acts, hookstest.Run(tt.Walt, tt.ProjA, utc(21, 0), 2)...)
		hookstest.Plant(t, app, acts...)
	})
	status, _, body := ra.get(tt.Alice, api.BreaksRoute, tt.Acme, q("from", "2026-03-10", "to", "2026-03-11"))
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var got []api.Break
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	// The 80 minutes before midnight don't count towards the next day.
	want := []api.Break{{User: tt.Walt, Date: "2026-03-11", Start: utc(20, 40), End: utc(20, 55), Seconds: 900, Paid: true, Policy: tt.BrkA}}
	for i := range got {
		got[i].Start, got[i].End = got[i].Start.UTC(), got[i].End.UTC()
	}
	if !slices.Equal(got, want) {
		t.Errorf("breaks\n got %+v\nwant %+v", got, want)
	}
}
