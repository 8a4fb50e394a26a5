package timeoff

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/migrations/schema"
)

func shiftRecord(t *testing.T, start, end time.Time, until string) *core.Record {
	t.Helper()
	c := core.NewBaseCollection(schema.Schedules)
	c.Fields.Add(&core.TextField{Name: "user"}, &core.TextField{Name: "project"}, &core.TextField{Name: "note"},
		&core.DateField{Name: "start"}, &core.DateField{Name: "end"}, &core.DateField{Name: "repeat_until"},
		&core.NumberField{Name: "min_hours"})
	r := core.NewRecord(c)
	r.Id = "shift0000000001"
	r.Set("user", "usr")
	r.Set("start", start)
	r.Set("end", end)
	if until != "" {
		r.Set("repeat_until", until+" 00:00:00.000Z")
	}
	return r
}

// TestOccurrences: a weekly repeat keeps its local wall-clock time across a
// change of daylight saving time, stops after its last day, and only the
// occurrences overlapping the range are listed.
func TestOccurrences(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 19 October 2026, 9:00-17:00 in Berlin (summer time, UTC+2);
	// daylight saving ends on Sunday 25 October.
	start := time.Date(2026, 10, 19, 9, 0, 0, 0, berlin)
	end := start.Add(8 * time.Hour)
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation(time.DateOnly, s, berlin)
		return d
	}
	cases := []struct {
		name      string
		until     string
		from, to  string // local days; to exclusive
		wantDates []string
	}{
		{"once, inside the range", "", "2026-10-19", "2026-10-20", []string{"2026-10-19"}},
		{"once, outside the range", "", "2026-10-20", "2026-10-27", nil},
		{"weekly over three weeks", "2026-11-02", "2026-10-19", "2026-11-16", []string{"2026-10-19", "2026-10-26", "2026-11-02"}},
		{"weekly, a range starting later", "2026-12-31", "2026-11-09", "2026-11-17", []string{"2026-11-09", "2026-11-16"}},
		{"weekly, the last day is inclusive", "2026-10-26", "2026-10-19", "2026-11-30", []string{"2026-10-19", "2026-10-26"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := occurrences(shiftRecord(t, start, end, tc.until), berlin, day(tc.from), day(tc.to))
			if len(got) != len(tc.wantDates) {
				t.Fatalf("got %d occurrences %+v, want %v", len(got), got, tc.wantDates)
			}
			for i, sh := range got {
				local := sh.Start.In(berlin)
				if sh.Date != tc.wantDates[i] || local.Hour() != 9 || local.Minute() != 0 || sh.End.Sub(sh.Start) != 8*time.Hour {
					t.Errorf("occurrence %d: %s %s-%s, want %s 09:00 for 8h", i, sh.Date, local, sh.End.In(berlin), tc.wantDates[i])
				}
				if sh.Repeats != (tc.until != "") {
					t.Errorf("occurrence %d: repeats %v", i, sh.Repeats)
				}
			}
		})
	}
}

// TestAttend: on time within the grace, late after it, missed without time,
// and the minimum hours.
func TestAttend(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	sh := api.Shift{User: "u", Start: start, End: start.Add(4 * time.Hour), MinHours: 1}
	slotLen := 10 * time.Minute
	slots := func(user string, from time.Time, n int) []ledger.Slot {
		var out []ledger.Slot
		for i := range n {
			out = append(out, ledger.Slot{User: user, Start: from.Add(time.Duration(i) * slotLen), Tracked: 600})
		}
		return out
	}
	after := start.Add(5 * time.Hour)
	cases := []struct {
		name    string
		slots   []ledger.Slot
		now     time.Time
		status  string
		late    int
		worked  int
		minimum bool
	}{
		{"first slot at the start", slots("u", start, 6), after, api.AttendanceOnTime, 0, 3600, true},
		{"started early", slots("u", start.Add(-20*time.Minute), 4), after, api.AttendanceOnTime, 0, 1200, false},
		{"the slot before the start only counts if it reaches into the shift", slots("u", start.Add(-10*time.Minute), 1), after, api.AttendanceMissed, 0, 0, false},
		{"first slot 10 minutes in: late", slots("u", start.Add(10*time.Minute), 6), after, api.AttendanceLate, 10, 3600, true},
		{"someone else's time doesn't count", slots("v", start, 6), after, api.AttendanceMissed, 0, 0, false},
		{"time after the shift doesn't count", slots("u", start.Add(4*time.Hour), 3), after, api.AttendanceMissed, 0, 0, false},
		{"not started, within the grace", nil, start.Add(3 * time.Minute), api.AttendanceUpcoming, 0, 0, false},
		{"not started, past the grace", nil, start.Add(30 * time.Minute), api.AttendanceLate, 30, 0, false},
		{"no time at all once it ended", nil, after, api.AttendanceMissed, 0, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			at := attend(sh, tc.slots, tc.now, slotLen)
			if at.Status != tc.status || at.LateMinutes != tc.late || at.WorkedSeconds != tc.worked || at.MinHoursMet != tc.minimum {
				t.Errorf("got %s late %d worked %d min %v; want %s late %d worked %d min %v",
					at.Status, at.LateMinutes, at.WorkedSeconds, at.MinHoursMet, tc.status, tc.late, tc.worked, tc.minimum)
			}
		})
	}
}

func TestCheckShift(t *testing.T) {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		end    time.Time
		until  string
		min    float64
		errors []string
	}{
		{"a plain shift", start.Add(8 * time.Hour), "", 4, nil},
		{"ends before it starts", start.Add(-time.Hour), "", 0, []string{"end"}},
		{"longer than a day", start.Add(25 * time.Hour), "", 0, []string{"end"}},
		{"minimum longer than the shift", start.Add(2 * time.Hour), "", 3, []string{"min_hours"}},
		{"repeat ending before the shift", start.Add(time.Hour), "2026-10-01", 0, []string{"repeat_until"}},
		{"repeat ending on the shift's day", start.Add(time.Hour), "2026-11-02", 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := shiftRecord(t, start, tc.end, tc.until)
			r.Set("min_hours", tc.min)
			errs := checkShift(r)
			if len(errs) != len(tc.errors) {
				t.Fatalf("errors %v, want on %v", errs, tc.errors)
			}
			for _, f := range tc.errors {
				if errs[f] == nil {
					t.Errorf("no error on %s: %v", f, errs)
				}
			}
		})
	}
}
