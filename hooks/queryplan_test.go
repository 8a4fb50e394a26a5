package hooks_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/internal/steady"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// largeTables grow with every slot tracked: a query that scans one of them
// whole gets slower every day an organization uses Tock.
var largeTables = []string{"screenshots", "activities", "activity_hours", "app_usage", "locations", "audit_log"}

// sqlLog records every statement the app's database pools run, as dbx logs
// it (parameters spliced in), so a test checks the SQL the code really issues.
type sqlLog struct {
	mu    sync.Mutex
	stmts []string
}

func (l *sqlLog) add(s string) {
	l.mu.Lock()
	l.stmts = append(l.stmts, s)
	l.mu.Unlock()
}

// take returns the statements logged so far and starts a new log.
func (l *sqlLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.stmts
	l.stmts = nil
	return out
}

// captureSQL hooks app's two pools (transactions inherit their log funcs)
// until the test ends.
func captureSQL(t testing.TB, app core.App) *sqlLog {
	t.Helper()
	l := &sqlLog{}
	for _, b := range []dbx.Builder{app.ConcurrentDB(), app.NonconcurrentDB()} {
		db, ok := b.(*dbx.DB)
		if !ok {
			t.Fatalf("database pool is a %T, not a *dbx.DB", b)
		}
		prevQ, prevE := db.QueryLogFunc, db.ExecLogFunc
		db.QueryLogFunc = func(_ context.Context, _ time.Duration, s string, _ *sql.Rows, _ error) { l.add(s) }
		db.ExecLogFunc = func(_ context.Context, _ time.Duration, s string, _ sql.Result, _ error) { l.add(s) }
		t.Cleanup(func() { db.QueryLogFunc, db.ExecLogFunc = prevQ, prevE })
	}
	return l
}

var (
	// A scan reads a table whole; a search bounded by the organization alone
	// reads its whole history, which at steady state is no better.
	scanLine    = regexp.MustCompile(`^(?:SCAN (\w+)|SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \(org=\?\)$)`)
	limitClause = regexp.MustCompile(`(?i)\bLIMIT \d+\s*$`)
	planned     = regexp.MustCompile(`(?i)^\s*(SELECT|WITH|DELETE|UPDATE)\b`)
	aliasClause = regexp.MustCompile("(?i)\\b(?:FROM|JOIN)\\s+(?:`|\\{\\{)?(\\w+)(?:`|\\}\\})?\\s+(?:AS\\s+)?`?(\\w+)`?") // `t` a, {{t}} a
	largeTable  = regexp.MustCompile(`(?i)\b(` + strings.Join(largeTables, "|") + `)\b`)
)

// explain returns the lines of stmt's query plan.
func explain(t testing.TB, app core.App, stmt string) []string {
	t.Helper()
	var rows []struct {
		Detail string `db:"detail"`
	}
	if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + stmt).All(&rows); err != nil {
		t.Fatalf("explain %s: %v", stmt, err)
	}
	plan := make([]string, len(rows))
	for i, r := range rows {
		plan[i] = r.Detail
	}
	return plan
}

// fullScans returns the lines of a statement's plan that read a large table
// whole (a table scan, or a walk of a whole index of it) or an organization's
// whole history of it. A walk in index order that a LIMIT stops (the newest
// 200 audit entries) reads only that many rows, and passes.
func fullScans(stmt string, plan []string) []string {
	limited := limitClause.MatchString(stmt)
	for _, line := range plan {
		if strings.Contains(line, "FOR ORDER BY") {
			limited = false // sorted after reading everything
		}
	}
	aliases := map[string]string{}
	for _, m := range aliasClause.FindAllStringSubmatch(stmt, -1) {
		aliases[m[2]] = m[1]
	}
	var scans []string
	for _, line := range plan {
		m := scanLine.FindStringSubmatch(line)
		if m == nil || (m[2] != "" && limited) {
			continue
		}
		name := m[1] + m[2]
		if table, ok := aliases[name]; ok {
			name = table // "SCAN a" reads activities when the statement says "activities a"
		}
		for _, table := range largeTables {
			// Joins alias a table by its relation (e.g. app_usage_activity).
			if name == table || strings.HasPrefix(name, table+"_") {
				scans = append(scans, line)
			}
		}
	}
	return scans
}

// assertIndexed explains every statement on a large table that the last
// step issued, and fails on each full scan. With bound, each statement's plan
// must also search by it (e.g. "user=? AND taken_at>?": one member's day
// rather than the organization's).
func assertIndexed(t *testing.T, app core.App, log *sqlLog, step, bound string) {
	t.Helper()
	stmts := log.take()
	checked := 0
	for _, s := range stmts {
		if !planned.MatchString(s) || !largeTable.MatchString(s) {
			continue
		}
		checked++
		plan := explain(t, app, s)
		if scans := fullScans(s, plan); len(scans) > 0 {
			t.Errorf("%s: full scan %q of\n%s", step, scans, s)
		}
		if bound != "" && !strings.Contains(strings.Join(plan, "\n"), bound) {
			t.Errorf("%s: plan %q doesn't search by %s:\n%s", step, plan, bound, s)
		}
	}
	if checked == 0 {
		t.Errorf("%s: issued no query on a large table (of %d statements): the step doesn't exercise what it names", step, len(stmts))
	}
}

// TestHotPathsUseIndexes runs every request that is frequent or that reads a
// large table over a day, a week or a month — the agent's uploads, the
// gallery, dashboards, reports (time, apps and URLs), timesheets, the locations and audit pages,
// lists narrowed by permissions — and retention, on the real schema, and
// checks that no statement they issue scans screenshots, activities,
// app_usage, locations or audit_log whole.
func TestHotPathsUseIndexes(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	hookstest.SetToggles(t, p.App, true)
	// A few days of a second organization's history, and the statistics
	// Tock gathers hourly, so the planner sees tables shaped as at steady
	// state: many organizations' rows, a member's share, a slot's few apps.
	if err := steady.Fill(p.App, steady.Shape{Members: 5, Days: 3}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := hooks.RefreshStatistics(p.App); err != nil {
		t.Fatal(err)
	}
	scaleStatistics(t, p.App, 1000)
	log := captureSQL(t, p.App)

	start := hookstest.Slot()
	act := p.Track(t, tt.Walt, tt.ProjA, start)
	assertIndexed(t, p.App, log, "ingest a new activity", "")
	p.Track(t, tt.Walt, tt.ProjA, start)
	assertIndexed(t, p.App, log, "ingest an activity again", "")
	s := p.Capture(t, tt.Walt, act, start, 1)
	assertIndexed(t, p.App, log, "ingest a screenshot", "")
	status, _, body := tt.Send(p.Handler, tt.ScreenshotRequest(t, p.Token(t, tt.Walt), ingest.Screenshot{
		ClientID: s.ClientID, Org: tt.Acme, Activity: act, TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Width: 64, Height: 48,
	}, s.Env))
	if status != http.StatusOK {
		t.Fatalf("repeat upload: %d %s", status, body)
	}
	assertIndexed(t, p.App, log, "ingest a screenshot again", "")
	status, _, body = tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, "/api/tock/orgs/"+tt.Acme+"/locations", hookstest.Batch(hookstest.Point("loc-plan-0001", start, 52.1, 4.3, "")), p.Token(t, tt.Walt)))
	if status != http.StatusOK {
		t.Fatalf("locations: %d %s", status, body)
	}
	assertIndexed(t, p.App, log, "ingest locations", "")

	slotRecord, err := p.App.FindFirstRecordByData(schema.Activities, "client_id", act)
	if err != nil {
		t.Fatal(err)
	}
	log.take() // the test's own lookup
	day := start.Truncate(24 * time.Hour)
	from, until := dbDay(day), dbDay(day.Add(24*time.Hour))
	weekFrom, weekUntil := dbDay(day.Add(-6*24*time.Hour)), dbDay(day.Add(24*time.Hour))
	month := day.AddDate(0, 0, -29).Format("2006-01-02")
	lists := map[string]string{
		"gallery screenshots": listURL(schema.Screenshots, fmt.Sprintf(`user = %q && taken_at >= %q && taken_at < %q`, tt.Walt, from, until), "taken_at", "500", ""),
		"gallery app usage": listURL(schema.AppUsage, fmt.Sprintf(`activity = %q || activity = %q`, slotRecord.Id, tt.DataID("act", tt.Walt, tt.ProjA)),
			"-seconds", "1000", "activity,app,title,url,seconds"),
		"gallery slots":        listURL(schema.Activities, fmt.Sprintf(`slot_start >= %q && slot_start < %q && user = %q`, from, until, tt.Walt), "slot_start", "1000", ""),
		"latest screenshots":   listURL(schema.Screenshots, fmt.Sprintf(`user = %q`, tt.Walt), "-taken_at", "6", ""),
		"timesheet week slots": listURL(schema.Activities, fmt.Sprintf(`slot_start >= %q && slot_start < %q && user = %q`, weekFrom, weekUntil, tt.Walt), "slot_start", "1000", ""),
		"team week slots":      listURL(schema.Activities, fmt.Sprintf(`slot_start >= %q && slot_start < %q`, weekFrom, weekUntil), "slot_start", "1000", ""),
		"locations week":       listURL(schema.Locations, fmt.Sprintf(`recorded_at >= %q && recorded_at < %q`, weekFrom, weekUntil), "recorded_at", "1000", "user,recorded_at"),
		"audit log":            listURL(schema.AuditLog, fmt.Sprintf(`org = %q`, tt.Acme), "-created", "200", ""),
	}
	routes := map[string]string{
		"gallery day":     "/api/tock/orgs/" + tt.Acme + "/gallery?day=" + day.Format("2006-01-02") + "&user=" + tt.Walt,
		"gallery all":     "/api/tock/orgs/" + tt.Acme + "/gallery?day=" + day.Format("2006-01-02") + "&user=all",
		"me dashboard":    "/api/tock/orgs/" + tt.Acme + "/dashboard/me",
		"team dashboard":  "/api/tock/orgs/" + tt.Acme + "/dashboard/team",
		"month report":    "/api/tock/orgs/" + tt.Acme + "/reports?group=member,day&from=" + month + "&to=" + day.Format("2006-01-02"),
		"member report":   "/api/tock/orgs/" + tt.Acme + "/reports?group=project,day&user=" + tt.Walt + "&from=" + month + "&to=" + day.Format("2006-01-02"),
		"project report":  "/api/tock/orgs/" + tt.Acme + "/reports?group=member&project=" + tt.ProjA + "&from=" + month + "&to=" + day.Format("2006-01-02"),
		"month apps":      "/api/tock/orgs/" + tt.Acme + "/reports/apps?by=domain&from=" + month + "&to=" + day.Format("2006-01-02"),
		"member apps":     "/api/tock/orgs/" + tt.Acme + "/reports/apps?user=" + tt.Walt + "&from=" + month + "&to=" + day.Format("2006-01-02"),
		"week breaks":     "/api/tock/orgs/" + tt.Acme + "/breaks?user=" + tt.Walt + "&from=" + day.AddDate(0, 0, -6).Format("2006-01-02") + "&to=" + day.Format("2006-01-02"),
		"summary preview": "/api/tock/orgs/" + tt.Acme + "/summaries/preview?period=weekly&day=" + day.Format("2006-01-02"),
		"attendance":      "/api/tock/orgs/" + tt.Acme + "/schedules/attendance?day=" + tt.Slot.Format("2006-01-02"),
	}
	// Each role narrows lists differently: all, assigned projects, led teams, self.
	for _, who := range []string{tt.Alice, tt.Bob, tt.Pam, tt.Tess, tt.Walt} {
		token := p.Token(t, who)
		for name, u := range lists {
			if name == "audit log" && who != tt.Alice {
				continue // owners only
			}
			checkGet(t, p, log, who+": "+name, u, token)
		}
		for name, u := range routes {
			checkGet(t, p, log, who+": "+name, u, token)
		}
	}

	// Everything above expires: retention deletes records, app usage and
	// blobs, and sweeps a blob no record points to.
	orphan := "screenshots/" + tt.Acme + "/2026-01-01/orphan-plan.tock"
	if err := p.Store.Put(context.Background(), orphan, strings.NewReader("sealed"), 6); err != nil {
		t.Fatal(err)
	}
	// Twice: the second run starts from the marks the first left (the apps
	// uploaded since, the sweep's place).
	for range 2 {
		if _, err := p.Server.RunRetention(context.Background(), p.App, time.Now().Add(400*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	assertIndexed(t, p.App, log, "retention", "")
}

// bounds are the index searches a day's list of one member must make.
var bounds = map[string]string{
	"gallery screenshots": "user=? AND taken_at>? AND taken_at<?",
	"gallery slots":       "user=? AND slot_start>? AND slot_start<?",
	"gallery app usage":   "activity=?",
}

// listURL is a records list as the web app's SDK asks for it.
func listURL(collection, filter, sort, perPage, fields string) string {
	q := url.Values{"page": {"1"}, "perPage": {perPage}, "skipTotal": {"1"}, "filter": {filter}, "sort": {sort}}
	if fields != "" {
		q.Set("fields", fields)
	}
	return "/api/collections/" + collection + "/records?" + q.Encode()
}

// checkGet sends a GET and checks the plans of what it read; a request the
// role may not make reads nothing large, so it is only drained from the log.
func checkGet(t *testing.T, p hookstest.Pipeline, log *sqlLog, step, u, token string) {
	t.Helper()
	status, _, body := tt.Send(p.Handler, tt.JSONRequest(http.MethodGet, u, "", token))
	switch status {
	case http.StatusOK:
		assertIndexed(t, p.App, log, step, bounds[strings.SplitN(step, ": ", 2)[1]])
	case http.StatusForbidden:
		log.take()
	default:
		t.Fatalf("%s: GET %s: %d %.300s", step, u, status, body)
	}
}

func dbDay(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

// scaleStatistics makes the large tables' statistics those of a database k
// times larger with the same shape: k times the rows, and k times the rows
// per value of each index prefix that groups many (an organization, a
// member) while those that pick a few (a slot, a client id) stay as they
// are. The planner then weighs a test's small tables as it would a year's.
func scaleStatistics(t *testing.T, app core.App, k int) {
	t.Helper()
	var rows []struct {
		Tbl  string `db:"tbl"`
		Idx  string `db:"idx"`
		Stat string `db:"stat"`
	}
	if err := app.DB().NewQuery("SELECT tbl, idx, stat FROM sqlite_stat1").All(&rows); err != nil {
		t.Fatalf("statistics: %v", err)
	}
	for _, r := range rows {
		if !slices.Contains(largeTables, r.Tbl) {
			continue
		}
		fields := strings.Fields(r.Stat)
		for i, f := range fields {
			n, err := strconv.Atoi(f)
			if err != nil {
				break // the numbers come first, then options
			}
			if i == 0 || n > 10 {
				fields[i] = strconv.Itoa(n * k)
			}
		}
		_, err := app.DB().NewQuery("UPDATE sqlite_stat1 SET stat = {:stat} WHERE tbl = {:tbl} AND idx IS {:idx}").
			Bind(dbx.Params{"stat": strings.Join(fields, " "), "tbl": r.Tbl, "idx": r.Idx}).Execute()
		if err != nil {
			t.Fatalf("scale statistics of %s: %v", r.Idx, err)
		}
	}
	// Loads the changed statistics into the planner.
	if _, err := app.DB().NewQuery("ANALYZE sqlite_schema").Execute(); err != nil {
		t.Fatalf("reload statistics: %v", err)
	}
}
