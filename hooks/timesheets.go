package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// Timesheet approvals, as in Hubstaff: a member (or someone allowed to, for
// them) submits the time of one pay period, an approver approves or rejects
// it. Approved time is locked: nothing adds, changes or deletes a member's
// time inside an approved period until it is rejected again.
const (
	TimesheetSubmitRoute  = "/api/tock/orgs/{org}/timesheets/submit"
	TimesheetApproveRoute = "/api/tock/timesheets/{id}/approve"
	TimesheetRejectRoute  = "/api/tock/timesheets/{id}/reject"
)

// TimesheetSubmission is the body of a submission: the member (default: the
// requester) and the first day of the pay period, as YYYY-MM-DD.
type TimesheetSubmission struct {
	User        string `json:"user"`
	PeriodStart string `json:"period_start"`
}

// TimesheetDecision is the body of an approval or a rejection.
type TimesheetDecision struct {
	Reason string `json:"reason"`
}

func (s *Server) registerTime(app core.App, z *authorizer) {
	app.OnRecordCreate(migrations.Organizations).BindFunc(defaultTimeSettings)
	app.OnRecordValidate(migrations.Organizations).BindFunc(validatePayPeriod)
	// Everyone tracks from the day they join; turning it off is a change the
	// matrix decides (Enable/Disable Time Tracking), never a side effect.
	app.OnRecordCreate(migrations.Memberships).BindFunc(func(e *core.RecordEvent) error {
		e.Record.Set("tracking_enabled", true)
		return e.Next()
	})
	app.OnRecordCreateRequest(migrations.Memberships).BindFunc(func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return fmt.Errorf("read request: %w", err)
		}
		if v, given := info.Body["tracking_enabled"]; given && v != true {
			return badRequest("New members start with time tracking on; turn it off once they are members.")
		}
		return e.Next()
	})

	// The lock holds for every way time is written: the API, the agent,
	// manual time and approved requests all save activities.
	app.OnRecordCreate(migrations.Activities).BindFunc(func(e *core.RecordEvent) error {
		if err := timeUnlocked(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdate(migrations.Activities).BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original()
		if changesTime(before, e.Record) {
			for _, r := range []*core.Record{before, e.Record} {
				if err := timeUnlocked(e.App, r); err != nil {
					return err
				}
			}
		}
		return e.Next()
	})
	// Deletions are checked per request, not per model: deleting a project,
	// a member or an organization cascades to its time, which a lock must not stop.
	app.OnRecordDeleteRequest(migrations.Activities).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := timeUnlocked(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})

	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		auth := apis.RequireAuth(migrations.Users)
		e.Router.POST(TimesheetSubmitRoute, func(re *core.RequestEvent) error { return s.submitTimesheet(re, z) }).Bind(auth)
		e.Router.POST(TimesheetApproveRoute, func(re *core.RequestEvent) error { return s.decideTimesheet(re, z, true) }).Bind(auth)
		e.Router.POST(TimesheetRejectRoute, func(re *core.RequestEvent) error { return s.decideTimesheet(re, z, false) }).Bind(auth)
		e.Router.POST(ManualTimeRoute, func(re *core.RequestEvent) error { return s.addTime(re, z) }).Bind(auth)
		e.Router.POST(ApproveTimeRequestRoute, func(re *core.RequestEvent) error { return s.decideTimeRequest(re, z, true) }).Bind(auth)
		e.Router.POST(DenyTimeRequestRoute, func(re *core.RequestEvent) error { return s.decideTimeRequest(re, z, false) }).Bind(auth)
		return e.Next()
	})
}

// defaultTimeSettings gives a new organization the time settings it leaves out.
func defaultTimeSettings(e *core.RecordEvent) error {
	if e.Record.GetString("manual_time") == "" {
		e.Record.Set("manual_time", migrations.DefaultManualTime)
	}
	if e.Record.GetString("pay_period") == "" {
		e.Record.Set("pay_period", migrations.DefaultPayPeriod)
	}
	if e.Record.GetDateTime("pay_period_anchor").IsZero() {
		e.Record.Set("pay_period_anchor", migrations.DefaultPayPeriodAnchor+" 00:00:00.000Z")
	}
	return e.Next()
}

// validatePayPeriod keeps monthly periods the same length of month every
// month: a period starting on the 31st would skip February.
func validatePayPeriod(e *core.RecordEvent) error {
	return validateAlso(e, func() validation.Errors {
		anchor := e.Record.GetDateTime("pay_period_anchor")
		if e.Record.GetString("pay_period") == migrations.PayPeriodMonthly && !anchor.IsZero() && anchor.Time().UTC().Day() > 28 {
			return validation.Errors{"pay_period_anchor": validation.NewError("validation_anchor_day",
				"Monthly pay periods start on a day from the 1st to the 28th.")}
		}
		return nil
	})
}

// timeFields are what an activity's time is: a change to any of them is a
// change to the member's time.
var timeFields = []string{"org", "user", "project", "task", "slot_start", "tracked_seconds", "keyboard_seconds", "mouse_seconds", "active_seconds", "source"}

func changesTime(before, after *core.Record) bool {
	for _, f := range timeFields {
		if fmt.Sprint(before.Get(f)) == fmt.Sprint(after.Get(f)) {
			continue
		}
		// Deleting a task unsets it on its time, locked or not.
		if f == "task" && after.GetString(f) == "" {
			continue
		}
		return true
	}
	return false
}

// timeUnlocked refuses, with a 409, a change to an activity that lies in an
// approved timesheet of its member.
func timeUnlocked(app core.App, activity *core.Record) error {
	org, err := app.FindRecordById(migrations.Organizations, activity.GetString("org"))
	if err != nil {
		return nil // no organization: integrity checks answer that
	}
	return periodUnlocked(app, org, activity.GetString("user"), activity.GetDateTime("slot_start").Time())
}

func periodUnlocked(app core.App, org *core.Record, user string, at ...time.Time) error {
	for _, t := range at {
		sheet, err := approvedSheet(app, org, user, t)
		if err != nil {
			return err
		}
		if sheet != nil {
			return router.NewApiError(http.StatusConflict, fmt.Sprintf("This time is in an approved timesheet (%s – %s).",
				dateOf(sheet, "period_start"), dateOf(sheet, "period_end")), nil)
		}
	}
	return nil
}

func approvedSheet(app core.App, org *core.Record, user string, t time.Time) (*core.Record, error) {
	day := dayStamp(t, orgLocation(org))
	r, err := app.FindFirstRecordByFilter(migrations.Timesheets,
		"org = {:org} && user = {:user} && status = {:status} && period_start <= {:day} && period_end >= {:day}",
		dbx.Params{"org": org.Id, "user": user, "status": migrations.TimesheetApproved, "day": day})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("approved timesheet of %s at %s: %w", user, t, err)
	}
	return r, nil
}

// dayStamp is the day t falls on in loc, the way a date field stores a day:
// midnight UTC of that day.
func dayStamp(t time.Time, loc *time.Location) string {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(types.DefaultDateLayout)
}

func dateOf(r *core.Record, field string) string {
	return r.GetDateTime(field).Time().UTC().Format(time.DateOnly)
}

// localMidnight is the start of the calendar day of date (a UTC midnight) in loc.
func localMidnight(date time.Time, loc *time.Location) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, loc)
}

// payPeriod returns the first and last day (UTC midnights) of the pay period
// that holds day (a UTC midnight).
func payPeriod(org *core.Record, day time.Time) (time.Time, time.Time) {
	anchor := org.GetDateTime("pay_period_anchor").Time().UTC()
	if anchor.IsZero() {
		anchor, _ = time.Parse(time.DateOnly, migrations.DefaultPayPeriodAnchor)
	}
	anchor = time.Date(anchor.Year(), anchor.Month(), anchor.Day(), 0, 0, 0, 0, time.UTC)
	if org.GetString("pay_period") == migrations.PayPeriodMonthly {
		d := min(anchor.Day(), 28)
		start := time.Date(day.Year(), day.Month(), d, 0, 0, 0, 0, time.UTC)
		if day.Before(start) {
			start = start.AddDate(0, -1, 0)
		}
		return start, start.AddDate(0, 1, -1)
	}
	n := 7
	if org.GetString("pay_period") == migrations.PayPeriodBiweekly {
		n = 14
	}
	days := int(day.Sub(anchor).Hours() / 24)
	k := days / n
	if days < 0 && days%n != 0 {
		k-- // floor, for days before the anchor
	}
	start := anchor.AddDate(0, 0, k*n)
	return start, start.AddDate(0, 0, n-1)
}

// periodTotals adds up a member's seconds in the period from first to last
// day (dates), days of the organization's time zone split as everywhere
// (dayRange.each). tracked counts all of the time, manual time included, as
// a report's tracked_seconds does; manual is its manual part.
func periodTotals(app core.App, org *core.Record, user string, first, last time.Time, slotLen time.Duration) (tracked, manual int, err error) {
	days, err := rangeOf(first, last, orgLocation(org))
	if err != nil {
		return 0, 0, err
	}
	slots, err := loadRangeSlots(app, org.Id, days, slotLen, dbx.HashExp{"a.user": user})
	if err != nil {
		return 0, 0, fmt.Errorf("time of %s in %s: %w", user, org.Id, err)
	}
	var sum Totals
	for i := range slots {
		days.each(&slots[i], slotLen, func(_ int, t Totals) { sum.plus(t) })
	}
	return sum.Tracked, sum.Manual, nil
}

func setTotals(app core.App, org, sheet *core.Record, slotLen time.Duration) error {
	tracked, manual, err := periodTotals(app, org, sheet.GetString("user"),
		sheet.GetDateTime("period_start").Time().UTC(), sheet.GetDateTime("period_end").Time().UTC(), slotLen)
	if err != nil {
		return err
	}
	sheet.Set("tracked_seconds", tracked)
	sheet.Set("manual_seconds", manual)
	return nil
}

func (s *Server) submitTimesheet(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	var in TimesheetSubmission
	if err := e.BindBody(&in); err != nil {
		return badRequest("Send period_start as YYYY-MM-DD and optionally the member's user id as JSON.")
	}
	if in.User == "" {
		in.User = e.Auth.Id
	}
	if !isRecordID(in.User) {
		return badRequest("user must be a member's id.")
	}
	if in.User != e.Auth.Id && !z.decide(a, perms.SubmitTimesheetsForUsers, perms.Target{OwnerID: in.User}).Allowed {
		return forbidden(perms.SubmitTimesheetsForUsers)
	}
	if !org.GetBool("timesheet_approvals") {
		return badRequest("Timesheet approvals are turned off in %s.", org.GetString("name"))
	}
	day, err := time.Parse(time.DateOnly, in.PeriodStart)
	if err != nil {
		return badRequest("period_start must be a day as YYYY-MM-DD.")
	}
	first, last := payPeriod(org, day)
	if !first.Equal(day) {
		return badRequest("period_start must be the first day of a pay period: %s is in the period %s – %s.",
			in.PeriodStart, first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	if today, _ := time.Parse(types.DefaultDateLayout, dayStamp(time.Now(), orgLocation(org))); first.After(today) {
		return badRequest("That pay period hasn't started yet.")
	}
	member, err := loadActor(e.App, in.User, org.Id)
	if err != nil {
		return err
	}
	if !member.member {
		return badRequest("user must be an active member of the organization.")
	}

	var sheet *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		sheet, err = tx.FindFirstRecordByFilter(migrations.Timesheets, "org = {:org} && user = {:user} && period_start = {:start}",
			dbx.Params{"org": org.Id, "user": in.User, "start": first.Format(types.DefaultDateLayout)})
		switch {
		case errors.Is(err, sql.ErrNoRows):
			c, err := tx.FindCachedCollectionByNameOrId(migrations.Timesheets)
			if err != nil {
				return err
			}
			sheet = core.NewRecord(c)
			sheet.Set("org", org.Id)
			sheet.Set("user", in.User)
			sheet.Set("period_start", first)
			sheet.Set("period_end", last)
		case err != nil:
			return fmt.Errorf("find timesheet: %w", err)
		case sheet.GetString("status") == migrations.TimesheetApproved:
			return router.NewApiError(http.StatusConflict, "This timesheet is already approved.", nil)
		case sheet.GetString("status") == migrations.TimesheetSubmitted:
			return badRequest("This timesheet is already submitted.")
		}
		sheet.Set("status", migrations.TimesheetSubmitted)
		sheet.Set("submitted_by", e.Auth.Id)
		sheet.Set("decided_by", "")
		sheet.Set("reason", "")
		if err := setTotals(tx, org, sheet, s.cfg.slotLen()); err != nil {
			return err
		}
		if err := tx.Save(sheet); err != nil {
			return err
		}
		audit(tx, e.Auth, "submit_timesheet", sheet, map[string]any{"period_start": in.PeriodStart})
		return nil
	})
	if err != nil {
		return requestError(err, "Couldn't submit the timesheet.")
	}
	return e.JSON(http.StatusOK, sheet)
}

func (s *Server) decideTimesheet(e *core.RequestEvent, z *authorizer, approve bool) error {
	sheet, err := e.App.FindRecordById(migrations.Timesheets, e.Request.PathValue("id"))
	if err != nil {
		return notFound()
	}
	a, err := z.actor(e.App, e.Auth, sheet.GetString("org"))
	if err != nil {
		return err
	}
	if !z.canView(a, z.policies[migrations.Timesheets], sheet) {
		return notFound()
	}
	if !z.decide(a, perms.ApproveTimesheets, perms.Target{OwnerID: sheet.GetString("user")}).Allowed {
		return forbidden(perms.ApproveTimesheets)
	}
	var in TimesheetDecision
	if err := e.BindBody(&in); err != nil {
		return badRequest("Send the reason, if any, as JSON.")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	status := sheet.GetString("status")
	switch {
	case len(in.Reason) > migrations.MaxManualTimeNoteLength:
		return badRequest("The reason may be at most %d characters.", migrations.MaxManualTimeNoteLength)
	case approve && status != migrations.TimesheetSubmitted:
		return badRequest("Only a submitted timesheet can be approved; this one is %s.", status)
	case !approve && in.Reason == "":
		return badRequest("Say why the timesheet is rejected.")
	case !approve && status != migrations.TimesheetSubmitted && status != migrations.TimesheetApproved:
		return badRequest("Only a submitted or approved timesheet can be rejected; this one is %s.", status)
	}
	org, err := e.App.FindRecordById(migrations.Organizations, sheet.GetString("org"))
	if err != nil {
		return fmt.Errorf("find organization of timesheet %s: %w", sheet.Id, err)
	}
	action := "reject_timesheet"
	sheet.Set("status", migrations.TimesheetRejected)
	if approve {
		action = "approve_timesheet"
		sheet.Set("status", migrations.TimesheetApproved)
	}
	sheet.Set("decided_by", e.Auth.Id)
	sheet.Set("reason", in.Reason)
	err = e.App.RunInTransaction(func(tx core.App) error {
		// The totals an approval locks are those of the time it locks.
		if err := setTotals(tx, org, sheet, s.cfg.slotLen()); err != nil {
			return err
		}
		if err := tx.Save(sheet); err != nil {
			return err
		}
		audit(tx, e.Auth, action, sheet, map[string]any{"reason": in.Reason, "was": status})
		return nil
	})
	if err != nil {
		return requestError(err, "Couldn't decide the timesheet.")
	}
	return e.JSON(http.StatusOK, sheet)
}
