package hooks

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// ReportsRoute is the time report: GET ?from=YYYY-MM-DD&to=YYYY-MM-DD
// (inclusive local days of the organization, at most 366) &group=member,
// project,task,day (any of them, in the order wanted; default member,day)
// &user=&project= (filters) &format=json|csv.
//
// "Generate Reports" decides whose time is in it, in SQL: one's own, the
// assigned projects', the led teams' members', or everyone's. Figures:
//   - tracked_seconds is all time worked, the agent's and manual time alike;
//     manual_seconds is the manual part of it;
//   - activity_percent is active_seconds over the agent's part
//     (tracked_seconds - manual_seconds), as Hubstaff leaves manual time out
//     of activity; 0 when there is none; one decimal;
//   - a slot belongs to the local day its start falls in, and a slot that
//     straddles local midnight (zones with :15 or :45 offsets) is split
//     between the two days in proportion to its minutes on each, the
//     remainder going to the later day so no second is lost (dayRange.each,
//     which every other total of time uses too);
//   - break_seconds are derived breaks (see BreaksRoute), counted only for
//     the members "View Work Breaks in Reports" lets the requester see: 0
//     elsewhere, never an error;
//   - hours (CSV only) is tracked_seconds / 3600 with two decimals.
const ReportsRoute = "/api/tock/orgs/{org}/reports"

// Report groupings.
const (
	GroupMember  = "member"
	GroupProject = "project"
	GroupTask    = "task"
	GroupDay     = "day"
)

// ReportCSVColumns is the CSV header, in its fixed order.
var ReportCSVColumns = []string{
	"date", "member_id", "member", "project_id", "project", "task_id", "task",
	"tracked_seconds", "manual_seconds", "active_seconds", "activity_percent", "break_seconds", "hours",
}

// Report is the JSON answer of ReportsRoute.
type Report struct {
	From     string       `json:"from"`
	To       string       `json:"to"`
	Timezone string       `json:"timezone"`
	Group    []string     `json:"group"`
	Rows     []ReportRow  `json:"rows"`
	Totals   ReportTotals `json:"totals"`
}

// ReportRow is one group; only the grouped keys are present.
type ReportRow struct {
	Date      *string `json:"date,omitempty"`
	MemberID  *string `json:"member_id,omitempty"`
	Member    *string `json:"member,omitempty"`
	ProjectID *string `json:"project_id,omitempty"`
	Project   *string `json:"project,omitempty"`
	TaskID    *string `json:"task_id,omitempty"`
	Task      *string `json:"task,omitempty"`
	ReportTotals
}

// ReportTotals are the sums of a row or of the whole report.
type ReportTotals struct {
	TrackedSeconds  int     `json:"tracked_seconds"`
	ManualSeconds   int     `json:"manual_seconds"`
	ActiveSeconds   int     `json:"active_seconds"`
	ActivityPercent float64 `json:"activity_percent"`
	BreakSeconds    int     `json:"break_seconds"`
}

func (t *ReportTotals) add(o ReportTotals) {
	t.TrackedSeconds += o.TrackedSeconds
	t.ManualSeconds += o.ManualSeconds
	t.ActiveSeconds += o.ActiveSeconds
	t.BreakSeconds += o.BreakSeconds
}

func (t *ReportTotals) finish() {
	t.ActivityPercent = 0
	if agent := t.TrackedSeconds - t.ManualSeconds; agent > 0 {
		t.ActivityPercent = math.Round(float64(t.ActiveSeconds)*1000/float64(agent)) / 10
	}
}

func (s *Server) registerReports(app core.App, z *authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.GET(ReportsRoute, func(re *core.RequestEvent) error { return s.report(re, z) }).
			Bind(apis.RequireAuth(migrations.Users))
		return e.Next()
	})
}

func parseGroups(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return []string{GroupMember, GroupDay}, nil
	}
	var out []string
	for _, g := range strings.Split(s, ",") {
		g = strings.TrimSpace(g)
		switch g {
		case GroupMember, GroupProject, GroupTask, GroupDay:
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

func (s *Server) report(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	sc := z.matrix.Scope(a.actor, perms.GenerateReports, a.settings)
	if sc.Empty() {
		return forbidden(perms.GenerateReports)
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
	loc := orgLocation(org)
	r, err := parseDayRange(q.Get("from"), q.Get("to"), loc)
	if err != nil {
		return err
	}
	user, project := q.Get("user"), q.Get("project")
	for name, id := range map[string]string{"user": user, "project": project} {
		if id != "" && !isRecordID(id) {
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
		e.Response.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="tock-report-%s-%s.csv"`, r.from, r.to))
		return e.Blob(http.StatusOK, "text/csv; charset=utf-8", body)
	}
	return e.JSON(http.StatusOK, report)
}

func (s *Server) buildReport(app core.App, z *authorizer, a orgActor, org string, r dayRange, groups []string,
	user, project string, sc perms.Scope) (*Report, error) {
	slotLen := s.cfg.slotLen()
	self := a.actor.UserID
	var filters []dbx.Expression
	if user != "" {
		filters = append(filters, dbx.HashExp{"a.user": user})
	}
	if project != "" {
		filters = append(filters, dbx.HashExp{"a.project": project})
	}
	where := append(filters, scopeWhere(sc, self))

	grouped := map[string]bool{}
	for _, g := range groups {
		grouped[g] = true
	}
	keyOf := func(day int, user, project, task string) reportKey {
		var k reportKey
		k.day = -1
		if grouped[GroupDay] {
			k.day = day
		}
		if grouped[GroupMember] {
			k.user = user
		}
		if grouped[GroupProject] {
			k.project = project
		}
		if grouped[GroupTask] {
			k.task = task
		}
		return k
	}
	rows := map[reportKey]*ReportTotals{}
	addTo := func(k reportKey, t ReportTotals) {
		row := rows[k]
		if row == nil {
			row = &ReportTotals{}
			rows[k] = row
		}
		row.add(t)
	}
	if err := eachRangeTotal(app, org, r, slotLen, where, func(day int, user, project, task string, t Totals) {
		addTo(keyOf(day, user, project, task), ReportTotals{TrackedSeconds: t.Tracked, ManualSeconds: t.Manual, ActiveSeconds: t.Active})
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
	report := &Report{From: r.from, To: r.to, Group: groups, Rows: make([]ReportRow, 0, len(rows))}
	keys := make([]reportKey, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y reportKey) int {
		for _, g := range groups {
			var c int
			switch g {
			case GroupDay:
				c = cmp.Compare(x.day, y.day)
			case GroupMember:
				c = cmp.Or(strings.Compare(strings.ToLower(names[x.user]), strings.ToLower(names[y.user])), strings.Compare(x.user, y.user))
			case GroupProject:
				c = cmp.Or(strings.Compare(strings.ToLower(names[x.project]), strings.ToLower(names[y.project])), strings.Compare(x.project, y.project))
			case GroupTask:
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
		t.finish()
		report.Totals.add(t)
		row := ReportRow{ReportTotals: t}
		if grouped[GroupDay] {
			row.Date = str(r.date(k.day))
		}
		if grouped[GroupMember] {
			row.MemberID, row.Member = str(k.user), str(names[k.user])
		}
		if grouped[GroupProject] {
			row.ProjectID, row.Project = str(k.project), str(names[k.project])
		}
		if grouped[GroupTask] {
			row.TaskID, row.Task = str(k.task), str(names[k.task])
		}
		report.Rows = append(report.Rows, row)
	}
	report.Totals.finish()
	return report, nil
}

// addBreaks adds the derived breaks of the members whose breaks the
// requester may see in reports to the rows of the slots before them: the
// report's slots (where narrows them) are read only when there are breaks
// to find.
func (s *Server) addBreaks(app core.App, z *authorizer, a orgActor, org string, r dayRange, where []dbx.Expression,
	user, project string, sc perms.Scope, slotLen time.Duration,
	addTo func(reportKey, ReportTotals), keyOf func(int, string, string, string) reportKey) error {
	view := z.matrix.Scope(a.actor, perms.ViewWorkBreaksInReports, a.settings)
	if view.Empty() {
		return nil
	}
	policies, err := loadBreakPolicies(app, org)
	if err != nil || len(policies) == 0 {
		return err
	}
	slots, err := loadRangeSlots(app, org, r, slotLen, where...)
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
			u := slots[i].user
			if len(members) > 0 && members[len(members)-1] == u {
				continue
			}
			if view.All || len(view.Projects) > 0 || (view.Self && u == a.actor.UserID) || slices.Contains(view.Users, u) {
				members = append(members, u)
			}
		}
		if len(members) == 0 {
			return nil
		}
		timeline, err = loadSlots(app, org, r.bounds[0], r.bounds[len(r.bounds)-1], dbx.In("a.user", anySlice(members)...))
		if err != nil {
			return err
		}
	}
	for _, b := range deriveBreaks(timeline, policies, r, slotLen) {
		if (user != "" && b.User != user) || (project != "" && b.project != project) ||
			!inScope(sc, a.actor.UserID, b.User, b.project) ||
			!z.decide(a, perms.ViewWorkBreaksInReports, perms.Target{OwnerID: b.User, ProjectID: b.project}).Allowed {
			continue
		}
		addTo(keyOf(b.day, b.User, b.project, b.task), ReportTotals{BreakSeconds: b.Seconds})
	}
	return nil
}

// reportNames names the members, projects and tasks of the rows: people by
// their name (the report is theirs to see), or the e-mail's local part for
// those who may see e-mails.
func reportNames(app core.App, z *authorizer, a orgActor, rows map[reportKey]*ReportTotals) (map[string]string, error) {
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
	emails := z.matrix.Scope(a.actor, perms.ViewOrganizationMembers, a.settings).All
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
		if collection == migrations.Users {
			cols = append(cols, "email")
		}
		if err := app.DB().Select(cols...).From(collection).Where(dbx.In("id", anySlice(sortedKeys(ids))...)).All(&found); err != nil {
			return fmt.Errorf("names in %s: %w", collection, err)
		}
		for _, f := range found {
			name := f.Name
			if name == "" && collection == migrations.Users {
				name = anonymousName
				if local, _, ok := strings.Cut(f.Email, "@"); ok && local != "" && (emails || f.ID == a.actor.UserID) {
					name = local
				}
			}
			names[f.ID] = name
		}
		return nil
	}
	if err := read(migrations.Users, "name", users); err != nil {
		return nil, err
	}
	if err := read(migrations.Projects, "name", projects); err != nil {
		return nil, err
	}
	if err := read(migrations.Tasks, "title", tasks); err != nil {
		return nil, err
	}
	return names, nil
}

// reportCSV writes the report in ReportCSVColumns' order; columns not
// grouped are empty.
func reportCSV(rep *Report) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(ReportCSVColumns); err != nil {
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
