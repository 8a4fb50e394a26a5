package ledger

import (
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/reply"
)

// A report of a month reads activity_hours (a migration's table, kept equal
// to the slots by triggers): the sums of each UTC hour's slots per member,
// project and task. An hour that lies inside one local day adds its sums to
// that day whole, which is what dayRange.each gives each of its slots since
// none of them crosses a midnight. The hours that hold a local midnight
// (zones with :30 or :45 offsets) and the one before the range are read slot
// by slot and split by dayRange.each, so every figure is the same to the
// second as adding up the slots one at a time.

// hourLayout is how activity_hours writes an hour: slot_start's first 13
// characters.
const hourLayout = "2006-01-02 15"

// EachRangeTotal calls fn with the seconds of r's slots narrowed by where
// (conditions on "a.user" and "a.project"), per local day, member, project
// and task; the same key may come several times, to be added up.
func EachRangeTotal(app core.App, org string, r DayRange, slotLen time.Duration, where []dbx.Expression,
	fn func(day int, user, project, task string, t api.Totals)) error {
	lo, hi := r.Bounds[0].Add(-slotLen+time.Second), r.Bounds[r.Days()]
	whole := func(h time.Time) bool {
		d := r.DayOf(h)
		return time.Hour%slotLen == 0 && d >= 0 && d < r.Days() && !h.Add(time.Hour).After(r.Bounds[d+1])
	}
	// The hours that are not whole: the one before the range and those
	// holding a local midnight (every hour that isn't whole is one of these).
	split := map[time.Time]bool{}
	for _, b := range append([]time.Time{lo}, r.Bounds...) {
		if h := b.UTC().Truncate(time.Hour); !whole(h) {
			split[h] = true
		}
	}
	if err := eachWholeHour(app, org, lo, hi, where, func(h time.Time, user, project, task string, t api.Totals) {
		if !split[h] {
			fn(r.DayOf(h), user, project, task, t)
		}
	}); err != nil {
		return err
	}
	if len(split) == 0 {
		return nil
	}
	var hours []dbx.Expression
	for h := range split {
		n := len(hours)
		hours = append(hours, dbx.NewExp(fmt.Sprintf("a.slot_start >= {:hf%d} AND a.slot_start < {:ht%d}", n, n),
			dbx.Params{fmt.Sprintf("hf%d", n): h.Format(reply.SlotLayout), fmt.Sprintf("ht%d", n): h.Add(time.Hour).Format(reply.SlotLayout)}))
	}
	slots, err := LoadSlots(app, org, lo, hi, append(slices.Clip(where), dbx.Or(hours...))...)
	if err != nil {
		return err
	}
	for i := range slots {
		sl := &slots[i]
		r.Each(sl, slotLen, func(day int, t api.Totals) { fn(day, sl.User, sl.Project, sl.Task, t) })
	}
	return nil
}

// eachWholeHour calls fn with the sums of each hour of org's activity_hours
// from lo's hour to hi's (hi excluded), narrowed by where.
func eachWholeHour(app core.App, org string, lo, hi time.Time, where []dbx.Expression,
	fn func(h time.Time, user, project, task string, t api.Totals)) error {
	q := app.DB().Select("a.user", "a.project", "a.task", "a.hour", "a.tracked", "a.active", "a.manual").
		From("activity_hours a").
		Where(dbx.HashExp{"a.org": org}).
		AndWhere(dbx.NewExp("a.hour >= {:from} AND a.hour <= {:to}",
			dbx.Params{"from": lo.UTC().Format(hourLayout), "to": hi.Add(-time.Nanosecond).UTC().Format(hourLayout)}))
	for _, w := range where {
		if w != nil {
			q = q.AndWhere(w)
		}
	}
	rows, err := q.Rows()
	if err != nil {
		return fmt.Errorf("activity hours of %s: %w", org, err)
	}
	defer rows.Close()
	hours := map[string]time.Time{}
	for rows.Next() {
		var (
			user, project, task, hour string
			t                         api.Totals
		)
		if err := rows.Scan(&user, &project, &task, &hour, &t.Tracked, &t.Active, &t.Manual); err != nil {
			return fmt.Errorf("read activity hour of %s: %w", org, err)
		}
		h, ok := hours[hour]
		if !ok {
			if h, err = time.Parse(hourLayout, hour); err != nil {
				return fmt.Errorf("activity hour %q of %s: %w", hour, org, err)
			}
			hours[hour] = h
		}
		fn(h, user, project, task, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("activity hours of %s: %w", org, err)
	}
	return nil
}
