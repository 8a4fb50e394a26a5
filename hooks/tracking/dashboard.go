package tracking

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/perms"
)

func (s *Server) registerDashboards(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.GET(api.MeDashboardRoute, func(re *core.RequestEvent) error { return s.meDashboard(re, z) }),
		reply.GET(api.TeamDashboardRoute, func(re *core.RequestEvent) error { return s.teamDashboard(re, z) }),
	)
}

// dashboardDay is the ?day= asked for (YYYY-MM-DD in the organization's
// time zone), today (the day of now) by default, and with week the days
// from its Monday to it, else the day alone.
func dashboardDay(e *core.RequestEvent, loc *time.Location, now time.Time, week bool) (string, ledger.DayRange, error) {
	day := e.Request.URL.Query().Get("day")
	if day == "" {
		day = now.In(loc).Format(time.DateOnly)
	}
	r, err := ledger.ParseDayRange(day, day, loc)
	if err != nil || !week {
		return day, r, err
	}
	r, err = ledger.ParseDayRange(reply.MondayOf(r.Bounds[0]).Format(time.DateOnly), day, loc)
	return day, r, err
}

func (s *Server) meDashboard(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	if d := z.Decide(a, perms.ViewMeDashboard, perms.Target{OwnerID: a.Actor.UserID}); !d.Allowed {
		return reply.Forbidden(perms.ViewMeDashboard)
	}
	loc := reply.OrgLocation(org)
	day, week, err := dashboardDay(e, loc, s.cfg.Now(), true)
	if err != nil {
		return err
	}
	slots, err := ledger.LoadRangeSlots(e.App, org.Id, week, s.cfg.SlotLen(), ledger.ScopeWhere(perms.Scope{Self: true}, a.Actor.UserID))
	if err != nil {
		return err
	}
	out := api.MeDashboard{Day: day, Week: week.Date(0), Timezone: loc.String(), Projects: []api.ProjectTotals{}}
	byProject := map[string]*api.ProjectTotals{}
	today := week.Days() - 1
	for i := range slots {
		sl := &slots[i]
		week.Each(sl, s.cfg.SlotLen(), func(d int, t api.Totals) {
			out.ThisWeek.Plus(t)
			if d == today {
				out.Today.Plus(t)
			}
			p := byProject[sl.Project]
			if p == nil {
				p = &api.ProjectTotals{Project: sl.Project}
				byProject[sl.Project] = p
			}
			p.Plus(t)
		})
	}
	out.Projects = ledger.SortedProjects(byProject)
	return e.JSON(http.StatusOK, out)
}

func (s *Server) teamDashboard(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	sc := z.Matrix.Scope(a.Actor, perms.ViewTeamDashboard, a.Settings)
	if sc.Empty() {
		return reply.Forbidden(perms.ViewTeamDashboard)
	}
	loc := reply.OrgLocation(org)
	now := s.cfg.Now()
	day, r, err := dashboardDay(e, loc, now, false)
	if err != nil {
		return err
	}
	where := ledger.ScopeWhere(sc, a.Actor.UserID)
	slots, err := ledger.LoadRangeSlots(e.App, org.Id, r, s.cfg.SlotLen(), where)
	if err != nil {
		return err
	}
	recently := now.Add(-2 * s.cfg.SlotLen())
	members := map[string]*api.TeamMember{}
	projects := map[string]map[string]*api.ProjectTotals{}
	member := func(sl *ledger.Slot) *api.TeamMember {
		m := members[sl.User]
		if m == nil {
			m = &api.TeamMember{User: sl.User, Slots: []api.TeamSlot{}}
			members[sl.User] = m
			projects[sl.User] = map[string]*api.ProjectTotals{}
		}
		if !sl.Start.Before(m.LastSlot) {
			m.LastSlot, m.LastProject = sl.Start, sl.Project
		}
		return m
	}
	for i := range slots {
		sl := &slots[i]
		r.Each(sl, s.cfg.SlotLen(), func(_ int, t api.Totals) {
			m := member(sl)
			m.Plus(t)
			p := projects[sl.User][sl.Project]
			if p == nil {
				p = &api.ProjectTotals{Project: sl.Project}
				projects[sl.User][sl.Project] = p
			}
			p.Plus(t)
			// LoadSlots sorts by user, then start.
			m.Slots = append(m.Slots, api.TeamSlot{Start: sl.Start, Tracked: t.Tracked, Active: t.Active, Manual: sl.Manual})
		})
	}
	// Just after midnight, someone still at work has uploaded only slots of
	// the day before (a slot is sent once it closes): today's dashboard
	// shows them working all the same, with no time yet today.
	if first := r.Bounds[0].Add(-s.cfg.SlotLen() + time.Second); recently.Before(first) && !now.Before(r.Bounds[0]) && now.Before(r.Bounds[1]) {
		late, err := ledger.LoadSlots(e.App, org.Id, recently, first, where)
		if err != nil {
			return err
		}
		for i := range late {
			member(&late[i])
		}
	}
	out := api.TeamDashboard{Day: day, Timezone: loc.String(), Members: make([]api.TeamMember, 0, len(members))}
	for id, m := range members {
		m.Working = !m.LastSlot.Before(recently)
		m.Projects = ledger.SortedProjects(projects[id])
		out.Members = append(out.Members, *m)
	}
	slices.SortFunc(out.Members, func(x, y api.TeamMember) int { return strings.Compare(x.User, y.User) })
	return e.JSON(http.StatusOK, out)
}
