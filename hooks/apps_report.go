package hooks

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// AppsReportRoute is the apps and URLs report: GET ?from=YYYY-MM-DD&to=YYYY-MM-DD
// (inclusive local days, as ReportsRoute) &by=app|domain &user=&project=
// (filters) &format=json|csv.
//
// It adds up the seconds the agent recorded for each app (by=app) or each
// web site, the host name of the URL (by=domain), per member and project, for
// the slots starting in the range. "View Apps" decides whose apps are in it,
// "View URLs" whose sites, each narrowed in SQL as the time report is: one's
// own, the assigned projects', the led teams' members', or everyone's.
const AppsReportRoute = "/api/tock/orgs/{org}/reports/apps"

// What an apps report adds up.
const (
	AppsByApp    = "app"
	AppsByDomain = "domain"
)

// AppsReportCSVColumns is the apps report's CSV header, in its fixed order.
var AppsReportCSVColumns = []string{"member_id", "member", "project_id", "project", "kind", "name", "seconds", "hours"}

// AppsReport is the JSON answer of AppsReportRoute.
type AppsReport struct {
	From     string          `json:"from"`
	To       string          `json:"to"`
	Timezone string          `json:"timezone"`
	By       string          `json:"by"`
	Rows     []AppsReportRow `json:"rows"` // most seconds first
	Total    int             `json:"total_seconds"`
}

// AppsReportRow is the time of one app or domain, for one member in one project.
type AppsReportRow struct {
	MemberID  string `json:"member_id"`
	Member    string `json:"member"`
	ProjectID string `json:"project_id"`
	Project   string `json:"project"`
	Name      string `json:"name"` // the app, or the domain
	Seconds   int    `json:"seconds"`
}

func (s *Server) registerAppsReport(app core.App, z *authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.GET(AppsReportRoute, func(re *core.RequestEvent) error { return s.appsReport(re, z) }).
			Bind(apis.RequireAuth(migrations.Users))
		return e.Next()
	})
}

func (s *Server) appsReport(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	q := e.Request.URL.Query()
	by := cmp.Or(q.Get("by"), AppsByApp)
	feature := perms.ViewApps
	switch by {
	case AppsByApp:
	case AppsByDomain:
		feature = perms.ViewURLs
	default:
		return router.NewBadRequestError("by must be app or domain.", nil)
	}
	sc := z.matrix.Scope(a.actor, feature, a.settings)
	if sc.Empty() {
		return forbidden(feature)
	}
	format := cmp.Or(q.Get("format"), "json")
	if format != "json" && format != "csv" {
		return router.NewBadRequestError("format must be json or csv.", nil)
	}
	loc := orgLocation(org)
	r, err := parseDayRange(q.Get("from"), q.Get("to"), loc)
	if err != nil {
		return err
	}
	where := []dbx.Expression{scopeWhere(sc, a.actor.UserID)}
	for _, f := range []struct{ name, column string }{{"user", "a.user"}, {"project", "a.project"}} {
		id := q.Get(f.name)
		if id == "" {
			continue
		}
		if !isRecordID(id) {
			return router.NewBadRequestError(f.name+" must be an id.", nil)
		}
		where = append(where, dbx.HashExp{f.column: id})
	}
	rep, err := buildAppsReport(e.App, z, a, org.Id, r, by, where)
	if err != nil {
		return err
	}
	rep.Timezone = loc.String()
	if format == "csv" {
		body, err := appsReportCSV(rep)
		if err != nil {
			return err
		}
		e.Response.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="tock-%ss-%s-%s.csv"`, by, r.from, r.to))
		return e.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
	}
	return e.JSON(http.StatusOK, rep)
}

// appsKey is one row's identity.
type appsKey struct{ user, project, name string }

// buildAppsReport reads the app usage of the slots starting in r: the
// database walks the organization's slots by start (the index every report
// uses) and each slot's few apps by their activity, never app_usage whole.
func buildAppsReport(app core.App, z *authorizer, a orgActor, org string, r dayRange, by string, where []dbx.Expression) (*AppsReport, error) {
	q := app.DB().Select("a.user", "a.project", "u.app", "u.url", "u.seconds").
		From(migrations.Activities+" a").
		InnerJoin(migrations.AppUsage+" u", dbx.NewExp("u.activity = a.id")).
		Where(dbx.HashExp{"a.org": org}).
		AndWhere(dbx.NewExp("a.slot_start >= {:from} AND a.slot_start < {:to}", dbx.Params{
			"from": r.bounds[0].UTC().Format(slotLayout), "to": r.bounds[r.days()].UTC().Format(slotLayout)}))
	for _, w := range where {
		if w != nil {
			q = q.AndWhere(w)
		}
	}
	var used []struct {
		User    string `db:"user"`
		Project string `db:"project"`
		App     string `db:"app"`
		URL     string `db:"url"`
		Seconds int    `db:"seconds"`
	}
	if err := q.All(&used); err != nil {
		return nil, fmt.Errorf("app usage of %s: %w", org, err)
	}
	sums := map[appsKey]int{}
	for _, u := range used {
		name := u.App
		if by == AppsByDomain {
			name = domainOf(u.URL)
		}
		if name != "" {
			sums[appsKey{u.User, u.Project, name}] += u.Seconds
		}
	}
	return appsRows(app, z, a, r, by, sums)
}

// appsRows names the rows' members and projects (reportNames decides what a
// member's name reads as) and sorts them, most seconds first.
func appsRows(app core.App, z *authorizer, a orgActor, r dayRange, by string, sums map[appsKey]int) (*AppsReport, error) {
	keys := map[reportKey]*ReportTotals{}
	for k := range sums {
		keys[reportKey{user: k.user, project: k.project}] = nil
	}
	names, err := reportNames(app, z, a, keys)
	if err != nil {
		return nil, err
	}
	rep := &AppsReport{From: r.from, To: r.to, By: by, Rows: make([]AppsReportRow, 0, len(sums))}
	for k, secs := range sums {
		rep.Rows = append(rep.Rows, AppsReportRow{MemberID: k.user, Member: names[k.user], ProjectID: k.project,
			Project: names[k.project], Name: k.name, Seconds: secs})
		rep.Total += secs
	}
	slices.SortFunc(rep.Rows, func(x, y AppsReportRow) int {
		return cmp.Or(y.Seconds-x.Seconds, strings.Compare(x.Name, y.Name),
			strings.Compare(x.Member, y.Member), strings.Compare(x.MemberID, y.MemberID), strings.Compare(x.ProjectID, y.ProjectID))
	})
	return rep, nil
}

// domainOf is the host name of a recorded URL, lower case, without "www."
// or a port; "" when the URL names no host (a local file, a browser page).
func domainOf(raw string) string {
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw // agents may record a bare "example.com/path"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

func appsReportCSV(rep *AppsReport) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(AppsReportCSVColumns); err != nil {
		return nil, fmt.Errorf("write apps report header: %w", err)
	}
	for _, row := range rep.Rows {
		rec := []string{csvSafe(row.MemberID), csvSafe(row.Member), csvSafe(row.ProjectID), csvSafe(row.Project), rep.By,
			csvSafe(row.Name), strconv.Itoa(row.Seconds), strconv.FormatFloat(float64(row.Seconds)/3600, 'f', 2, 64)}
		if err := w.Write(rec); err != nil {
			return nil, fmt.Errorf("write apps report row: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write apps report: %w", err)
	}
	return buf.Bytes(), nil
}
