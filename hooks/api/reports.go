package api

import (
	"math"
)

// ReportsRoute is the time report: GET ?from=YYYY-MM-DD&to=YYYY-MM-DD
// (inclusive local days of the organization, at most 366) &group=member,
// project,task,day (any of them, in the order wanted; default member,day)
// &user=&project= (filters) &format=json|csv.
//
// "Generate Reports" decides whose time is in it, in SQL: one's own, the
// assigned projects', the led teams' members', or everyone's. Figures:
//   - tracked_seconds is all time worked, the agent's and manual time alike;
//     manual_seconds is the manual part of it;
//   - activity_percent is active_seconds over the agent's part
//     (tracked_seconds - manual_seconds), as Hubstaff leaves manual time out
//     of activity; 0 when there is none; one decimal;
//   - a slot belongs to the local day its start falls in, and a slot that
//     straddles local midnight (zones with :15 or :45 offsets) is split
//     between the two days in proportion to its minutes on each, the
//     remainder going to the later day so no second is lost (dayRange.each,
//     which every other total of time uses too);
//   - break_seconds are derived breaks (see BreaksRoute), counted only for
//     the members "View Work Breaks in Reports" lets the requester see: 0
//     elsewhere, never an error;
//   - hours (CSV only) is tracked_seconds / 3600 with two decimals.
const ReportsRoute = "/api/tock/orgs/{org}/reports"

// Report groupings.
const (
	GroupMember  = "member"
	GroupProject = "project"
	GroupTask    = "task"
	GroupDay     = "day"
)

// ReportCSVColumns is the CSV header, in its fixed order.
var ReportCSVColumns = []string{
	"date", "member_id", "member", "project_id", "project", "task_id", "task",
	"tracked_seconds", "manual_seconds", "active_seconds", "activity_percent", "break_seconds", "hours",
}

// Report is the JSON answer of ReportsRoute.
type Report struct {
	From     string       `json:"from"`
	To       string       `json:"to"`
	Timezone string       `json:"timezone"`
	Group    []string     `json:"group"`
	Rows     []ReportRow  `json:"rows"`
	Totals   ReportTotals `json:"totals"`
}

// ReportRow is one group; only the grouped keys are present.
type ReportRow struct {
	Date      *string `json:"date,omitempty"`
	MemberID  *string `json:"member_id,omitempty"`
	Member    *string `json:"member,omitempty"`
	ProjectID *string `json:"project_id,omitempty"`
	Project   *string `json:"project,omitempty"`
	TaskID    *string `json:"task_id,omitempty"`
	Task      *string `json:"task,omitempty"`
	ReportTotals
}

// ReportTotals are the sums of a row or of the whole report.
type ReportTotals struct {
	TrackedSeconds  int     `json:"tracked_seconds"`
	ManualSeconds   int     `json:"manual_seconds"`
	ActiveSeconds   int     `json:"active_seconds"`
	ActivityPercent float64 `json:"activity_percent"`
	BreakSeconds    int     `json:"break_seconds"`
}

func (t *ReportTotals) Add(o ReportTotals) {
	t.TrackedSeconds += o.TrackedSeconds
	t.ManualSeconds += o.ManualSeconds
	t.ActiveSeconds += o.ActiveSeconds
	t.BreakSeconds += o.BreakSeconds
}

func (t *ReportTotals) Finish() {
	t.ActivityPercent = 0
	if agent := t.TrackedSeconds - t.ManualSeconds; agent > 0 {
		t.ActivityPercent = math.Round(float64(t.ActiveSeconds)*1000/float64(agent)) / 10
	}
}
