package api

import (
	"time"
)

// Schedules: shifts are schedules records (member, optional project, start
// and end, an optional weekly repeat up to a day, minimum hours). The
// collection itself is gated by the matrix like any other ("View Schedules",
// "Add Schedules", "Modify Schedules"); these routes expand the weekly
// repeats over a range and compare each shift with the member's time.
const (
	ShiftsRoute     = "/api/tock/orgs/{org}/schedules/shifts"
	AttendanceRoute = "/api/tock/orgs/{org}/schedules/attendance"
)

// AttendanceGrace is how late a member may start a shift and still be on
// time. Time is recorded in 10-minute slots, so "started" is the start of the
// first slot with time in it: starting 9:04 is on time for 9:00, 9:12 is late.
const AttendanceGrace = 5 * time.Minute

// Shift is one occurrence of a scheduled shift.
type Shift struct {
	ID       string    `json:"id"` // the schedules record
	User     string    `json:"user"`
	Project  string    `json:"project"`
	Date     string    `json:"date"` // the local day it starts
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	MinHours float64   `json:"min_hours"`
	Repeats  bool      `json:"repeats"`
	Note     string    `json:"note"`
}

// HolidayOn is a holiday in a listed range; Users is empty when the policy
// covers everyone.
type HolidayOn struct {
	Date   string   `json:"date"`
	Name   string   `json:"name"`
	Policy string   `json:"policy"`
	All    bool     `json:"all"`
	Users  []string `json:"users"`
}

// ShiftList answers ShiftsRoute.
type ShiftList struct {
	Shifts   []Shift     `json:"shifts"`
	Holidays []HolidayOn `json:"holidays"`
}

// Attendance statuses.
const (
	AttendanceOnTime   = "on_time"
	AttendanceLate     = "late"
	AttendanceMissed   = "missed"
	AttendanceUpcoming = "upcoming"
	AttendanceHoliday  = "holiday"
	AttendanceTimeOff  = "time_off"
)

// Attendance is one shift of a day compared with the member's time.
type Attendance struct {
	Shift
	Status        string     `json:"status"`
	FirstSlot     *time.Time `json:"first_slot"`   // the start of the first slot with time in the shift
	LateMinutes   int        `json:"late_minutes"` // from the shift's start to FirstSlot, when late
	WorkedSeconds int        `json:"worked_seconds"`
	MinHoursMet   bool       `json:"min_hours_met"`
}
