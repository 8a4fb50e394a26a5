package tracking_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// A report adds up hourly sums that triggers keep beside the slots
// (activity_hours); it must hold, per day, member, project and task, exactly
// what the stored slots hold once split at local midnights, after the slots
// were edited, moved and deleted with plain SQL, in zones whose midnight is
// on the hour, on a half hour, on a quarter hour and across a DST change.
func TestReportSumsEqualTheSlotsAfterEdits(t *testing.T) {
	start := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	var acts []hookstest.Act
	for i := range 3 * 144 { // three days of both members' slots, every 10 minutes
		for k, u := range []string{tt.Walt, tt.Carol} {
			a := hookstest.Act{User: u, Project: tt.ProjA, Start: start.Add(time.Duration(i) * 10 * time.Minute)}
			if a.Start.Equal(tt.Slot) {
				continue // the seed's slot
			}
			a.Tracked = 600 - (i*7+k)%300
			a.Active = (i * 37) % a.Tracked
			a.Manual = i%11 == k
			if (i/6)%2 == 1 {
				a.Project = tt.ProjB
			}
			if i%3 == 0 {
				a.Task = tt.TaskA
			}
			acts = append(acts, a)
		}
	}
	ra := newReportApp(t, func(app core.App) {
		hookstest.Plant(t, app, acts...)
		for _, edit := range []string{
			"UPDATE activities SET project = 'prjacmeb0000001' WHERE id IN ('rp0000000000004', 'rp0000000000100')",
			"UPDATE activities SET tracked_seconds = 17, active_seconds = 5 WHERE id = 'rp0000000000200'",
			"UPDATE activities SET source = 'manual' WHERE id = 'rp0000000000300'",
			"UPDATE activities SET slot_start = '2026-11-01 23:45:00.000Z' WHERE id = 'rp0000000000301'", // moved to another hour
			"DELETE FROM activities WHERE id IN ('rp0000000000400', 'rp0000000000401', 'rp0000000000402')",
			"DELETE FROM activities WHERE slot_start >= '2026-11-01 05:00:00.000Z' AND slot_start < '2026-11-01 06:00:00.000Z' AND user = 'usrwalt00000001'",
		} {
			if _, err := app.DB().NewQuery(edit).Execute(); err != nil {
				t.Fatalf("%s: %v", edit, err)
			}
		}
	})
	var stored []struct {
		User    string `db:"user"`
		Project string `db:"project"`
		Task    string `db:"task"`
		Start   string `db:"slot_start"`
		Tracked int    `db:"tracked_seconds"`
		Active  int    `db:"active_seconds"`
		Source  string `db:"source"`
	}
	if err := ra.app.DB().Select("user", "project", "task", "slot_start", "tracked_seconds", "active_seconds", "source").
		From(schema.Activities).Where(dbx.HashExp{"org": tt.Acme}).All(&stored); err != nil {
		t.Fatal(err)
	}
	for _, tz := range []string{"UTC", "Asia/Kathmandu", "Asia/Kolkata", "America/St_Johns", "America/New_York", "Australia/Lord_Howe"} {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Fatal(err)
		}
		setTimezone(t, ra.app, tz)
		const from, to = "2026-10-30", "2026-11-02"
		// The independent reckoning: a slot's seconds before the local
		// midnight inside it go to the earlier day, rounded down.
		want := map[string]api.ReportTotals{}
		put := func(day, key string, tracked, active, manual int) {
			if day < from || day > to {
				return
			}
			w := want[day+" "+key]
			w.TrackedSeconds += tracked
			w.ActiveSeconds += active
			w.ManualSeconds += manual
			want[day+" "+key] = w
		}
		for _, s := range stored {
			begin, err := time.Parse("2006-01-02 15:04:05.000Z", s.Start)
			if err != nil {
				t.Fatal(err)
			}
			manual := 0
			if s.Source == "manual" {
				manual = s.Tracked
			}
			key := s.User + " " + s.Project + " " + s.Task
			local := begin.In(loc)
			midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc)
			tracked, active := s.Tracked, s.Active
			if before := int(midnight.Sub(begin) / time.Second); before < 600 {
				et, ea, em := tracked*before/600, active*before/600, manual*before/600
				put(local.Format(time.DateOnly), key, et, ea, em)
				tracked, active, manual = tracked-et, active-ea, manual-em
				local = midnight
			}
			put(local.Format(time.DateOnly), key, tracked, active, manual)
		}
		got := map[string]api.ReportTotals{}
		for _, r := range ra.report(t, tt.Alice, q("from", from, "to", to, "group", "day,member,project,task")).Rows {
			if r.TrackedSeconds+r.ActiveSeconds+r.ManualSeconds > 0 {
				got[fmt.Sprintf("%s %s %s %s", hookstest.Deref(r.Date), hookstest.Deref(r.MemberID), hookstest.Deref(r.ProjectID), strings.TrimPrefix(hookstest.Deref(r.TaskID), "<absent>"))] = api. // a row without a task has no task_id
																											ReportTotals{TrackedSeconds: r.TrackedSeconds, ActiveSeconds: r.ActiveSeconds, ManualSeconds: r.ManualSeconds}
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d rows, want %d", tz, len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s: %+v, the slots hold %+v", tz, k, got[k], w)
			}
		}
	}
}
