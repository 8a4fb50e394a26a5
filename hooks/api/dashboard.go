package api

import (
	"time"
)

// The dashboards are answered by the server, not assembled by the web app
// from lists, so that "View Me Dashboard" and "View Team Dashboard" are
// decided where everything else is.
const (
	MeDashboardRoute   = "/api/tock/orgs/{org}/dashboard/me"
	TeamDashboardRoute = "/api/tock/orgs/{org}/dashboard/team"
)

// Totals are seconds of work: Tracked counts all of it, Manual its manual
// part, Active the seconds with input (activity % = Active / (Tracked - Manual)).
type Totals struct {
	Tracked int `json:"tracked_seconds"`
	Manual  int `json:"manual_seconds"`
	Active  int `json:"active_seconds"`
}

// Plus adds the share of a slot that dayRange.each gives a day.
func (t *Totals) Plus(o Totals) {
	t.Tracked += o.Tracked
	t.Manual += o.Manual
	t.Active += o.Active
}

// ProjectTotals is the time of one project.
type ProjectTotals struct {
	Project string `json:"project"`
	Totals
}

// MeDashboard is a member's own day and week.
type MeDashboard struct {
	Day      string          `json:"day"`
	Week     string          `json:"week"` // its Monday
	Timezone string          `json:"timezone"`
	Today    Totals          `json:"today"`
	ThisWeek Totals          `json:"this_week"`
	Projects []ProjectTotals `json:"projects"` // this week's, most time first
}

// TeamMember is one member on the Team dashboard.
type TeamMember struct {
	User string `json:"user"`
	Totals
	// LastSlot and LastProject are the latest slot of the day one may see
	// (of the day before, for someone at work since before midnight).
	LastSlot    time.Time `json:"last_slot"`
	LastProject string    `json:"last_project"`
	// Working: a slot began within the last two slot lengths (agents upload
	// each slot once it closes). Today, a member still at work since before
	// midnight is listed, working, with no time yet.
	Working  bool            `json:"working"`
	Projects []ProjectTotals `json:"projects"`
	// Slots are the member's slots with time on the day, by start: the
	// dashboard draws the day from them.
	Slots []TeamSlot `json:"slots"`
}

// TeamSlot is one slot of a member's day. Tracked and Active are its share
// of the day (all of it, unless it began the day before), so the slots of a
// member add up to the member's Totals.
type TeamSlot struct {
	Start   time.Time `json:"start"`
	Tracked int       `json:"tracked_seconds"`
	Active  int       `json:"active_seconds"`
	Manual  bool      `json:"manual"`
}

// TeamDashboard is the day of the members (and projects) one may watch.
type TeamDashboard struct {
	Day      string       `json:"day"`
	Timezone string       `json:"timezone"`
	Members  []TeamMember `json:"members"`
}
