package tracking

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func (s *Server) registerTime(app core.App, z *gate.Authorizer) {
	app.OnRecordCreate(schema.Organizations).BindFunc(defaultTimeSettings)
	app.OnRecordValidate(schema.Organizations).BindFunc(validatePayPeriod)
	// Everyone tracks from the day they join; turning it off is a change the
	// matrix decides (Enable/Disable Time Tracking), never a side effect.
	app.OnRecordCreate(schema.Memberships).BindFunc(func(e *core.RecordEvent) error {
		e.Record.Set(schema.FieldTrackingEnabled, true)
		return e.Next()
	})
	app.OnRecordCreateRequest(schema.Memberships).BindFunc(func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return fmt.Errorf("read request: %w", err)
		}
		if v, given := info.Body["tracking_enabled"]; given && v != true {
			return reply.BadRequest("New members start with time tracking on; turn it off once they are members.")
		}
		return e.Next()
	})

	// The lock holds for every way time is written: the API, the agent,
	// manual time and approved requests all save activities.
	app.OnRecordCreate(schema.Activities).BindFunc(func(e *core.RecordEvent) error {
		if err := ledger.TimeUnlocked(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdate(schema.Activities).BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original()
		if changesTime(before, e.Record) {
			for _, r := range []*core.Record{before, e.Record} {
				if err := ledger.TimeUnlocked(e.App, r); err != nil {
					return err
				}
			}
		}
		return e.Next()
	})
	// Deletions are checked per request, not per model: deleting a project,
	// a member or an organization cascades to its time, which a lock must not stop.
	app.OnRecordDeleteRequest(schema.Activities).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := ledger.TimeUnlocked(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})

	reply.ServeSignedIn(app,
		reply.POST(api.TimesheetSubmitRoute, func(re *core.RequestEvent) error { return s.submitTimesheet(re, z) }),
		reply.POST(api.TimesheetApproveRoute, func(re *core.RequestEvent) error { return s.decideTimesheet(re, z, true) }),
		reply.POST(api.TimesheetRejectRoute, func(re *core.RequestEvent) error { return s.decideTimesheet(re, z, false) }),
		reply.POST(api.ManualTimeRoute, func(re *core.RequestEvent) error { return s.addTime(re, z) }),
		reply.POST(api.ApproveTimeRequestRoute, func(re *core.RequestEvent) error { return s.decideTimeRequest(re, z, true) }),
		reply.POST(api.DenyTimeRequestRoute, func(re *core.RequestEvent) error { return s.decideTimeRequest(re, z, false) }),
	)
}

// defaultTimeSettings gives a new organization the time settings it leaves out.
func defaultTimeSettings(e *core.RecordEvent) error {
	if e.Record.GetString(schema.FieldManualTime) == "" {
		e.Record.Set(schema.FieldManualTime, schema.DefaultManualTime)
	}
	if e.Record.GetString(schema.FieldPayPeriod) == "" {
		e.Record.Set(schema.FieldPayPeriod, schema.DefaultPayPeriod)
	}
	if e.Record.GetDateTime(schema.FieldPayPeriodAnchor).IsZero() {
		e.Record.Set(schema.FieldPayPeriodAnchor, schema.DefaultPayPeriodAnchor+" 00:00:00.000Z")
	}
	return e.Next()
}

// validatePayPeriod keeps monthly periods the same length of month every
// month: a period starting on the 31st would skip February.
func validatePayPeriod(e *core.RecordEvent) error {
	return reply.ValidateAlso(e, func() validation.Errors {
		anchor := e.Record.GetDateTime(schema.FieldPayPeriodAnchor)
		if e.Record.GetString(schema.FieldPayPeriod) == schema.PayPeriodMonthly && !anchor.IsZero() && anchor.Time().UTC().Day() > 28 {
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

func (s *Server) submitTimesheet(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	var in api.TimesheetSubmission
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send period_start as YYYY-MM-DD and optionally the member's user id as JSON.")
	}
	if in.User == "" {
		in.User = e.Auth.Id
	}
	if !reply.IsRecordID(in.User) {
		return reply.BadRequest("user must be a member's id.")
	}
	if in.User != e.Auth.Id && !z.Decide(a, perms.SubmitTimesheetsForUsers, perms.Target{OwnerID: in.User}).Allowed {
		return reply.Forbidden(perms.SubmitTimesheetsForUsers)
	}
	if !org.GetBool(schema.FieldTimesheetApprovals) {
		return reply.BadRequest("Timesheet approvals are turned off in %s.", org.GetString(schema.FieldName))
	}
	day, err := time.Parse(time.DateOnly, in.PeriodStart)
	if err != nil {
		return reply.BadRequest("period_start must be a day as YYYY-MM-DD.")
	}
	first, last := ledger.PayPeriod(org, day)
	if !first.Equal(day) {
		return reply.BadRequest("period_start must be the first day of a pay period: %s is in the period %s – %s.",
			in.PeriodStart, first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	if today, _ := time.Parse(types.DefaultDateLayout, ledger.DayStamp(time.Now(), reply.OrgLocation(org))); first.After(today) {
		return reply.BadRequest("That pay period hasn't started yet.")
	}
	member, err := gate.LoadActor(e.App, in.User, org.Id)
	if err != nil {
		return err
	}
	if !member.Member {
		return reply.BadRequest("user must be an active member of the organization.")
	}

	var sheet *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		sheet, err = tx.FindFirstRecordByFilter(schema.Timesheets, "org = {:org} && user = {:user} && period_start = {:start}",
			dbx.Params{"org": org.Id, "user": in.User, "start": first.Format(types.DefaultDateLayout)})
		switch {
		case errors.Is(err, sql.ErrNoRows):
			c, err := tx.FindCachedCollectionByNameOrId(schema.Timesheets)
			if err != nil {
				return err
			}
			sheet = core.NewRecord(c)
			sheet.Set(schema.FieldOrg, org.Id)
			sheet.Set(schema.FieldUser, in.User)
			sheet.Set("period_start", first)
			sheet.Set("period_end", last)
		case err != nil:
			return fmt.Errorf("find timesheet: %w", err)
		case sheet.GetString(schema.FieldStatus) == schema.TimesheetApproved:
			return router.NewApiError(http.StatusConflict, "This timesheet is already approved.", nil)
		case sheet.GetString(schema.FieldStatus) == schema.TimesheetSubmitted:
			return reply.BadRequest("This timesheet is already submitted.")
		}
		sheet.Set(schema.FieldStatus, schema.TimesheetSubmitted)
		sheet.Set("submitted_by", e.Auth.Id)
		sheet.Set("decided_by", "")
		sheet.Set("reason", "")
		if err := ledger.SetTotals(tx, org, sheet, s.cfg.SlotLen()); err != nil {
			return err
		}
		if err := tx.Save(sheet); err != nil {
			return err
		}
		audit.Log(tx, e.Auth, "submit_timesheet", sheet, map[string]any{"period_start": in.PeriodStart})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't submit the timesheet.")
	}
	return e.JSON(http.StatusOK, sheet)
}

func (s *Server) decideTimesheet(e *core.RequestEvent, z *gate.Authorizer, approve bool) error {
	sheet, err := e.App.FindRecordById(schema.Timesheets, e.Request.PathValue("id"))
	if err != nil {
		return reply.NotFound()
	}
	a, err := z.Actor(e.App, e.Auth, sheet.GetString(schema.FieldOrg))
	if err != nil {
		return err
	}
	if !z.CanView(a, z.Policies[schema.Timesheets], sheet) {
		return reply.NotFound()
	}
	if !z.Decide(a, perms.ApproveTimesheets, perms.Target{OwnerID: sheet.GetString(schema.FieldUser)}).Allowed {
		return reply.Forbidden(perms.ApproveTimesheets)
	}
	var in api.TimesheetDecision
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send the reason, if any, as JSON.")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	status := sheet.GetString(schema.FieldStatus)
	switch {
	case len(in.Reason) > schema.MaxManualTimeNoteLength:
		return reply.BadRequest("The reason may be at most %d characters.", schema.MaxManualTimeNoteLength)
	case approve && status != schema.TimesheetSubmitted:
		return reply.BadRequest("Only a submitted timesheet can be approved; this one is %s.", status)
	case !approve && in.Reason == "":
		return reply.BadRequest("Say why the timesheet is rejected.")
	case !approve && status != schema.TimesheetSubmitted && status != schema.TimesheetApproved:
		return reply.BadRequest("Only a submitted or approved timesheet can be rejected; this one is %s.", status)
	}
	org, err := e.App.FindRecordById(schema.Organizations, sheet.GetString(schema.FieldOrg))
	if err != nil {
		return fmt.Errorf("find organization of timesheet %s: %w", sheet.Id, err)
	}
	action := "reject_timesheet"
	sheet.Set(schema.FieldStatus, schema.TimesheetRejected)
	if approve {
		action = "approve_timesheet"
		sheet.Set(schema.FieldStatus, schema.TimesheetApproved)
	}
	sheet.Set("decided_by", e.Auth.Id)
	sheet.Set("reason", in.Reason)
	err = e.App.RunInTransaction(func(tx core.App) error {
		// The totals an approval locks are those of the time it locks.
		if err := ledger.SetTotals(tx, org, sheet, s.cfg.SlotLen()); err != nil {
			return err
		}
		if err := tx.Save(sheet); err != nil {
			return err
		}
		audit.Log(tx, e.Auth, action, sheet, map[string]any{"reason": in.Reason, "was": status})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't decide the timesheet.")
	}
	return e.JSON(http.StatusOK, sheet)
}
