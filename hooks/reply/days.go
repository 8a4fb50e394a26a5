package reply

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

// OrgLocation is the organization's time zone; UTC when it doesn't resolve.
func OrgLocation(org *core.Record) *time.Location {
	loc, err := time.LoadLocation(org.GetString(schema.FieldTimezone))
	if err != nil || org.GetString(schema.FieldTimezone) == "" {
		return time.UTC
	}
	return loc
}

// SlotLayout is how PocketBase stores dates.
const SlotLayout = "2006-01-02 15:04:05.000Z"

// MondayOf is the local midnight that starts day's week: weeks start on
// Monday, for limits and dashboards alike.
func MondayOf(day time.Time) time.Time {
	return day.AddDate(0, 0, -int((day.Weekday()+6)%7))
}

// DbDate formats t as PocketBase stores dates, so comparisons in SQL are
// comparisons of time.
func DbDate(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

func DateOf(r *core.Record, field string) string {
	return r.GetDateTime(field).Time().UTC().Format(time.DateOnly)
}

// LocalMidnight is the start of the calendar day of date (a UTC midnight) in loc.
func LocalMidnight(date time.Time, loc *time.Location) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, loc)
}
