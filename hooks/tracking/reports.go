package tracking

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

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

func (s *Server) registerReports(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.GET(api.ReportsRoute, func(re *core.RequestEvent) error { return s.report(re, z) }),
	)
}

func parseGroups(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return []string{api.GroupMember, api.GroupDay}, nil
	}
	var out []string
	for _, g := range strings.Split(s, ",") {
		g = strings.TrimSpace(g)
		switch g {
		case api.GroupMember, api.GroupProject, api.GroupTask, api.GroupDay:
		default:
			return nil, router.NewBadRequestError(fmt.Sprintf("group: %q is not one of member, project, task, day.", g), nil)
		}
		if slices.Contains(out, g) {
			return nil, router.NewBadRequestError(fmt.Sprintf("group: %q is listed twice.", g), nil)
		}
		out = append(out, g)
	}
	return out, nil
}

// reportKey is one row's identity; keys not grouped stay zero.
type reportKey struct {
	day                 int
	user, project, task string
}

func (s *Server) report(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	sc := z.Matrix.Scope(a.Actor, perms.GenerateReports, a.Settings)
	if sc.Empty() {
		return reply.Forbidden(perms.GenerateReports)
	}
	q := e.Request.URL.Query()
	format := cmp.Or(q.Get("format"), "json")
	if format != "json" && format != "csv" {
		return router.NewBadRequestError("format must be json or csv.", nil)
	}
	groups, err := parseGroups(q.Get("group"))
	if err != nil {
		return err
	}
	loc := reply.OrgLocation(org)
	r, err := ledger.ParseDayRange(q.Get("from"), q.Get("to"), loc)
	if err != nil {
		return err
	}
	user, project := q.Get("user"), q.Get("project")
	for name, id := range map[string]string{"user": user, "project": project} {
		if id != "" && !reply.IsRecordID(id) {
			return router.NewBadRequestError(name+" must be an id.", nil)
		}
	}

	report, err := s.buildReport(e.App, z, a, org.Id, r, groups, user, project, sc)
	if err != nil {
		return err
	}
	report.Timezone = loc.String()
	if format == "csv" {
		body, err := reportCSV(report)
		if err != nil {
			return err
		}
		e.Response.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="tock-report-%s-%s.csv"`, r.From, r.To))
		return e.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
	}
	return e.JSON(http.StatusOK, report)
}

func (s *Server) buildReport(app core.App, z *gate.Authorizer, a gate.Actor, org string, r ledger.DayRange, groups []string,
	user, project string, sc perms.Scope) (*api.Report, error) {
	slotLen := s.cfg.SlotLen()
	self := a.Actor.UserID
	var filters []dbx.Expression
	if user != "" {
		filters = append(filters, dbx.HashExp{"a.user": user})
	}
	if project != "" {
		filters = append(filters, dbx.HashExp{"a.project": project})
	}
	where := append(filters, ledger.ScopeWhere(sc, self))

	grouped := map[string]bool{}
	for _, g := range groups {
		grouped[g] = true
	}
	keyOf := func(day int, user, project, task string) reportKey {
		var k reportKey
		k.day = -1
		if grouped[api.GroupDay] {
			k.day = day
		}
		if grouped[api.GroupMember] {
			k.user = user
		}
		if grouped[api.GroupProject] {
			k.project = project
		}
		if grouped[api.GroupTask] {
			k.task = task
		}
		return k
	}
	rows := map[reportKey]*api.ReportTotals{}
	addTo := func(k reportKey, t api.ReportTotals) {
		row := rows[k]
		if row == nil {
			row = &api.ReportTotals{}
			rows[k] = row
		}
		row.Add(t)
	}
	if err := ledger.EachRangeTotal(app, org, r, slotLen, where, func(day int, user, project, task string, t api.Totals) {
		addTo(keyOf(day, user, project, task), api.ReportTotals{TrackedSeconds: t.Tracked, ManualSeconds: t.Manual, ActiveSeconds: t.Active})
	}); err != nil {
		return nil, err
	}

	if err := s.addBreaks(app, z, a, org, r, where, user, project, sc, slotLen, addTo, keyOf); err != nil {
		return nil, err
	}

	names, err := reportNames(app, z, a, rows)
	if err != nil {
		return nil, err
	}
	report := &api.Report{From: r.From, To: r.To, Group: groups, Rows: make([]api.ReportRow, 0, len(rows))}
	keys := make([]reportKey, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y reportKey) int {
		for _, g := range groups {
			var c int
			switch g {
			case api.GroupDay:
				c = cmp.Compare(x.day, y.day)
			case api.GroupMember:
				c = cmp.Or(strings.Compare(strings.ToLower(names[x.user]), strings.ToLower(names[y.user])), strings.Compare(x.user, y.user))
			case api.GroupProject:
				c = cmp.Or(strings.Compare(strings.ToLower(names[x.project]), strings.ToLower(names[y.project])), strings.Compare(x.project, y.project))
			case api.GroupTask:
				c = cmp.Or(strings.Compare(strings.ToLower(names[x.task]), strings.ToLower(names[y.task])), strings.Compare(x.task, y.task))
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	str := func(s string) *string { return &s }
	for _, k := range keys {
		t := *rows[k]
		t.Finish()
		report.Totals.Add(t)
		row := api.ReportRow{ReportTotals: t}
		if grouped[api.GroupDay] {
			row.Date = str(r.Date(k.day))
		}
		if grouped[api.GroupMember] {
			row.MemberID, row.Member = str(k.user), str(names[k.user])
		}
		if grouped[api.GroupProject] {
			row.ProjectID, row.Project = str(k.project), str(names[k.project])
		}
		if grouped[api.GroupTask] {
			row.TaskID, row.Task = str(k.task), str(names[k.task])
		}
		report.Rows = append(report.Rows, row)
	}
	report.Totals.Finish()
	return report, nil
}

// addBreaks adds the derived breaks of the members whose breaks the
// requester may see in reports to the rows of the slots before them: the
// report's slots (where narrows them) are read only when there are breaks
// to find.
func (s *Server) addBreaks(app core.App, z *gate.Authorizer, a gate.Actor, org string, r ledger.DayRange, where []dbx.Expression,
	user, project string, sc perms.Scope, slotLen time.Duration,
	addTo func(reportKey, api.ReportTotals), keyOf func(int, string, string, string) reportKey) error {
	view := z.Matrix.Scope(a.Actor, perms.ViewWorkBreaksInReports, a.Settings)
	if view.Empty() {
		return nil
	}
	policies, err := loadBreakPolicies(app, org)
	if err != nil || len(policies) == 0 {
		return err
	}
	slots, err := ledger.LoadRangeSlots(app, org, r, slotLen, where...)
	if err != nil || len(slots) == 0 {
		return err
	}
	// Breaks need each member's whole timeline: the report's slots are it
	// unless they were narrowed to projects; then read the members' slots again.
	timeline := slots
	if project != "" || (!sc.All && len(sc.Projects) > 0) {
		// Only the members whose breaks the requester may see.
		var members []string
		for i := range slots {
			u := slots[i].User
			if len(members) > 0 && members[len(members)-1] == u {
				continue
			}
			if view.All || len(view.Projects) > 0 || (view.Self && u == a.Actor.UserID) || slices.Contains(view.Users, u) {
				members = append(members, u)
			}
		}
		if len(members) == 0 {
			return nil
		}
		timeline, err = ledger.LoadSlots(app, org, r.Bounds[0], r.Bounds[len(r.Bounds)-1], dbx.In("a.user", reply.AnySlice(members)...))
		if err != nil {
			return err
		}
	}
	for _, b := range deriveBreaks(timeline, policies, r, slotLen) {
		if (user != "" && b.User != user) || (project != "" && b.Project != project) ||
			!ledger.InScope(sc, a.Actor.UserID, b.User, b.Project) ||
			!z.Decide(a, perms.ViewWorkBreaksInReports, perms.Target{OwnerID: b.User, ProjectID: b.Project}).Allowed {
			continue
		}
		addTo(keyOf(b.Day, b.User, b.Project, b.Task), api.ReportTotals{BreakSeconds: b.Seconds})
	}
	return nil
}

// reportNames names the members, projects and tasks of the rows: people by
// their name (the report is theirs to see), or the e-mail's local part for
// those who may see e-mails.
func reportNames(app core.App, z *gate.Authorizer, a gate.Actor, rows map[reportKey]*api.ReportTotals) (map[string]string, error) {
	users, projects, tasks := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for k := range rows {
		if k.user != "" {
			users[k.user] = true
		}
		if k.project != "" {
			projects[k.project] = true
		}
		if k.task != "" {
			tasks[k.task] = true
		}
	}
	names := map[string]string{}
	emails := z.Matrix.Scope(a.Actor, perms.ViewOrganizationMembers, a.Settings).All
	read := func(collection, field string, ids map[string]bool) error {
		if len(ids) == 0 {
			return nil
		}
		var found []struct {
			ID    string `db:"id"`
			Name  string `db:"name"`
			Email string `db:"email"`
		}
		cols := []string{"id", field + " AS name"}
		if collection == schema.Users {
			cols = append(cols, "email")
		}
		if err := app.DB().Select(cols...).From(collection).Where(dbx.In("id", reply.AnySlice(reply.SortedKeys(ids))...)).All(&found); err != nil {
			return fmt.Errorf("names in %s: %w", collection, err)
		}
		for _, f := range found {
			name := f.Name
			if name == "" && collection == schema.Users {
				name = reply.AnonymousName
				if local, _, ok := strings.Cut(f.Email, "@"); ok && local != "" && (emails || f.ID == a.Actor.UserID) {
					name = local
				}
			}
			names[f.ID] = name
		}
		return nil
	}
	if err := read(schema.Users, "name", users); err != nil {
		return nil, err
	}
	if err := read(schema.Projects, "name", projects); err != nil {
		return nil, err
	}
	if err := read(schema.Tasks, "title", tasks); err != nil {
		return nil, err
	}
	return names, nil
}

// reportCSV writes the report in ReportCSVColumns' order; columns not
// grouped are empty.
func reportCSV(rep *api.Report) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(api.ReportCSVColumns); err != nil {
		return nil, fmt.Errorf("write report header: %w", err)
	}
	opt := func(p *string) string {
		if p == nil {
			return ""
		}
		return csvSafe(*p)
	}
	for _, row := range rep.Rows {
		rec := []string{
			opt(row.Date), opt(row.MemberID), opt(row.Member), opt(row.ProjectID), opt(row.Project), opt(row.TaskID), opt(row.Task),
			strconv.Itoa(row.TrackedSeconds), strconv.Itoa(row.ManualSeconds), strconv.Itoa(row.ActiveSeconds),
			strconv.FormatFloat(row.ActivityPercent, 'f', 1, 64), strconv.Itoa(row.BreakSeconds),
			strconv.FormatFloat(float64(row.TrackedSeconds)/3600, 'f', 2, 64),
		}
		if err := w.Write(rec); err != nil {
			return nil, fmt.Errorf("write report row: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write report: %w", err)
	}
	return buf.Bytes(), nil
}

// csvSafe keeps a spreadsheet from running a name as a formula: a cell that
// starts with = + - @ (or a tab or carriage return) is prefixed with '.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
