package hooks

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Which seconds of a slot belong to which local day is decided here and
// nowhere else: reports, timesheets, payroll, invoices, dashboards, limits
// and summaries all add up days through dayRange.each, so they agree to the
// second. Slots are 10-minute blocks aligned in UTC, and in a zone whose
// midnight is not on a 10-minute boundary (Asia/Kathmandu, +05:45) one slot
// a day straddles local midnight: its seconds are split between the two days
// in proportion to the part of the slot each holds.

// each calls fn with the share of sl that falls on each day of r the slot
// overlaps, day being its index in r; days outside r are skipped. The share
// before a local midnight is the slot's figures scaled down (rounded down);
// the rest goes to the next day, so the shares always add up to the slot.
func (r dayRange) each(sl *slot, slotLen time.Duration, fn func(day int, t Totals)) {
	whole := Totals{Tracked: sl.tracked, Active: sl.active}
	if sl.manual {
		whole.Manual = sl.tracked
	}
	d := r.dayOf(sl.start)
	if next := d + 1; next >= 0 && next <= r.days() {
		if after := sl.start.Add(slotLen).Sub(r.bounds[next]); after > 0 {
			slotSecs, before := int(slotLen/time.Second), int((slotLen-after)/time.Second)
			early := Totals{
				Tracked: whole.Tracked * before / slotSecs,
				Manual:  whole.Manual * before / slotSecs,
				Active:  whole.Active * before / slotSecs,
			}
			if d >= 0 {
				fn(d, early)
			}
			whole = Totals{Tracked: whole.Tracked - early.Tracked, Manual: whole.Manual - early.Manual, Active: whole.Active - early.Active}
			d = next
		}
	}
	if d >= 0 && d < r.days() {
		fn(d, whole)
	}
}

// loadRangeSlots reads the slots with any second inside r: those starting
// in it and the one that starts just before its first local midnight.
func loadRangeSlots(app core.App, org string, r dayRange, slotLen time.Duration, where ...dbx.Expression) ([]slot, error) {
	return loadSlots(app, org, r.bounds[0].Add(-slotLen+time.Second), r.bounds[r.days()], where...)
}

// rangeOf is the local days first to last (dates: their clock and zone are
// ignored) in loc.
func rangeOf(first, last time.Time, loc *time.Location) (dayRange, error) {
	return parseDayRange(first.Format(time.DateOnly), last.Format(time.DateOnly), loc)
}

// slotLen is the length of one activity slot.
func (c Config) slotLen() time.Duration { return time.Duration(c.SlotSeconds) * time.Second }
