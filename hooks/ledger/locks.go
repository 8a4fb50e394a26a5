package ledger

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// TimeUnlocked refuses, with a 409, a change to an activity that lies in an
// approved timesheet of its member.
func TimeUnlocked(app core.App, rec *core.Record) error {
	activity := schema.Activity{Record: rec}
	org, err := app.FindRecordById(schema.Organizations, activity.Org())
	if err != nil {
		return nil // no organization: integrity checks answer that
	}
	return PeriodUnlocked(app, org, activity.User(), activity.SlotStart())
}

func PeriodUnlocked(app core.App, org *core.Record, user string, at ...time.Time) error {
	for _, t := range at {
		sheet, err := ApprovedSheet(app, org, user, t)
		if err != nil {
			return err
		}
		if sheet != nil {
			return router.NewApiError(http.StatusConflict, fmt.Sprintf("This time is in an approved timesheet (%s – %s).", reply.DateOf(sheet, "period_start"), reply.DateOf(sheet, "period_end")), nil)
		}
	}
	return nil
}

func ApprovedSheet(app core.App, org *core.Record, user string, t time.Time) (*core.Record, error) {
	day := DayStamp(t, reply.OrgLocation(org))
	r, err := app.FindFirstRecordByFilter(schema.Timesheets,
		"org = {:org} && user = {:user} && status = {:status} && period_start <= {:day} && period_end >= {:day}",
		dbx.Params{"org": org.Id, "user": user, "status": schema.TimesheetApproved, "day": day})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("approved timesheet of %s at %s: %w", user, t, err)
	}
	return r, nil
}

// DayStamp is the day t falls on in loc, the way a date field stores a day:
// midnight UTC of that day.
func DayStamp(t time.Time, loc *time.Location) string {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(types.DefaultDateLayout)
}

// PayPeriod returns the first and last day (UTC midnights) of the pay period
// that holds day (a UTC midnight).
func PayPeriod(org *core.Record, day time.Time) (time.Time, time.Time) {
	anchor := org.GetDateTime(schema.FieldPayPeriodAnchor).Time().UTC()
	if anchor.IsZero() {
		anchor, _ = time.Parse(time.DateOnly, schema.DefaultPayPeriodAnchor)
	}
	anchor = time.Date(anchor.Year(), anchor.Month(), anchor.Day(), 0, 0, 0, 0, time.UTC)
	if org.GetString(schema.FieldPayPeriod) == schema.PayPeriodMonthly {
		d := min(anchor.Day(), 28)
		start := time.Date(day.Year(), day.Month(), d, 0, 0, 0, 0, time.UTC)
		if day.Before(start) {
			start = start.AddDate(0, -1, 0)
		}
		return start, start.AddDate(0, 1, -1)
	}
	n := 7
	if org.GetString(schema.FieldPayPeriod) == schema.PayPeriodBiweekly {
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
	days, err := RangeOf(first, last, reply.OrgLocation(org))
	if err != nil {
		return 0, 0, err
	}
	slots, err := LoadRangeSlots(app, org.Id, days, slotLen, dbx.HashExp{"a.user": user})
	if err != nil {
		return 0, 0, fmt.Errorf("time of %s in %s: %w", user, org.Id, err)
	}
	var sum api.Totals
	for i := range slots {
		days.Each(&slots[i], slotLen, func(_ int, t api.Totals) { sum.Plus(t) })
	}
	return sum.Tracked, sum.Manual, nil
}

func SetTotals(app core.App, org, sheet *core.Record, slotLen time.Duration) error {
	tracked, manual, err := periodTotals(app, org, sheet.GetString(schema.FieldUser),
		sheet.GetDateTime("period_start").Time().UTC(), sheet.GetDateTime("period_end").Time().UTC(), slotLen)
	if err != nil {
		return err
	}
	sheet.Set(schema.FieldTrackedSeconds, tracked)
	sheet.Set("manual_seconds", manual)
	return nil
}
