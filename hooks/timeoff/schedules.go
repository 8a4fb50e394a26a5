package timeoff

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// maxShiftRangeDays bounds a listing of shifts: two months.
const maxShiftRangeDays = 62

// checkShift: a shift ends after it starts, within a day; a repeat ends no
// earlier than the shift's day; the minimum fits in the shift.
func checkShift(r *core.Record) validation.Errors {
	errs := validation.Errors{}
	start, end := r.GetDateTime("start").Time(), r.GetDateTime("end").Time()
	if start.IsZero() || end.IsZero() {
		return nil // the required-field validators report it
	}
	length := end.Sub(start)
	switch {
	case length <= 0:
		errs["end"] = validation.NewError("validation_shift_end", "A shift must end after it starts.")
	case length > schema.MaxShiftHours*time.Hour:
		errs["end"] = validation.NewError("validation_shift_length", "A shift may last at most 24 hours.")
	case r.GetFloat("min_hours")*float64(time.Hour) > float64(length):
		errs["min_hours"] = validation.NewError("validation_shift_min", "The minimum hours can't exceed the shift's length.")
	}
	if until := r.GetDateTime("repeat_until"); !until.IsZero() && until.Time().Before(start.Add(-24*time.Hour)) {
		errs["repeat_until"] = validation.NewError("validation_repeat_until", "A repeat can't end before the shift's day.")
	}
	return errs
}

// occurrences expands a shift record over [from, to): the shift itself and,
// with a repeat, the same local weekday and wall-clock time every week up to
// repeat_until (an org-local day, inclusive), so a 9:00 shift stays at 9:00
// across daylight saving changes.
func occurrences(r *core.Record, loc *time.Location, from, to time.Time) []api.Shift {
	start, end := r.GetDateTime("start").Time().In(loc), r.GetDateTime("end").Time().In(loc)
	length := end.Sub(start)
	base := api.Shift{
		ID: r.Id, User: r.GetString(schema.FieldUser), Project: r.GetString(schema.FieldProject),
		MinHours: r.GetFloat("min_hours"), Note: r.GetString("note"),
	}
	last := ""
	if until := r.GetDateTime("repeat_until"); !until.IsZero() {
		last = until.Time().UTC().Format(time.DateOnly)
		base.Repeats = true
	}
	week := 7 * 24 * time.Hour
	k := 0
	if from.After(end) && base.Repeats {
		k = max(0, int(from.Sub(end)/week)-1)
	}
	var out []api.Shift
	for ; ; k++ {
		s := start.AddDate(0, 0, 7*k)
		day := s.Format(time.DateOnly)
		if !s.Before(to) || (k > 0 && (!base.Repeats || day > last)) {
			break
		}
		e := s.Add(length)
		if e.After(from) {
			sh := base
			sh.Start, sh.End, sh.Date = s.UTC(), e.UTC(), day
			out = append(out, sh)
		}
		if !base.Repeats {
			break
		}
	}
	return out
}

// attend compares one shift with the member's slots (any project, sorted by
// start) at now.
func attend(sh api.Shift, slots []ledger.Slot, now time.Time, slotLen time.Duration) api.Attendance {
	at := api.Attendance{Shift: sh}
	for _, s := range slots {
		if s.User != sh.User || !s.Start.Add(slotLen).After(sh.Start) || !s.Start.Before(sh.End) {
			continue
		}
		if at.FirstSlot == nil {
			first := s.Start
			at.FirstSlot = &first
		}
		at.WorkedSeconds += s.Tracked
	}
	at.MinHoursMet = float64(at.WorkedSeconds) >= sh.MinHours*3600
	switch {
	case at.FirstSlot != nil && !at.FirstSlot.After(sh.Start.Add(api.AttendanceGrace)):
		at.Status = api.AttendanceOnTime
	case at.FirstSlot != nil:
		at.Status = api.AttendanceLate
		at.LateMinutes = int(at.FirstSlot.Sub(sh.Start) / time.Minute)
	case !now.After(sh.Start.Add(api.AttendanceGrace)):
		at.Status = api.AttendanceUpcoming
	case now.Before(sh.End):
		// Past the grace with no time yet: late, and missed once it ends.
		at.Status = api.AttendanceLate
		at.LateMinutes = int(now.Sub(sh.Start) / time.Minute)
	default:
		at.Status = api.AttendanceMissed
	}
	return at
}

func (s *Server) routeSchedules(e *core.ServeEvent, z *gate.Authorizer) {
	auth := apis.RequireAuth(schema.Users)
	e.Router.GET(api.ShiftsRoute, func(re *core.RequestEvent) error { return s.shifts(re, z) }).Bind(auth)
	e.Router.GET(api.AttendanceRoute, func(re *core.RequestEvent) error { return s.attendance(re, z) }).Bind(auth)
}

// visibleShifts reads the shifts of org the requester may view that occur
// in [from, to), sorted by start then member.
func visibleShifts(z *gate.Authorizer, app core.App, a gate.Actor, org *core.Record, from, to time.Time) ([]api.Shift, error) {
	sc := z.Matrix.Scope(a.Actor, perms.ViewSchedules, a.Settings)
	if sc.Empty() {
		return []api.Shift{}, nil
	}
	q := app.RecordQuery(schema.Schedules).
		AndWhere(dbx.HashExp{schema.FieldOrg: org.Id}).
		AndWhere(dbx.NewExp("start < {:to} AND (end > {:from} OR repeat_until >= {:fromDay})", dbx.Params{
			"to": to.UTC().Format(reply.SlotLayout), "from": from.UTC().Format(reply.SlotLayout),
			"fromDay": from.In(reply.OrgLocation(org)).AddDate(0, 0, -1).Format(time.DateOnly),
		}))
	if !sc.All {
		var alts []dbx.Expression
		users := slices.Clone(sc.Users)
		if sc.Self {
			users = append(users, a.Actor.UserID)
		}
		if len(users) > 0 {
			alts = append(alts, dbx.In(schema.FieldUser, reply.AnySlice(users)...))
		}
		if len(sc.Projects) > 0 {
			alts = append(alts, dbx.In(schema.FieldProject, reply.AnySlice(sc.Projects)...))
		}
		if len(alts) == 0 {
			return []api.Shift{}, nil // teams alone: shifts have no team
		}
		q = q.AndWhere(dbx.Or(alts...))
	}
	var records []*core.Record
	if err := q.All(&records); err != nil {
		return nil, fmt.Errorf("schedules of %s: %w", org.Id, err)
	}
	out := []api.Shift{}
	loc := reply.OrgLocation(org)
	for _, r := range records {
		// The SQL scope is the same as Decide's; each shift is checked
		// again so a scope change can never show more than a view would.
		if !z.Decide(a, perms.ViewSchedules, perms.Target{OwnerID: r.GetString(schema.FieldUser), ProjectID: r.GetString(schema.FieldProject)}).Allowed {
			continue
		}
		out = append(out, occurrences(r, loc, from, to)...)
	}
	slices.SortFunc(out, func(x, y api.Shift) int {
		return cmp.Or(x.Start.Compare(y.Start), cmp.Compare(x.User, y.User), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// holidaysIn lists the holidays of org between two local days, inclusive.
func holidaysIn(app core.App, org, fromDay, toDay string) ([]api.HolidayOn, error) {
	policies, err := app.FindAllRecords(schema.HolidayPolicies, dbx.HashExp{schema.FieldOrg: org})
	if err != nil {
		return nil, fmt.Errorf("holiday policies of %s: %w", org, err)
	}
	out := []api.HolidayOn{}
	for _, p := range policies {
		raw, _ := json.Marshal(p.Get("holidays"))
		hs, err := parseHolidays(raw)
		if err != nil {
			continue // saved before validation could refuse it: shows nothing
		}
		for _, h := range hs {
			if h.Date >= fromDay && h.Date <= toDay {
				out = append(out, api.HolidayOn{Date: h.Date, Name: h.Name, Policy: p.Id, All: p.GetBool("all_members"),
					Users: reply.NonNil(p.GetStringSlice("members"))})
			}
		}
	}
	slices.SortFunc(out, func(x, y api.HolidayOn) int { return cmp.Or(cmp.Compare(x.Date, y.Date), cmp.Compare(x.Name, y.Name)) })
	return out, nil
}

func (s *Server) shifts(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	if z.Matrix.Scope(a.Actor, perms.ViewSchedules, a.Settings).Empty() {
		return reply.Forbidden(perms.ViewSchedules)
	}
	q := e.Request.URL.Query()
	r, err := ledger.ParseDayRange(q.Get("from"), q.Get("to"), reply.OrgLocation(org))
	if err != nil {
		return err
	}
	if r.Days() > maxShiftRangeDays {
		return reply.BadRequest("A range of shifts may span at most %d days.", maxShiftRangeDays)
	}
	list, err := visibleShifts(z, e.App, a, org, r.Bounds[0], r.Bounds[len(r.Bounds)-1])
	if err != nil {
		return err
	}
	hs, err := holidaysIn(e.App, org.Id, r.From, r.To)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, api.ShiftList{Shifts: list, Holidays: hs})
}

func (s *Server) attendance(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	if z.Matrix.Scope(a.Actor, perms.ViewSchedules, a.Settings).Empty() {
		return reply.Forbidden(perms.ViewSchedules)
	}
	day := e.Request.URL.Query().Get("day")
	r, err := ledger.ParseDayRange(day, day, reply.OrgLocation(org))
	if err != nil {
		return reply.BadRequest("day must be a day as YYYY-MM-DD.")
	}
	from, to := r.Bounds[0], r.Bounds[1]
	list, err := visibleShifts(z, e.App, a, org, from, to)
	if err != nil {
		return err
	}
	out := []api.Attendance{}
	if len(list) == 0 {
		return e.JSON(http.StatusOK, out)
	}
	users := map[string]bool{}
	for _, sh := range list {
		users[sh.User] = true
	}
	// Slots from the earliest start to the latest end of the day's shifts.
	lo, hi := list[0].Start, list[0].End
	for _, sh := range list {
		lo, hi = minTime(lo, sh.Start), maxTime(hi, sh.End)
	}
	slotLen := time.Duration(s.cfg.SlotSeconds) * time.Second
	slots, err := ledger.LoadSlots(e.App, org.Id, lo.Add(-slotLen), hi, dbx.In("a.user", reply.AnySlice(reply.SortedKeys(users))...))
	if err != nil {
		return err
	}
	hs, err := holidaysIn(e.App, org.Id, day, day)
	if err != nil {
		return err
	}
	off, err := timeOffOn(e.App, org.Id, day)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, sh := range list {
		if sh.Date != day {
			continue // started the day before, listed on its own day
		}
		at := attend(sh, slots, now, slotLen)
		switch {
		case off[sh.User]:
			at.Status = api.AttendanceTimeOff
		case holidayFor(hs, sh.User):
			at.Status = api.AttendanceHoliday
		}
		out = append(out, at)
	}
	return e.JSON(http.StatusOK, out)
}

func holidayFor(hs []api.HolidayOn, user string) bool {
	return slices.ContainsFunc(hs, func(h api.HolidayOn) bool { return h.All || slices.Contains(h.Users, user) })
}

// timeOffOn is the members with approved time off on a local day.
func timeOffOn(app core.App, org, day string) (map[string]bool, error) {
	var users []string
	at := day + " 00:00:00.000Z"
	err := app.DB().Select(schema.FieldUser).From(schema.TimeOffRequests).
		Where(dbx.HashExp{schema.FieldOrg: org, schema.FieldStatus: schema.TimeOffApproved}).
		AndWhere(dbx.NewExp("start <= {:at} AND end >= {:at}", dbx.Params{"at": at})).Column(&users)
	if err != nil {
		return nil, fmt.Errorf("time off of %s on %s: %w", org, day, err)
	}
	return reply.SetOf(users), nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
