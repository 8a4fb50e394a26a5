package tracking

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/migrations/schema"
)

// Daily and weekly limits, and the switch that turns a member's tracking
// off, as in Hubstaff: they bind the agent's uploads. A limit counts all of
// the member's time in the organization (tracked and manual, every
// project), by days and Monday-start weeks of the organization's timezone.

// timeRules is what binds one member's uploads in one organization.
type timeRules struct {
	org                *core.Record
	user               string
	trackingEnabled    bool
	dailyHours, weekly float64
}

// LoadTimeRules reads user's tracking switch and limits in org, the
// organization as the caller read it in this request.
func loadTimeRules(app core.App, org *core.Record, user string) (timeRules, error) {
	m, err := app.FindFirstRecordByFilter(schema.Memberships, "org = {:org} && user = {:user}",
		dbx.Params{"org": org.Id, "user": user})
	if err != nil {
		return timeRules{}, fmt.Errorf("membership of %s in %s: %w", user, org.Id, err)
	}
	return timeRules{
		org: org, user: user, trackingEnabled: m.GetBool(schema.FieldTrackingEnabled),
		dailyHours: m.GetFloat(schema.FieldDailyLimitHours), weekly: m.GetFloat(schema.FieldWeeklyLimitHours),
	}, nil
}

// CheckTracking refuses a member whose time tracking is off in org, the
// organization as the caller read it in this request: no tracking, no
// locations either.
func CheckTracking(app core.App, org *core.Record, user string) error {
	rules, err := loadTimeRules(app, org, user)
	if err != nil {
		return err
	}
	if !rules.trackingEnabled {
		return errTrackingOff(org)
	}
	return nil
}

func errTrackingOff(org *core.Record) error {
	msg := fmt.Sprintf("Time tracking is turned off for you in %s.", org.GetString(schema.FieldName))
	return router.NewForbiddenError(msg, map[string]validation.Error{"tracking": validation.NewError(api.CodeTrackingOff, msg)})
}

func limitMessage(kind string, hours float64) string {
	return fmt.Sprintf("%s limit of %s h reached.", kind, strconv.FormatFloat(hours, 'f', -1, 64))
}

// room returns how many seconds the member may still add at slot, counting
// their stored time but not the activity except (a re-upload replaces it),
// and the message of the limit that binds; -1 means no limit. A day and a
// week hold the seconds dayRange.each gives them, as in every report.
func (r timeRules) room(app core.App, slot time.Time, except string, slotLen time.Duration) (int, string, error) {
	local := slot.In(reply.OrgLocation(r.org))
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	week := reply.MondayOf(day)
	left, msg := -1, ""
	for _, l := range []struct {
		kind        string
		hours       float64
		first, last time.Time
	}{
		{"Daily", r.dailyHours, day, day},
		{"Weekly", r.weekly, week, week.AddDate(0, 0, 6)},
	} {
		if l.hours <= 0 {
			continue
		}
		used, err := r.used(app, l.first, l.last, except, slotLen)
		if err != nil {
			return 0, "", err
		}
		rest := max(int(l.hours*3600)-used, 0)
		if left < 0 || rest < left {
			left, msg = rest, limitMessage(l.kind, l.hours)
		}
	}
	return left, msg, nil
}

// used is the member's time on the days first to last (dates), but for the
// activity except.
func (r timeRules) used(app core.App, first, last time.Time, except string, slotLen time.Duration) (int, error) {
	days, err := ledger.RangeOf(first, last, reply.OrgLocation(r.org))
	if err != nil {
		return 0, err
	}
	slots, err := ledger.LoadRangeSlots(app, r.org.Id, days, slotLen,
		dbx.HashExp{"a.user": r.user}, dbx.Not(dbx.HashExp{"a.id": except}))
	if err != nil {
		return 0, fmt.Errorf("time of %s in %s: %w", r.user, r.org.Id, err)
	}
	var sum api.Totals
	for i := range slots {
		days.Each(&slots[i], slotLen, func(_ int, t api.Totals) { sum.Plus(t) })
	}
	return sum.Tracked, nil
}

// clampTo cuts an upload down to seconds of tracked time, its input counters
// in proportion, so activity % stays what the agent measured.
func clampTo(in *ingest.Activity, seconds int) {
	if in.TrackedSeconds <= seconds {
		return
	}
	scale := func(v int) int { return v * seconds / in.TrackedSeconds }
	in.ActiveSeconds, in.KeyboardSeconds, in.MouseSeconds = scale(in.ActiveSeconds), scale(in.KeyboardSeconds), scale(in.MouseSeconds)
	in.TrackedSeconds = seconds
}

func errLimitReached(msg string) error {
	return router.NewApiError(http.StatusConflict, msg, map[string]validation.Error{"limit": validation.NewError(api.CodeLimitReached, msg)})
}
