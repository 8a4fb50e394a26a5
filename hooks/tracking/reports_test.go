package tracking_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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

func setTimezone(t testing.TB, app core.App, tz string) {
	t.Helper()
	org, err := app.FindRecordById(schema.Organizations, tt.Acme)
	if err != nil {
		t.Fatal(err)
	}
	org.Set("timezone", tz)
	if err := app.Save(org); err != nil {
		t.Fatalf("timezone %s: %v", tz, err)
	}
}

// reportApp is a fresh matrix app with its router, for several requests.
type reportApp struct {
	t   testing.TB
	fx  *tt.Fixture
	app core.App
	h   http.Handler
}

func newReportApp(t testing.TB, setup func(app core.App)) *reportApp {
	t.Helper()
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	t.Cleanup(app.Cleanup)
	if setup != nil {
		setup(app)
	}
	return &reportApp{t: t, fx: fx, app: app, h: tt.Handler(t, app)}
}

func (ra *reportApp) get(user, route, org string, query url.Values) (int, http.Header, string) {
	ra.t.Helper()
	token := ""
	if user != "" {
		token = ra.fx.Token(ra.t, user)
	}
	return tt.Send(ra.h, tt.JSONRequest(http.MethodGet, hookstest.OrgURL(route, org)+"?"+query.Encode(), "", token))
}

func (ra *reportApp) report(t testing.TB, user string, query url.Values) api.Report {
	t.Helper()
	status, _, body := ra.get(user, api.ReportsRoute, tt.Acme, query)
	if status != 200 {
		t.Fatalf("report as %s: %d %s", user, status, body)
	}
	if strings.Contains(body, "null") {
		t.Errorf("report holds a null: %s", body)
	}
	var rep api.Report
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return rep
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// byDay sums a member,day report's tracked seconds per day.
func byDay(rep api.Report) map[string]int {
	out := map[string]int{}
	for _, r := range rep.Rows {
		out[hookstest.Deref(r.Date)] += r.TrackedSeconds
	}
	return out
}

func TestReportDaysInTheOrganizationsTimezone(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name     string
		tz       string
		from, to string
		acts     []hookstest.Act
		want     map[string]int // tracked seconds per local day
	}{
		{
			name: "Kathmandu (+05:45): a slot straddling midnight is split in half", tz: "Asia/Kathmandu",
			from: "2026-03-10", to: "2026-03-11",
			acts: []hookstest.Act{{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-03-10 18:10"), Tracked: 600, Active: 301}},
			want: map[string]int{"2026-03-10": 300, "2026-03-11": 300},
		},
		{
			name: "Kathmandu: an odd second goes to the later day, none is lost", tz: "Asia/Kathmandu",
			from: "2026-03-10", to: "2026-03-11",
			acts: []hookstest.Act{{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-03-10 18:10"), Tracked: 599, Active: 1}},
			want: map[string]int{"2026-03-10": 299, "2026-03-11": 300},
		},
		{
			name: "Kathmandu: the first day's straddling slot counts only its part after midnight", tz: "Asia/Kathmandu",
			from: "2026-03-11", to: "2026-03-11",
			acts: []hookstest.Act{{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-03-10 18:10"), Tracked: 600},
				{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-03-11 18:10"), Tracked: 600}},
			want: map[string]int{"2026-03-11": 600},
		},
		{
			name: "Kolkata (+05:30): midnight falls on a slot boundary", tz: "Asia/Kolkata",
			from: "2026-03-10", to: "2026-03-11",
			acts: []hookstest.Act{{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-03-10 18:20"), Tracked: 600},
				{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-03-10 18:30"), Tracked: 500}},
			want: map[string]int{"2026-03-10": 600, "2026-03-11": 500},
		},
		{
			name: "Berlin, 2026-03-29 has 23 hours", tz: "Europe/Berlin",
			from: "2026-03-28", to: "2026-03-30",
			// Local midnight of the 29th is 23:00 UTC on the 28th; of the 30th, 22:00 UTC on the 29th.
			acts: append(append(hookstest.Run(tt.Walt, tt.ProjA, utc("2026-03-28 23:00"), 23*6), hookstest.Act{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-03-28 22:50"), Tracked: 600}), hookstest.Act{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-03-29 22:00"), Tracked: 600}),
			want: map[string]int{"2026-03-28": 600, "2026-03-29": 23 * 3600, "2026-03-30": 600},
		},
		{
			name: "Berlin, 2026-10-25 has 25 hours", tz: "Europe/Berlin",
			from: "2026-10-24", to: "2026-10-26",
			acts: append(append(hookstest.Run(tt.Walt, tt.ProjA, utc("2026-10-24 22:00"), 25*6), hookstest.Act{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-10-24 21:50"), Tracked: 600}), hookstest.Act{User: tt.Walt, Project: tt.ProjA, Start: utc("2026-10-25 23:00"), Tracked: 600}),
			want: map[string]int{"2026-10-24": 600, "2026-10-25": 25 * 3600, "2026-10-26": 600},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ra := newReportApp(t, func(app core.App) {
				setTimezone(t, app, tc.tz)
				hookstest.Plant(t, app, tc.acts...)
			})
			rep := ra.report(t, tt.Alice, q("from", tc.from, "to", tc.to))
			if rep.Timezone != tc.tz || rep.From != tc.from || rep.To != tc.to || !slices.Equal(rep.Group, []string{"member", "day"}) {
				t.Errorf("header = %s %s %s %v", rep.Timezone, rep.From, rep.To, rep.Group)
			}
			got := byDay(rep)
			for day, want := range tc.want {
				if got[day] != want {
					t.Errorf("%s: tracked %d, want %d (all: %v)", day, got[day], want, got)
				}
			}
			sum := 0
			for _, v := range tc.want {
				sum += v
			}
			if rep.Totals.TrackedSeconds != sum || len(got) != len(tc.want) {
				t.Errorf("totals %d over %v, want %d over %v", rep.Totals.TrackedSeconds, got, sum, tc.want)
			}
		})
	}
}

// seededPairs are the member/project rows of the matrix seed's one slot.
func pairs(rep api.Report) []string {
	var out []string
	for _, r := range rep.Rows {
		out = append(out, hookstest.Deref(r.MemberID)+"/"+hookstest.Deref(r.ProjectID))
	}
	slices.Sort(out)
	return out
}

func pairsOf(ps ...string) []string {
	slices.Sort(ps)
	return ps
}

func TestReportScopePerRole(t *testing.T) {
	ra := newReportApp(t, nil)
	day := tt.Slot.Format(time.DateOnly)
	in := func(u, p string) string { return u + "/" + p }
	projA := []string{in(tt.Alice, tt.ProjA), in(tt.Bob, tt.ProjA), in(tt.Carol, tt.ProjA), in(tt.Pam, tt.ProjA), in(tt.Tess, tt.ProjA), in(tt.Walt, tt.ProjA)}
	everyone := append(slices.Clone(projA), in(tt.Walt, tt.ProjB))
	cases := []struct {
		name   string
		user   string
		org    string
		query  url.Values
		status int
		pairs  []string
	}{
		{name: "owner: everyone", user: tt.Alice, status: 200, pairs: pairsOf(everyone...)},
		{name: "manager: everyone", user: tt.Bob, status: 200, pairs: pairsOf(everyone...)},
		{name: "user: only their own time", user: tt.Carol, status: 200, pairs: pairsOf(in(tt.Carol, tt.ProjA))},
		{name: "project manager: their project's time, not project B", user: tt.Pam, status: 200, pairs: pairsOf(projA...)},
		{name: "project viewer: their project's time", user: tt.Vic, status: 200, pairs: pairsOf(projA...)},
		{name: "team lead: the team's projects and members (Walt in B too)", user: tt.Tess, status: 200, pairs: pairsOf(everyone...)},
		{name: "user without time: an empty report", user: tt.Nia, status: 200, pairs: nil},
		{name: "owner filters by member", user: tt.Alice, query: q("user", tt.Walt), status: 200, pairs: pairsOf(in(tt.Walt, tt.ProjA), in(tt.Walt, tt.ProjB))},
		{name: "owner filters by project", user: tt.Alice, query: q("project", tt.ProjB), status: 200, pairs: pairsOf(in(tt.Walt, tt.ProjB))},
		{name: "a filter never widens: a user asking for Walt", user: tt.Carol, query: q("user", tt.Walt), status: 200, pairs: nil},
		{name: "a filter never widens: a project manager asking for project B", user: tt.Pam, query: q("project", tt.ProjB), status: 200, pairs: nil},
		{name: "another organization's owner: 404", user: tt.Dave, status: 404},
		{name: "no organization: 404", user: tt.Erin, status: 404},
		{name: "anonymous: 401", user: "", status: 401},
		{name: "Globex's owner sees only Globex", user: tt.Dave, org: tt.Globex, status: 200, pairs: pairsOf(in(tt.Dave, tt.ProjG))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			query := tc.query
			if query == nil {
				query = url.Values{}
			}
			query.Set("from", day)
			query.Set("to", day)
			query.Set("group", "member,project")
			org := hookstest.CmpOr(tc.org, tt.Acme)
			status, _, body := ra.get(tc.user, api.ReportsRoute, org, query)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if status != 200 {
				return
			}
			var rep api.Report
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatal(err)
			}
			if got := pairs(rep); !slices.Equal(got, tc.pairs) {
				t.Errorf("rows %v, want %v", got, tc.pairs)
			}
			for _, r := range rep.Rows {
				if r.Date != nil || r.Task != nil || r.Member == nil || *r.Member == "" || r.Project == nil {
					t.Errorf("row keys don't follow group=member,project: %+v", r)
				}
			}
		})
	}
}

func TestReportRejectsBadQueries(t *testing.T) {
	ra := newReportApp(t, nil)
	for _, query := range []url.Values{
		q("to", "2026-11-02"),
		q("from", "2026-11-02"),
		q("from", "2026-11-2", "to", "2026-11-02"),
		q("from", "2026-11-03", "to", "2026-11-02"),
		q("from", "2025-11-01", "to", "2026-11-02"), // 367 days
		q("from", "2026-11-02", "to", "2026-11-02", "group", "member,client"),
		q("from", "2026-11-02", "to", "2026-11-02", "group", "day,day"),
		q("from", "2026-11-02", "to", "2026-11-02", "format", "xlsx"),
		q("from", "2026-11-02", "to", "2026-11-02", "user", "x' OR 1=1"),
	} {
		status, _, body := ra.get(tt.Alice, api.ReportsRoute, tt.Acme, query)
		if status != 400 || !strings.Contains(body, `"message"`) {
			t.Errorf("%s: %d %s, want a 400 that says why", query.Encode(), status, body)
		}
	}
	// 366 days is allowed (a leap year).
	if status, _, body := ra.get(tt.Alice, api.ReportsRoute, tt.Acme, q("from", "2027-11-02", "to", "2028-11-01")); status != 200 {
		t.Errorf("366 days: %d %s", status, body)
	}
}

func readCSV(t testing.TB, body string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, body)
	}
	return recs
}

func TestReportCSV(t *testing.T) {
	ra := newReportApp(t, func(app core.App) {
		hookstest.Plant(t, app, hookstest.Act{User: tt.Walt, Project: tt.ProjA, Task: tt.TaskA, Start: tt.Slot.Add(time.Hour), Tracked: 460, Active: 200}, hookstest.Act{User: tt.Walt, Project: tt.ProjA, Start: tt.Slot.Add(2 * time.Hour), Tracked: 600, Manual: true})
		r, err := app.FindRecordById(schema.Users, tt.Walt)
		if err != nil {
			t.Fatal(err)
		}
		r.Set("name", "=HYPERLINK(\"http://evil\")")
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
		task, _ := app.FindRecordById(schema.Tasks, tt.TaskA)
		task.Set("title", "@SUM(1+1)")
		if err := app.Save(task); err != nil {
			t.Fatal(err)
		}
	})
	day := tt.Slot.Format(time.DateOnly)
	status, header, body := ra.get(tt.Alice, api.ReportsRoute, tt.Acme,
		q("from", day, "to", day, "group", "member,task", "user", tt.Walt, "format", "csv"))
	if status != 200 {
		t.Fatalf("csv: %d %s", status, body)
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := header.Get("Content-Disposition"); cd != `attachment; filename="tock-report-`+day+`-`+day+`.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	recs := readCSV(t, body)
	want := "date,member_id,member,project_id,project,task_id,task,tracked_seconds,manual_seconds,active_seconds,activity_percent,break_seconds,hours"
	if strings.Join(recs[0], ",") != want {
		t.Fatalf("header %v", recs[0])
	}
	// Walt has no task in A and B (seed + manual) and task A: two rows, the
	// task-less one first ("" sorts before the title).
	if len(recs) != 3 {
		t.Fatalf("rows: %v", recs)
	}
	noTask, withTask := recs[1], recs[2]
	wantNoTask := []string{"", tt.Walt, `'=HYPERLINK("http://evil")`, "", "", "", "", "1800", "600", "1000", "83.3", "0", "0.50"}
	if !slices.Equal(noTask, wantNoTask) {
		t.Errorf("no-task row %q, want %q", noTask, wantNoTask)
	}
	wantTask := []string{"", tt.Walt, `'=HYPERLINK("http://evil")`, "", "", tt.TaskA, "'@SUM(1+1)", "460", "0", "200", "43.5", "0", "0.13"}
	if !slices.Equal(withTask, wantTask) {
		t.Errorf("task row %q, want %q", withTask, wantTask)
	}
}

// The CSV and the JSON of one report agree, and both add up to the stored
// activities.
func TestReportTotalsAgree(t *testing.T) {
	var acts []hookstest.Act
	for d := range 5 {
		for i, u := range []string{tt.Walt, tt.Carol, tt.Pam} {
			start := time.Date(2026, 6, 1+d, 6+i, 0, 0, 0, time.UTC)
			for j, a := range hookstest.Run(u, tt.ProjA, start, 7+d) {
				a.Active = (j * 37) % 600
				a.Tracked = 600 - (j*13)%200
				a.Manual = j == 3
				if j%2 == 1 {
					a.Task = tt.TaskA
				}
				acts = append(acts, a)
			}
			// After a 20-minute gap, half an hour in B: the seeded policy's
			// 15-minute break, every member-day.
			acts = append(acts, hookstest.Run(u, tt.ProjB, start.Add(time.Duration(7+d)*10*time.Minute+20*time.Minute), 3)...)
		}
	}
	const breaks = 5 * 3 * 900
	ra := newReportApp(t, func(app core.App) {
		setTimezone(t, app, "Asia/Kathmandu")
		hookstest.Plant(t, app, acts...)
	})
	var sum struct {
		Tracked int `db:"tracked"`
		Active  int `db:"active"`
		Manual  int `db:"manual"`
	}
	if err := ra.app.DB().NewQuery(`SELECT SUM(tracked_seconds) AS tracked, SUM(active_seconds) AS active,
		SUM(CASE WHEN source = 'manual' THEN tracked_seconds ELSE 0 END) AS manual
		FROM activities WHERE org = {:org} AND slot_start >= '2026-05-31' AND slot_start < '2026-06-07'`).
		Bind(dbx.Params{"org": tt.Acme}).One(&sum); err != nil {
		t.Fatal(err)
	}
	for _, group := range []string{"member,day", "project,task", "day,task,member,project"} {
		query := q("from", "2026-05-31", "to", "2026-06-07", "group", group)
		rep := ra.report(t, tt.Alice, query)
		tot := rep.Totals
		if tot.TrackedSeconds != sum.Tracked || tot.ActiveSeconds != sum.Active || tot.ManualSeconds != sum.Manual || tot.BreakSeconds != breaks {
			t.Errorf("%s: JSON totals %+v, activities %+v and %d break seconds", group, tot, sum, breaks)
		}
		var rows api.ReportTotals
		for _, r := range rep.Rows {
			rows.TrackedSeconds += r.TrackedSeconds
			rows.ActiveSeconds += r.ActiveSeconds
			rows.ManualSeconds += r.ManualSeconds
			rows.BreakSeconds += r.BreakSeconds
		}
		if want := math.Round(float64(tot.ActiveSeconds)*1000/float64(tot.TrackedSeconds-tot.ManualSeconds)) / 10; tot.ActivityPercent != want {
			t.Errorf("%s: activity %v%%, want %v%% (manual time left out)", group, tot.ActivityPercent, want)
		}
		rows.ActivityPercent = tot.ActivityPercent
		if rows != tot {
			t.Errorf("%s: rows add up to %+v, totals %+v", group, rows, tot)
		}

		query.Set("format", "csv")
		status, _, body := ra.get(tt.Alice, api.ReportsRoute, tt.Acme, query)
		if status != 200 {
			t.Fatalf("csv: %d %s", status, body)
		}
		recs := readCSV(t, body)
		if len(recs)-1 != len(rep.Rows) {
			t.Errorf("%s: %d CSV rows, %d JSON rows", group, len(recs)-1, len(rep.Rows))
		}
		col := func(name string) int { return slices.Index(recs[0], name) }
		var tracked, active, manual, brk int
		for _, rec := range recs[1:] {
			n := func(name string) int {
				v, err := strconv.Atoi(rec[col(name)])
				if err != nil {
					t.Fatalf("%s = %q", name, rec[col(name)])
				}
				return v
			}
			tracked += n("tracked_seconds")
			active += n("active_seconds")
			manual += n("manual_seconds")
			brk += n("break_seconds")
		}
		if tracked != tot.TrackedSeconds || active != tot.ActiveSeconds || manual != tot.ManualSeconds || brk != tot.BreakSeconds {
			t.Errorf("%s: CSV adds up to tracked %d active %d manual %d breaks %d, JSON totals %+v", group, tracked, active, manual, brk, tot)
		}
	}
}
