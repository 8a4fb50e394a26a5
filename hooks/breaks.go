package hooks

import (
	"cmp"
	"database/sql"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// BreaksRoute lists the work breaks Tock derives from a member's tracked
// slots, for timesheets: GET ?from=YYYY-MM-DD&to=YYYY-MM-DD[&user=id].
//
// Breaks are never recorded. Within a member's local day (the organization's
// time zone), once they have worked a policy's after_minutes, the first gap
// between two of their tracked slots that lasts at least the policy's
// break_minutes is that policy's break. Decisions:
//   - a gap is measured between slot boundaries (a slot counts as worked as a
//     whole), so it is a multiple of the slot length;
//   - the break counts at most break_minutes: the rest of a longer gap is
//     time off, not break (a three-hour absence is not a three-hour break);
//   - a gap is one break at most; policies are tried in order of
//     after_minutes (then id), each claiming the first gap it fits;
//   - only gaps between two slots of the same local day count: the night
//     between two days is no break, nor is the time before the first slot;
//   - "worked" is every slot of the day, tracked or manual, in any project;
//   - a break belongs to the project and task of the slot before it, so it
//     lands in a report's project and task rows; paid breaks are payable time,
//     unpaid ones are not (both are reported as break time).
const BreaksRoute = "/api/tock/orgs/{org}/breaks"

// Break is one derived work break.
type Break struct {
	User    string    `json:"user"`
	Date    string    `json:"date"` // the local day, YYYY-MM-DD
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"` // Start + Seconds
	Seconds int       `json:"seconds"`
	Paid    bool      `json:"paid"`
	Policy  string    `json:"policy"` // the break_policies id

	day     int
	project string
	task    string
}

// breakPolicy is one row of break_policies.
type breakPolicy struct {
	ID           string `db:"id"`
	Name         string `db:"name"`
	AfterMinutes int    `db:"after_minutes"`
	BreakMinutes int    `db:"break_minutes"`
	Paid         bool   `db:"paid"`
}

func loadBreakPolicies(app core.App, org string) ([]breakPolicy, error) {
	var ps []breakPolicy
	err := app.RecordQuery(migrations.BreakPolicies).Select("id", "name", "after_minutes", "break_minutes", "paid").
		AndWhere(dbx.HashExp{"org": org}).OrderBy("after_minutes ASC", "id ASC").All(&ps)
	if err != nil {
		return nil, fmt.Errorf("break policies of %s: %w", org, err)
	}
	return ps, nil
}

// slot is one activity as reports and breaks read it.
type slot struct {
	user, project, task string
	start               time.Time
	tracked, active     int
	manual              bool
}

// deriveBreaks finds the breaks in slots, which must be sorted by user, then
// start, and hold each member's whole timeline over the days of r.
func deriveBreaks(slots []slot, policies []breakPolicy, r dayRange, slotLen time.Duration) []Break {
	if len(policies) == 0 {
		return nil
	}
	var out []Break
	used := make([]bool, len(policies))
	var (
		user    string
		day     = -1
		worked  int
		prevEnd time.Time
		prev    *slot
	)
	for i := range slots {
		s := &slots[i]
		d := r.dayOf(s.start)
		if d < 0 || d >= r.days() {
			continue
		}
		if s.user != user || d != day {
			user, day, worked, prev = s.user, d, 0, nil
			clear(used)
		}
		if prev != nil && s.start.After(prevEnd) {
			gap := int(s.start.Sub(prevEnd) / time.Second)
			for j, p := range policies {
				if used[j] || worked < p.AfterMinutes*60 || gap < p.BreakMinutes*60 {
					continue
				}
				used[j] = true
				secs := min(gap, p.BreakMinutes*60)
				out = append(out, Break{
					User: user, Date: r.date(d), Start: prevEnd, End: prevEnd.Add(time.Duration(secs) * time.Second),
					Seconds: secs, Paid: p.Paid, Policy: p.ID, day: d, project: prev.project, task: prev.task,
				})
				break
			}
		}
		worked += s.tracked
		if end := s.start.Add(slotLen); prev == nil || end.After(prevEnd) {
			prevEnd = end
		}
		if prev == nil || !s.start.Equal(prev.start) {
			prev = s // several projects in one slot: the break follows the first
		}
	}
	return out
}

// dayRange is an inclusive range of local days in one time zone, with the
// instant each day starts: 23- and 25-hour days fall out of time.Date.
type dayRange struct {
	from, to string
	loc      *time.Location
	bounds   []time.Time // days()+1 instants: the start of each day, then the end of the last
}

// maxReportDays bounds a report or break listing: a year, leap day included.
const maxReportDays = 366

func parseDayRange(fromS, toS string, loc *time.Location) (dayRange, error) {
	if fromS == "" || toS == "" {
		return dayRange{}, router.NewBadRequestError("from and to are required days, as YYYY-MM-DD.", nil)
	}
	from, err := time.ParseInLocation(time.DateOnly, fromS, loc)
	if err != nil {
		return dayRange{}, router.NewBadRequestError("from must be a day as YYYY-MM-DD.", nil)
	}
	to, err := time.ParseInLocation(time.DateOnly, toS, loc)
	if err != nil {
		return dayRange{}, router.NewBadRequestError("to must be a day as YYYY-MM-DD.", nil)
	}
	if to.Before(from) {
		return dayRange{}, router.NewBadRequestError("to must not be before from.", nil)
	}
	r := dayRange{from: fromS, to: toS, loc: loc}
	y, m, d := from.Date()
	for i := 0; ; i++ {
		start := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		if i > maxReportDays {
			return dayRange{}, router.NewBadRequestError(fmt.Sprintf("A range may span at most %d days.", maxReportDays), nil)
		}
		r.bounds = append(r.bounds, start)
		if start.After(to) {
			break
		}
	}
	return r, nil
}

func (r dayRange) days() int { return len(r.bounds) - 1 }

// date is day i as YYYY-MM-DD.
func (r dayRange) date(i int) string { return r.bounds[i].In(r.loc).Format(time.DateOnly) }

// dayOf is the index of the day t falls in: -1 before the range, days() after.
func (r dayRange) dayOf(t time.Time) int {
	return sort.Search(len(r.bounds), func(i int) bool { return r.bounds[i].After(t) }) - 1
}

// orgLocation is the organization's time zone; UTC when it doesn't resolve.
func orgLocation(org *core.Record) *time.Location {
	loc, err := time.LoadLocation(org.GetString("timezone"))
	if err != nil || org.GetString("timezone") == "" {
		return time.UTC
	}
	return loc
}

// loadSlots reads the activities of org starting in [from, to), narrowed by
// where (the requester's scope and filters), sorted by user then start.
func loadSlots(app core.App, org string, from, to time.Time, where ...dbx.Expression) ([]slot, error) {
	q := app.DB().Select("a.user", "a.project", "a.task", "a.slot_start", "a.tracked_seconds", "a.active_seconds", "a.source").
		From(migrations.Activities + " a").
		Where(dbx.HashExp{"a.org": org}).
		AndWhere(dbx.NewExp("a.slot_start >= {:from} AND a.slot_start < {:to}",
			dbx.Params{"from": from.UTC().Format(slotLayout), "to": to.UTC().Format(slotLayout)}))
	for _, w := range where {
		if w != nil {
			q = q.AndWhere(w)
		}
	}
	// Sorted here, not in SQL: SQLite reads the range by (org, slot_start)
	// and would sort every row in a temporary B-tree, several times slower.
	rows, err := q.Rows()
	if err != nil {
		return nil, fmt.Errorf("activities of %s: %w", org, err)
	}
	defer rows.Close()
	// A month of a hundred people is 144,000 rows over a few hundred ids
	// and starts: read raw bytes and keep one copy of each value, so a
	// report allocates per distinct value, not per row.
	var (
		out                                []slot
		user, project, task, start, source sql.RawBytes
		ids                                = map[string]string{}
		starts                             = map[string]time.Time{}
	)
	id := func(b []byte) string {
		if v, ok := ids[string(b)]; ok {
			return v
		}
		v := string(b)
		ids[v] = v
		return v
	}
	for rows.Next() {
		var s slot
		if err := rows.Scan(&user, &project, &task, &start, &s.tracked, &s.active, &source); err != nil {
			return nil, fmt.Errorf("read activity of %s: %w", org, err)
		}
		s.user, s.project, s.task = id(user), id(project), id(task)
		var ok bool
		if s.start, ok = starts[string(start)]; !ok {
			if s.start, err = time.Parse(slotLayout, string(start)); err != nil {
				return nil, fmt.Errorf("activity of %s starts at %q: %w", org, start, err)
			}
			starts[string(start)] = s.start
		}
		s.manual = string(source) == "manual"
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("activities of %s: %w", org, err)
	}
	slices.SortFunc(out, func(x, y slot) int {
		return cmp.Or(strings.Compare(x.user, y.user), x.start.Compare(y.start), strings.Compare(x.project, y.project))
	})
	return out, nil
}

// slotLayout is how PocketBase stores dates.
const slotLayout = "2006-01-02 15:04:05.000Z"

// scopeWhere turns a scope into a condition on activities; nil reaches all.
func scopeWhere(sc perms.Scope, self string) dbx.Expression {
	if sc.All {
		return nil
	}
	var alts []dbx.Expression
	users := slices.Clone(sc.Users)
	if sc.Self {
		users = append(users, self)
	}
	if len(users) > 0 {
		alts = append(alts, dbx.In("a.user", anySlice(users)...))
	}
	if len(sc.Projects) > 0 {
		alts = append(alts, dbx.In("a.project", anySlice(sc.Projects)...))
	}
	if len(alts) == 0 {
		return dbx.NewExp("1 = 0")
	}
	return dbx.Or(alts...)
}

// inScope is scopeWhere for one activity's user and project.
func inScope(sc perms.Scope, self, user, project string) bool {
	return sc.All || (sc.Self && user == self) || slices.Contains(sc.Users, user) || slices.Contains(sc.Projects, project)
}

func (s *Server) registerBreaks(app core.App, z *authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.GET(BreaksRoute, func(re *core.RequestEvent) error { return s.breaks(re, z) }).
			Bind(apis.RequireAuth(migrations.Users))
		return e.Next()
	})
}

func (s *Server) breaks(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	sc := z.matrix.Scope(a.actor, perms.ViewWorkBreaksInTimesheets, a.settings)
	if sc.Empty() {
		return forbidden(perms.ViewWorkBreaksInTimesheets)
	}
	q := e.Request.URL.Query()
	r, err := parseDayRange(q.Get("from"), q.Get("to"), orgLocation(org))
	if err != nil {
		return err
	}
	user := q.Get("user")
	var where []dbx.Expression
	if user != "" {
		if !isRecordID(user) {
			return router.NewBadRequestError("user must be a member's id.", nil)
		}
		if !z.decide(a, perms.ViewWorkBreaksInTimesheets, perms.Target{OwnerID: user}).Allowed && len(sc.Projects) == 0 {
			return forbidden(perms.ViewWorkBreaksInTimesheets)
		}
		where = append(where, dbx.HashExp{"a.user": user})
	}
	// A member's breaks need their whole timeline, so the scope picks
	// members, never slots: a project grant reaches the members of the
	// project's slots, whose breaks are then checked one by one.
	if !sc.All {
		users := append(slices.Clone(sc.Users), a.actor.UserID)
		if len(sc.Projects) > 0 {
			users = nil // every member, narrowed per break below
		}
		if users != nil {
			where = append(where, dbx.In("a.user", anySlice(users)...))
		}
	}
	policies, err := loadBreakPolicies(e.App, org.Id)
	if err != nil {
		return err
	}
	out := []Break{}
	if len(policies) > 0 {
		slotLen := time.Duration(s.cfg.SlotSeconds) * time.Second
		slots, err := loadSlots(e.App, org.Id, r.bounds[0], r.bounds[len(r.bounds)-1], where...)
		if err != nil {
			return err
		}
		for _, b := range deriveBreaks(slots, policies, r, slotLen) {
			if z.decide(a, perms.ViewWorkBreaksInTimesheets, perms.Target{OwnerID: b.User, ProjectID: b.project}).Allowed {
				out = append(out, b)
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Break) int {
		return cmp.Or(cmp.Compare(x.User, y.User), x.Start.Compare(y.Start))
	})
	return e.JSON(http.StatusOK, out)
}
