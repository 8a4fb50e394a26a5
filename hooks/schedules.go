package hooks

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

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// Schedules: shifts are schedules records (member, optional project, start
// and end, an optional weekly repeat up to a day, minimum hours). The
// collection itself is gated by the matrix like any other ("View Schedules",
// "Add Schedules", "Modify Schedules"); these routes expand the weekly
// repeats over a range and compare each shift with the member's time.
const (
	ShiftsRoute     = "/api/tock/orgs/{org}/schedules/shifts"
	AttendanceRoute = "/api/tock/orgs/{org}/schedules/attendance"
)

// AttendanceGrace is how late a member may start a shift and still be on
// time. Time is recorded in 10-minute slots, so "started" is the start of the
// first slot with time in it: starting 9:04 is on time for 9:00, 9:12 is late.
const AttendanceGrace = 5 * time.Minute

// maxShiftRangeDays bounds a listing of shifts: two months.
const maxShiftRangeDays = 62

// Shift is one occurrence of a scheduled shift.
type Shift struct {
	ID       string    `json:"id"` // the schedules record
	User     string    `json:"user"`
	Project  string    `json:"project"`
	Date     string    `json:"date"` // the local day it starts
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	MinHours float64   `json:"min_hours"`
	Repeats  bool      `json:"repeats"`
	Note     string    `json:"note"`
}

// HolidayOn is a holiday in a listed range; Users is empty when the policy
// covers everyone.
type HolidayOn struct {
	Date   string   `json:"date"`
	Name   string   `json:"name"`
	Policy string   `json:"policy"`
	All    bool     `json:"all"`
	Users  []string `json:"users"`
}

// ShiftList answers ShiftsRoute.
type ShiftList struct {
	Shifts   []Shift     `json:"shifts"`
	Holidays []HolidayOn `json:"holidays"`
}

// Attendance statuses.
const (
	AttendanceOnTime   = "on_time"
	AttendanceLate     = "late"
	AttendanceMissed   = "missed"
	AttendanceUpcoming = "upcoming"
	AttendanceHoliday  = "holiday"
	AttendanceTimeOff  = "time_off"
)

// Attendance is one shift of a day compared with the member's time.
type Attendance struct {
	Shift
	Status        string     `json:"status"`
	FirstSlot     *time.Time `json:"first_slot"`   // the start of the first slot with time in the shift
	LateMinutes   int        `json:"late_minutes"` // from the shift's start to FirstSlot, when late
	WorkedSeconds int        `json:"worked_seconds"`
	MinHoursMet   bool       `json:"min_hours_met"`
}

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
	case length > migrations.MaxShiftHours*time.Hour:
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
func occurrences(r *core.Record, loc *time.Location, from, to time.Time) []Shift {
	start, end := r.GetDateTime("start").Time().In(loc), r.GetDateTime("end").Time().In(loc)
	length := end.Sub(start)
	base := Shift{
		ID: r.Id, User: r.GetString("user"), Project: r.GetString("project"),
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
	var out []Shift
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
func attend(sh Shift, slots []slot, now time.Time, slotLen time.Duration) Attendance {
	at := Attendance{Shift: sh}
	for _, s := range slots {
		if s.user != sh.User || !s.start.Add(slotLen).After(sh.Start) || !s.start.Before(sh.End) {
			continue
		}
		if at.FirstSlot == nil {
			first := s.start
			at.FirstSlot = &first
		}
		at.WorkedSeconds += s.tracked
	}
	at.MinHoursMet = float64(at.WorkedSeconds) >= sh.MinHours*3600
	switch {
	case at.FirstSlot != nil && !at.FirstSlot.After(sh.Start.Add(AttendanceGrace)):
		at.Status = AttendanceOnTime
	case at.FirstSlot != nil:
		at.Status = AttendanceLate
		at.LateMinutes = int(at.FirstSlot.Sub(sh.Start) / time.Minute)
	case !now.After(sh.Start.Add(AttendanceGrace)):
		at.Status = AttendanceUpcoming
	case now.Before(sh.End):
		// Past the grace with no time yet: late, and missed once it ends.
		at.Status = AttendanceLate
		at.LateMinutes = int(now.Sub(sh.Start) / time.Minute)
	default:
		at.Status = AttendanceMissed
	}
	return at
}

func (s *Server) routeSchedules(e *core.ServeEvent, z *authorizer) {
	auth := apis.RequireAuth(migrations.Users)
	e.Router.GET(ShiftsRoute, func(re *core.RequestEvent) error { return s.shifts(re, z) }).Bind(auth)
	e.Router.GET(AttendanceRoute, func(re *core.RequestEvent) error { return s.attendance(re, z) }).Bind(auth)
}

// visibleShifts reads the shifts of org the requester may view that occur
// in [from, to), sorted by start then member.
func visibleShifts(z *authorizer, app core.App, a orgActor, org *core.Record, from, to time.Time) ([]Shift, error) {
	sc := z.matrix.Scope(a.actor, perms.ViewSchedules, a.settings)
	if sc.Empty() {
		return []Shift{}, nil
	}
	q := app.RecordQuery(migrations.Schedules).
		AndWhere(dbx.HashExp{"org": org.Id}).
		AndWhere(dbx.NewExp("start < {:to} AND (end > {:from} OR repeat_until >= {:fromDay})", dbx.Params{
			"to": to.UTC().Format(slotLayout), "from": from.UTC().Format(slotLayout),
			"fromDay": from.In(orgLocation(org)).AddDate(0, 0, -1).Format(time.DateOnly),
		}))
	if !sc.All {
		var alts []dbx.Expression
		users := slices.Clone(sc.Users)
		if sc.Self {
			users = append(users, a.actor.UserID)
		}
		if len(users) > 0 {
			alts = append(alts, dbx.In("user", anySlice(users)...))
		}
		if len(sc.Projects) > 0 {
			alts = append(alts, dbx.In("project", anySlice(sc.Projects)...))
		}
		if len(alts) == 0 {
			return []Shift{}, nil // teams alone: shifts have no team
		}
		q = q.AndWhere(dbx.Or(alts...))
	}
	var records []*core.Record
	if err := q.All(&records); err != nil {
		return nil, fmt.Errorf("schedules of %s: %w", org.Id, err)
	}
	out := []Shift{}
	loc := orgLocation(org)
	for _, r := range records {
		// The SQL scope is the same as Decide's; each shift is checked
		// again so a scope change can never show more than a view would.
		if !z.decide(a, perms.ViewSchedules, perms.Target{OwnerID: r.GetString("user"), ProjectID: r.GetString("project")}).Allowed {
			continue
		}
		out = append(out, occurrences(r, loc, from, to)...)
	}
	slices.SortFunc(out, func(x, y Shift) int {
		return cmp.Or(x.Start.Compare(y.Start), cmp.Compare(x.User, y.User), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// holidaysIn lists the holidays of org between two local days, inclusive.
func holidaysIn(app core.App, org, fromDay, toDay string) ([]HolidayOn, error) {
	policies, err := app.FindAllRecords(migrations.HolidayPolicies, dbx.HashExp{"org": org})
	if err != nil {
		return nil, fmt.Errorf("holiday policies of %s: %w", org, err)
	}
	out := []HolidayOn{}
	for _, p := range policies {
		raw, _ := json.Marshal(p.Get("holidays"))
		hs, err := parseHolidays(raw)
		if err != nil {
			continue // saved before validation could refuse it: shows nothing
		}
		for _, h := range hs {
			if h.Date >= fromDay && h.Date <= toDay {
				out = append(out, HolidayOn{Date: h.Date, Name: h.Name, Policy: p.Id, All: p.GetBool("all_members"),
					Users: nonNil(p.GetStringSlice("members"))})
			}
		}
	}
	slices.SortFunc(out, func(x, y HolidayOn) int { return cmp.Or(cmp.Compare(x.Date, y.Date), cmp.Compare(x.Name, y.Name)) })
	return out, nil
}

func (s *Server) shifts(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	if z.matrix.Scope(a.actor, perms.ViewSchedules, a.settings).Empty() {
		return forbidden(perms.ViewSchedules)
	}
	q := e.Request.URL.Query()
	r, err := parseDayRange(q.Get("from"), q.Get("to"), orgLocation(org))
	if err != nil {
		return err
	}
	if r.days() > maxShiftRangeDays {
		return badRequest("A range of shifts may span at most %d days.", maxShiftRangeDays)
	}
	list, err := visibleShifts(z, e.App, a, org, r.bounds[0], r.bounds[len(r.bounds)-1])
	if err != nil {
		return err
	}
	hs, err := holidaysIn(e.App, org.Id, r.from, r.to)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, ShiftList{Shifts: list, Holidays: hs})
}

func (s *Server) attendance(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	if z.matrix.Scope(a.actor, perms.ViewSchedules, a.settings).Empty() {
		return forbidden(perms.ViewSchedules)
	}
	day := e.Request.URL.Query().Get("day")
	r, err := parseDayRange(day, day, orgLocation(org))
	if err != nil {
		return badRequest("day must be a day as YYYY-MM-DD.")
	}
	from, to := r.bounds[0], r.bounds[1]
	list, err := visibleShifts(z, e.App, a, org, from, to)
	if err != nil {
		return err
	}
	out := []Attendance{}
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
	slots, err := loadSlots(e.App, org.Id, lo.Add(-slotLen), hi, dbx.In("a.user", anySlice(sortedKeys(users))...))
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
			at.Status = AttendanceTimeOff
		case holidayFor(hs, sh.User):
			at.Status = AttendanceHoliday
		}
		out = append(out, at)
	}
	return e.JSON(http.StatusOK, out)
}

func holidayFor(hs []HolidayOn, user string) bool {
	return slices.ContainsFunc(hs, func(h HolidayOn) bool { return h.All || slices.Contains(h.Users, user) })
}

// timeOffOn is the members with approved time off on a local day.
func timeOffOn(app core.App, org, day string) (map[string]bool, error) {
	var users []string
	at := day + " 00:00:00.000Z"
	err := app.DB().Select("user").From(migrations.TimeOffRequests).
		Where(dbx.HashExp{"org": org, "status": migrations.TimeOffApproved}).
		AndWhere(dbx.NewExp("start <= {:at} AND end >= {:at}", dbx.Params{"at": at})).Column(&users)
	if err != nil {
		return nil, fmt.Errorf("time off of %s on %s: %w", org, day, err)
	}
	return setOf(users), nil
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
