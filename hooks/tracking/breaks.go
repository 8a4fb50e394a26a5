package tracking

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
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
	err := app.RecordQuery(schema.BreakPolicies).Select("id", schema.FieldName, "after_minutes", "break_minutes", "paid").
		AndWhere(dbx.HashExp{schema.FieldOrg: org}).OrderBy("after_minutes ASC", "id ASC").All(&ps)
	if err != nil {
		return nil, fmt.Errorf("break policies of %s: %w", org, err)
	}
	return ps, nil
}

// deriveBreaks finds the breaks in slots, which must be sorted by user, then
// start, and hold each member's whole timeline over the days of r.
func deriveBreaks(slots []ledger.Slot, policies []breakPolicy, r ledger.DayRange, slotLen time.Duration) []api.Break {
	if len(policies) == 0 {
		return nil
	}
	var out []api.Break
	used := make([]bool, len(policies))
	var (
		user    string
		day     = -1
		worked  int
		prevEnd time.Time
		prev    *ledger.Slot
	)
	for i := range slots {
		s := &slots[i]
		d := r.DayOf(s.Start)
		if d < 0 || d >= r.Days() {
			continue
		}
		if s.User != user || d != day {
			user, day, worked, prev = s.User, d, 0, nil
			clear(used)
		}
		if prev != nil && s.Start.After(prevEnd) {
			gap := int(s.Start.Sub(prevEnd) / time.Second)
			for j, p := range policies {
				if used[j] || worked < p.AfterMinutes*60 || gap < p.BreakMinutes*60 {
					continue
				}
				used[j] = true
				secs := min(gap, p.BreakMinutes*60)
				out = append(out, api.Break{
					User: user, Date: r.Date(d), Start: prevEnd, End: prevEnd.Add(time.Duration(secs) * time.Second),
					Seconds: secs, Paid: p.Paid, Policy: p.ID, Day: d, Project: prev.Project, Task: prev.Task,
				})
				break
			}
		}
		worked += s.Tracked
		if end := s.Start.Add(slotLen); prev == nil || end.After(prevEnd) {
			prevEnd = end
		}
		if prev == nil || !s.Start.Equal(prev.Start) {
			prev = s // several projects in one slot: the break follows the first
		}
	}
	return out
}

func (s *Server) registerBreaks(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.GET(api.BreaksRoute, func(re *core.RequestEvent) error { return s.breaks(re, z) }),
	)
}

func (s *Server) breaks(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	sc := z.Matrix.Scope(a.Actor, perms.ViewWorkBreaksInTimesheets, a.Settings)
	if sc.Empty() {
		return reply.Forbidden(perms.ViewWorkBreaksInTimesheets)
	}
	q := e.Request.URL.Query()
	r, err := ledger.ParseDayRange(q.Get("from"), q.Get("to"), reply.OrgLocation(org))
	if err != nil {
		return err
	}
	user := q.Get("user")
	var where []dbx.Expression
	if user != "" {
		if !reply.IsRecordID(user) {
			return router.NewBadRequestError("user must be a member's id.", nil)
		}
		if !z.Decide(a, perms.ViewWorkBreaksInTimesheets, perms.Target{OwnerID: user}).Allowed && len(sc.Projects) == 0 {
			return reply.Forbidden(perms.ViewWorkBreaksInTimesheets)
		}
		where = append(where, dbx.HashExp{"a.user": user})
	}
	// A member's breaks need their whole timeline, so the scope picks
	// members, never slots: a project grant reaches the members of the
	// project's slots, whose breaks are then checked one by one.
	if !sc.All {
		users := append(slices.Clone(sc.Users), a.Actor.UserID)
		if len(sc.Projects) > 0 {
			users = nil // every member, narrowed per break below
		}
		if users != nil {
			where = append(where, dbx.In("a.user", reply.AnySlice(users)...))
		}
	}
	policies, err := loadBreakPolicies(e.App, org.Id)
	if err != nil {
		return err
	}
	out := []api.Break{}
	if len(policies) > 0 {
		slotLen := time.Duration(s.cfg.SlotSeconds) * time.Second
		slots, err := ledger.LoadSlots(e.App, org.Id, r.Bounds[0], r.Bounds[len(r.Bounds)-1], where...)
		if err != nil {
			return err
		}
		for _, b := range deriveBreaks(slots, policies, r, slotLen) {
			if z.Decide(a, perms.ViewWorkBreaksInTimesheets, perms.Target{OwnerID: b.User, ProjectID: b.Project}).Allowed {
				out = append(out, b)
			}
		}
	}
	slices.SortStableFunc(out, func(x, y api.Break) int {
		return cmp.Or(cmp.Compare(x.User, y.User), x.Start.Compare(y.Start))
	})
	return e.JSON(http.StatusOK, out)
}
