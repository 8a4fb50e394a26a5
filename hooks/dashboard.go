package hooks

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// The dashboards are answered by the server, not assembled by the web app
// from lists, so that "View Me Dashboard" and "View Team Dashboard" are
// decided where everything else is.
const (
	MeDashboardRoute   = "/api/tock/orgs/{org}/dashboard/me"
	TeamDashboardRoute = "/api/tock/orgs/{org}/dashboard/team"
)

// Totals are seconds of work: Tracked counts all of it, Manual its manual
// part, Active the seconds with input (activity % = Active / (Tracked - Manual)).
type Totals struct {
	Tracked int `json:"tracked_seconds"`
	Manual  int `json:"manual_seconds"`
	Active  int `json:"active_seconds"`
}

// plus adds the share of a slot that dayRange.each gives a day.
func (t *Totals) plus(o Totals) {
	t.Tracked += o.Tracked
	t.Manual += o.Manual
	t.Active += o.Active
}

// ProjectTotals is the time of one project.
type ProjectTotals struct {
	Project string `json:"project"`
	Totals
}

// MeDashboard is a member's own day and week.
type MeDashboard struct {
	Day      string          `json:"day"`
	Week     string          `json:"week"` // its Monday
	Timezone string          `json:"timezone"`
	Today    Totals          `json:"today"`
	ThisWeek Totals          `json:"this_week"`
	Projects []ProjectTotals `json:"projects"` // this week's, most time first
}

// TeamMember is one member on the Team dashboard.
type TeamMember struct {
	User string `json:"user"`
	Totals
	// LastSlot and LastProject are the latest slot of the day one may see.
	LastSlot    time.Time `json:"last_slot"`
	LastProject string    `json:"last_project"`
	// Working: a slot began within the last two slot lengths (agents upload
	// each slot once it closes).
	Working  bool            `json:"working"`
	Projects []ProjectTotals `json:"projects"`
}

// TeamDashboard is the day of the members (and projects) one may watch.
type TeamDashboard struct {
	Day      string       `json:"day"`
	Timezone string       `json:"timezone"`
	Members  []TeamMember `json:"members"`
}

func (s *Server) registerDashboards(app core.App, z *authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		auth := apis.RequireAuth(migrations.Users)
		e.Router.GET(MeDashboardRoute, func(re *core.RequestEvent) error { return s.meDashboard(re, z) }).Bind(auth)
		e.Router.GET(TeamDashboardRoute, func(re *core.RequestEvent) error { return s.teamDashboard(re, z) }).Bind(auth)
		return e.Next()
	})
}

// dashboardDay is the ?day= asked for (YYYY-MM-DD in the organization's
// time zone), today by default, and with week the days from its Monday to
// it, else the day alone.
func dashboardDay(e *core.RequestEvent, loc *time.Location, week bool) (string, dayRange, error) {
	day := e.Request.URL.Query().Get("day")
	if day == "" {
		day = time.Now().In(loc).Format(time.DateOnly)
	}
	r, err := parseDayRange(day, day, loc)
	if err != nil || !week {
		return day, r, err
	}
	r, err = parseDayRange(mondayOf(r.bounds[0]).Format(time.DateOnly), day, loc)
	return day, r, err
}

func (s *Server) meDashboard(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	if d := z.decide(a, perms.ViewMeDashboard, perms.Target{OwnerID: a.actor.UserID}); !d.Allowed {
		return forbidden(perms.ViewMeDashboard)
	}
	loc := orgLocation(org)
	day, week, err := dashboardDay(e, loc, true)
	if err != nil {
		return err
	}
	slots, err := loadRangeSlots(e.App, org.Id, week, s.cfg.slotLen(), scopeWhere(perms.Scope{Self: true}, a.actor.UserID))
	if err != nil {
		return err
	}
	out := MeDashboard{Day: day, Week: week.date(0), Timezone: loc.String(), Projects: []ProjectTotals{}}
	byProject := map[string]*ProjectTotals{}
	today := week.days() - 1
	for i := range slots {
		sl := &slots[i]
		week.each(sl, s.cfg.slotLen(), func(d int, t Totals) {
			out.ThisWeek.plus(t)
			if d == today {
				out.Today.plus(t)
			}
			p := byProject[sl.project]
			if p == nil {
				p = &ProjectTotals{Project: sl.project}
				byProject[sl.project] = p
			}
			p.plus(t)
		})
	}
	out.Projects = sortedProjects(byProject)
	return e.JSON(http.StatusOK, out)
}

func (s *Server) teamDashboard(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	sc := z.matrix.Scope(a.actor, perms.ViewTeamDashboard, a.settings)
	if sc.Empty() {
		return forbidden(perms.ViewTeamDashboard)
	}
	loc := orgLocation(org)
	day, r, err := dashboardDay(e, loc, false)
	if err != nil {
		return err
	}
	slots, err := loadRangeSlots(e.App, org.Id, r, s.cfg.slotLen(), scopeWhere(sc, a.actor.UserID))
	if err != nil {
		return err
	}
	recently := time.Now().Add(-2 * s.cfg.slotLen())
	members := map[string]*TeamMember{}
	projects := map[string]map[string]*ProjectTotals{}
	for i := range slots {
		sl := &slots[i]
		r.each(sl, s.cfg.slotLen(), func(_ int, t Totals) {
			m := members[sl.user]
			if m == nil {
				m = &TeamMember{User: sl.user}
				members[sl.user] = m
				projects[sl.user] = map[string]*ProjectTotals{}
			}
			m.plus(t)
			if !sl.start.Before(m.LastSlot) {
				m.LastSlot, m.LastProject = sl.start, sl.project
			}
			p := projects[sl.user][sl.project]
			if p == nil {
				p = &ProjectTotals{Project: sl.project}
				projects[sl.user][sl.project] = p
			}
			p.plus(t)
		})
	}
	out := TeamDashboard{Day: day, Timezone: loc.String(), Members: make([]TeamMember, 0, len(members))}
	for id, m := range members {
		m.Working = !m.LastSlot.Before(recently)
		m.Projects = sortedProjects(projects[id])
		out.Members = append(out.Members, *m)
	}
	slices.SortFunc(out.Members, func(x, y TeamMember) int { return strings.Compare(x.User, y.User) })
	return e.JSON(http.StatusOK, out)
}

// sortedProjects lists projects by time, most first, then by id.
func sortedProjects(m map[string]*ProjectTotals) []ProjectTotals {
	out := make([]ProjectTotals, 0, len(m))
	for _, p := range m {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(x, y ProjectTotals) int {
		if x.Tracked != y.Tracked {
			return y.Tracked - x.Tracked
		}
		return strings.Compare(x.Project, y.Project)
	})
	return out
}
