package tracking

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
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func (s *Server) registerAppsReport(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.GET(api.AppsReportRoute, func(re *core.RequestEvent) error { return s.appsReport(re, z) }),
	)
}

func (s *Server) appsReport(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	q := e.Request.URL.Query()
	by := cmp.Or(q.Get("by"), api.AppsByApp)
	feature := perms.ViewApps
	switch by {
	case api.AppsByApp:
	case api.AppsByDomain:
		feature = perms.ViewURLs
	default:
		return router.NewBadRequestError("by must be app or domain.", nil)
	}
	sc := z.Matrix.Scope(a.Actor, feature, a.Settings)
	if sc.Empty() {
		return reply.Forbidden(feature)
	}
	format := cmp.Or(q.Get("format"), "json")
	if format != "json" && format != "csv" {
		return router.NewBadRequestError("format must be json or csv.", nil)
	}
	loc := reply.OrgLocation(org)
	r, err := ledger.ParseDayRange(q.Get("from"), q.Get("to"), loc)
	if err != nil {
		return err
	}
	where := []dbx.Expression{ledger.ScopeWhere(sc, a.Actor.UserID)}
	for _, f := range []struct{ name, column string }{{"user", "a.user"}, {"project", "a.project"}} {
		id := q.Get(f.name)
		if id == "" {
			continue
		}
		if !reply.IsRecordID(id) {
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
		e.Response.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="tock-%ss-%s-%s.csv"`, by, r.From, r.To))
		return e.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
	}
	return e.JSON(http.StatusOK, rep)
}

// appsKey is one row's identity.
type appsKey struct{ user, project, name string }

// buildAppsReport reads the app usage of the slots starting in r: the
// database walks the organization's slots by start (the index every report
// uses) and each slot's few apps by their activity, never app_usage whole.
func buildAppsReport(app core.App, z *gate.Authorizer, a gate.Actor, org string, r ledger.DayRange, by string, where []dbx.Expression) (*api.AppsReport, error) {
	q := app.DB().Select("a.user", "a.project", "u.app", "u.url", "u.seconds").
		From(schema.Activities+" a").
		InnerJoin(schema.AppUsage+" u", dbx.NewExp("u.activity = a.id")).
		Where(dbx.HashExp{"a.org": org}).
		AndWhere(dbx.NewExp("a.slot_start >= {:from} AND a.slot_start < {:to}", dbx.Params{
			"from": r.Bounds[0].UTC().Format(reply.SlotLayout), "to": r.Bounds[r.Days()].UTC().Format(reply.SlotLayout)}))
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
		if by == api.AppsByDomain {
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
func appsRows(app core.App, z *gate.Authorizer, a gate.Actor, r ledger.DayRange, by string, sums map[appsKey]int) (*api.AppsReport, error) {
	keys := map[reportKey]*api.ReportTotals{}
	for k := range sums {
		keys[reportKey{user: k.user, project: k.project}] = nil
	}
	names, err := reportNames(app, z, a, keys)
	if err != nil {
		return nil, err
	}
	rep := &api.AppsReport{From: r.From, To: r.To, By: by, Rows: make([]api.AppsReportRow, 0, len(sums))}
	for k, secs := range sums {
		rep.Rows = append(rep.Rows, api.AppsReportRow{MemberID: k.user, Member: names[k.user], ProjectID: k.project,
			Project: names[k.project], Name: k.name, Seconds: secs})
		rep.Total += secs
	}
	slices.SortFunc(rep.Rows, func(x, y api.AppsReportRow) int {
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

func appsReportCSV(rep *api.AppsReport) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(api.AppsReportCSVColumns); err != nil {
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
