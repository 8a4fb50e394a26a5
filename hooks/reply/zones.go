package reply

import (
	"time"

	"github.com/tock-app/tock/hooks/api"
)

// zoneYears is how many years before and after today ZoneAround covers:
// timesheets, reports and screenshots are looked at within it.
const zoneYears = 2

// ZoneAround lists loc's offsets from UTC from the start of the year
// zoneYears before now's to the end of the year zoneYears after it.
func ZoneAround(loc *time.Location, now time.Time) api.Zone {
	from := time.Date(now.Year()-zoneYears, time.January, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(now.Year()+zoneYears+1, time.January, 1, 0, 0, 0, 0, time.UTC)
	z := api.Zone{Name: loc.String(), From: from.UnixMilli(), To: to.UnixMilli()}
	for t := from; t.Before(to); {
		local := t.In(loc)
		_, offset := local.Zone()
		z.Changes = append(z.Changes, [2]int64{t.UnixMilli(), int64(offset)})
		_, end := local.ZoneBounds()
		if end.IsZero() { // the offset holds for ever
			break
		}
		t = end
	}
	return z
}
