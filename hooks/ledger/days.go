package ledger

import (
	"fmt"
	"sort"
	"time"

	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
)

// dayRange is an inclusive range of local days in one time zone, with the
// instant each day starts: 23- and 25-hour days fall out of time.Date.
type DayRange struct {
	From, To string
	loc      *time.Location
	Bounds   []time.Time // days()+1 instants: the start of each day, then the end of the last
}

// maxReportDays bounds a report or break listing: a year, leap day included.
const MaxReportDays = 366

func ParseDayRange(fromS, toS string, loc *time.Location) (DayRange, error) {
	if fromS == "" || toS == "" {
		return DayRange{}, router.NewBadRequestError("from and to are required days, as YYYY-MM-DD.", nil)
	}
	from, err := time.ParseInLocation(time.DateOnly, fromS, loc)
	if err != nil {
		return DayRange{}, router.NewBadRequestError("from must be a day as YYYY-MM-DD.", nil)
	}
	to, err := time.ParseInLocation(time.DateOnly, toS, loc)
	if err != nil {
		return DayRange{}, router.NewBadRequestError("to must be a day as YYYY-MM-DD.", nil)
	}
	if to.Before(from) {
		return DayRange{}, router.NewBadRequestError("to must not be before from.", nil)
	}
	r := DayRange{From: fromS, To: toS, loc: loc}
	y, m, d := from.Date()
	for i := 0; ; i++ {
		start := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		if i > MaxReportDays {
			return DayRange{}, router.NewBadRequestError(fmt.Sprintf("A range may span at most %d days.", MaxReportDays), nil)
		}
		r.Bounds = append(r.Bounds, start)
		if start.After(to) {
			break
		}
	}
	return r, nil
}

func (r DayRange) Days() int { return len(r.Bounds) - 1 }

// date is day i as YYYY-MM-DD.
func (r DayRange) Date(i int) string { return r.Bounds[i].In(r.loc).Format(time.DateOnly) }

// dayOf is the index of the day t falls in: -1 before the range, days() after.
func (r DayRange) DayOf(t time.Time) int {
	return sort.Search(len(r.Bounds), func(i int) bool { return r.Bounds[i].After(t) }) - 1
}

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
func (r DayRange) Each(sl *Slot, slotLen time.Duration, fn func(day int, t api.Totals)) {
	whole := api.Totals{Tracked: sl.Tracked, Active: sl.Active}
	if sl.Manual {
		whole.Manual = sl.Tracked
	}
	d := r.DayOf(sl.Start)
	if next := d + 1; next >= 0 && next <= r.Days() {
		if after := sl.Start.Add(slotLen).Sub(r.Bounds[next]); after > 0 {
			slotSecs, before := int(slotLen/time.Second), int((slotLen-after)/time.Second)
			early := api.Totals{
				Tracked: whole.Tracked * before / slotSecs,
				Manual:  whole.Manual * before / slotSecs,
				Active:  whole.Active * before / slotSecs,
			}
			if d >= 0 {
				fn(d, early)
			}
			whole = api.Totals{Tracked: whole.Tracked - early.Tracked, Manual: whole.Manual - early.Manual, Active: whole.Active - early.Active}
			d = next
		}
	}
	if d >= 0 && d < r.Days() {
		fn(d, whole)
	}
}

// rangeOf is the local days first to last (dates: their clock and zone are
// ignored) in loc.
func RangeOf(first, last time.Time, loc *time.Location) (DayRange, error) {
	return ParseDayRange(first.Format(time.DateOnly), last.Format(time.DateOnly), loc)
}
