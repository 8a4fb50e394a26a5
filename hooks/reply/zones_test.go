package reply_test

import (
	"testing"
	"time"

	"github.com/tock-app/tock/hooks/reply"
)

// TestZoneAround: the offsets listed place every instant of the span where
// Go's own zone data does, changes included, for zones with daylight
// saving time, half-hour and quarter-hour offsets, and none.
func TestZoneAround(t *testing.T) {
	now := time.Date(2026, time.December, 6, 12, 0, 0, 0, time.UTC)
	for _, name := range []string{"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "America/St_Johns", "Asia/Tokyo"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		z := reply.ZoneAround(loc, now)
		if z.Name != name || z.From != time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli() || z.To != time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli() {
			t.Errorf("%s: name %s, span %d-%d", name, z.Name, z.From, z.To)
		}
		if len(z.Changes) == 0 || z.Changes[0][0] != z.From {
			t.Fatalf("%s: changes %v don't start at the span", name, z.Changes)
		}
		// Every 15 minutes of the span, and either side of each change.
		var at []time.Time
		for ts := time.UnixMilli(z.From); ts.UnixMilli() < z.To; ts = ts.Add(15 * time.Minute) {
			at = append(at, ts)
		}
		for _, c := range z.Changes[1:] {
			at = append(at, time.UnixMilli(c[0]-1), time.UnixMilli(c[0]))
		}
		for _, ts := range at {
			_, want := ts.In(loc).Zone()
			if got := offsetAt(z.Changes, ts.UnixMilli()); got != int64(want) {
				t.Fatalf("%s at %s: listed offset %d s, zone data %d s", name, ts.UTC(), got, want)
			}
		}
		if name == "Europe/Berlin" && len(z.Changes) != 1+2*5 {
			t.Errorf("Europe/Berlin over 5 years: %d entries, want 11 (the first and two changes a year)", len(z.Changes))
		}
		if name == "Asia/Tokyo" && len(z.Changes) != 1 {
			t.Errorf("Asia/Tokyo: %d entries, want 1", len(z.Changes))
		}
	}
}

// offsetAt reads the list as the web app does: the last change at or before ms.
func offsetAt(changes [][2]int64, ms int64) int64 {
	off := changes[0][1]
	for _, c := range changes {
		if c[0] > ms {
			break
		}
		off = c[1]
	}
	return off
}
