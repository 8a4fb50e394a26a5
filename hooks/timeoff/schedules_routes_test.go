package timeoff_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestShiftsRoute: weekly repeats are expanded over the range, each person
// sees the shifts the matrix gives them, and holidays come along.
func TestShiftsRoute(t *testing.T) {
	c := newClient(t)
	carol := tt.ShiftID(tt.Carol, tt.ProjA)
	if status, body := c.do(tt.Alice, "PATCH", hookstest.RecordsURL(schema.Schedules)+"/"+carol, `{"repeat_until":"2026-11-16 00:00:00.000Z"}`); status != 200 {
		t.Fatalf("repeat Carol's shift: %d %s", status, body)
	}
	list := func(as, from, to string) api.ShiftList {
		t.Helper()
		status, body := c.do(as, "GET", hookstest.OrgURL(api.ShiftsRoute, tt.Acme)+"?from="+from+"&to="+to, "")
		if status != 200 {
			t.Fatalf("shifts as %s: %d %s", as, status, body)
		}
		var l api.ShiftList
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	dates := func(l api.ShiftList, id string) []string {
		var out []string
		for _, sh := range l.Shifts {
			if sh.ID == id {
				out = append(out, sh.Date)
			}
		}
		return out
	}
	if got := dates(list(tt.Alice, "2026-11-01", "2026-11-30"), carol); strings.Join(got, ",") != "2026-11-02,2026-11-09,2026-11-16" {
		t.Errorf("Carol's weekly shift: %v", got)
	}
	if got := dates(list(tt.Alice, "2026-11-10", "2026-11-12"), carol); len(got) != 0 {
		t.Errorf("no occurrence mid-week: %v", got)
	}
	mine := list(tt.Carol, "2026-11-02", "2026-11-02")
	for _, sh := range mine.Shifts {
		if sh.User != tt.Carol {
			t.Errorf("Carol sees %s's shift", sh.User)
		}
	}
	if len(mine.Shifts) != 1 {
		t.Errorf("Carol sees %d shifts, want her own", len(mine.Shifts))
	}
	// Project A's: Alice, Bob, Carol, Pam herself, Tess and Walt.
	if pam := list(tt.Pam, "2026-11-02", "2026-11-02"); len(pam.Shifts) != 6 {
		t.Errorf("Pam sees %d shifts of project A, want 6: %+v", len(pam.Shifts), pam.Shifts)
	}
	if hs := list(tt.Carol, "2026-12-20", "2026-12-31").Holidays; len(hs) != 1 || hs[0].Name != "Christmas" || !hs[0].All {
		t.Errorf("holidays: %+v", hs)
	}
	for _, tc := range []struct{ as, query string }{
		{tt.Alice, "from=2026-11-01&to=2027-02-01"},
		{tt.Alice, "from=2026-11-05&to=2026-11-01"},
		{tt.Alice, "from=x&to=2026-11-01"},
	} {
		if status, body := c.do(tc.as, "GET", hookstest.OrgURL(api.ShiftsRoute, tt.Acme)+"?"+tc.query, ""); status != 400 {
			t.Errorf("%s: %d %s, want 400", tc.query, status, body)
		}
	}
	if status, _ := c.do(tt.Dave, "GET", hookstest.OrgURL(api.ShiftsRoute, tt.Acme)+"?from=2026-11-01&to=2026-11-02", ""); status != 404 {
		t.Errorf("a non-member lists shifts: %d, want 404", status)
	}
}

// TestAttendanceRoute: the seeded day, where some tracked from the shift's
// start and some didn't track at all, and a holiday and time off override.
func TestAttendanceRoute(t *testing.T) {
	c := newClient(t)
	s := &tt.Seeder{App: c.app}
	s.Create(schema.HolidayPolicies, "holnia000000001", map[string]any{
		"org": tt.Acme, "name": "Nia's", "members": []string{tt.Nia},
		"holidays": []map[string]string{{"date": "2026-11-02", "name": "Local day"}},
	})
	s.Create(schema.TimeOffRequests, "torzoe000000002", map[string]any{
		"org": tt.Acme, "user": tt.Zoe, "policy": tt.PolA, "status": schema.TimeOffApproved,
		"start": "2026-11-01 00:00:00.000Z", "end": "2026-11-03 00:00:00.000Z", "hours": 16,
	})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	status, body := c.do(tt.Alice, "GET", hookstest.OrgURL(api.AttendanceRoute, tt.Acme)+"?day=2026-11-02", "")
	if status != 200 {
		t.Fatalf("attendance: %d %s", status, body)
	}
	var list []api.Attendance
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range list {
		got[a.ID] = a.Status
	}
	want := map[string]string{
		tt.ShiftID(tt.Carol, tt.ProjA): api.AttendanceOnTime, // tracked 9:00-9:10
		tt.ShiftID(tt.Vic, ""):         api.AttendanceMissed, // never tracks
		tt.ShiftID(tt.Nia, tt.ProjB):   api.AttendanceHoliday,
		tt.ShiftID(tt.Zoe, ""):         api.AttendanceTimeOff,
	}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("shift %s: %q, want %q", id, got[id], st)
		}
	}
	if len(list) != 10 {
		t.Errorf("%d shifts on the day, want Acme's 10 seeded", len(list))
	}
	if status, _ := c.do(tt.Alice, "GET", hookstest.OrgURL(api.AttendanceRoute, tt.Acme)+"?day=yesterday", ""); status != 400 {
		t.Errorf("a bad day: %d, want 400", status)
	}
	// Nia has no schedule role: her own shift only.
	status, body = c.do(tt.Nia, "GET", hookstest.OrgURL(api.AttendanceRoute, tt.Acme)+"?day=2026-11-02", "")
	if status != 200 || strings.Count(body, `"status"`) != 1 || !strings.Contains(body, tt.Nia) {
		t.Errorf("Nia's attendance: %d %s", status, body)
	}
}

// TestShiftRecordChecks: a shift's member must work on its project; the
// shift ends after it starts.
func TestShiftRecordChecks(t *testing.T) {
	c := newClient(t)
	for _, tc := range []struct{ name, body, want string }{
		{"a viewer's shift on the project", `{"org":"` + tt.Acme + `","user":"` + tt.Vic + `","project":"` + tt.ProjA + `","start":"2026-11-03 09:00:00Z","end":"2026-11-03 17:00:00Z"}`, "project"},
		{"ends before it starts", `{"org":"` + tt.Acme + `","user":"` + tt.Carol + `","start":"2026-11-03 09:00:00Z","end":"2026-11-03 08:00:00Z"}`, "end"},
		{"another organization's member", `{"org":"` + tt.Acme + `","user":"` + tt.Dave + `","start":"2026-11-03 09:00:00Z","end":"2026-11-03 17:00:00Z"}`, "user"},
	} {
		status, body := c.do(tt.Alice, "POST", hookstest.RecordsURL(schema.Schedules), tc.body)
		if status != 400 || !strings.Contains(body, `"`+tc.want+`"`) {
			t.Errorf("%s: %d %s, want 400 on %s", tc.name, status, body, tc.want)
		}
	}
}
