package api

import (
	"time"
)

// BreaksRoute lists the work breaks Tock derives from a member's tracked
// slots, for timesheets: GET ?from=YYYY-MM-DD&to=YYYY-MM-DD[&user=id].
//
// Breaks are never recorded. Within a member's local day (the organization's
// time zone), once they have worked a policy's after_minutes, the first gap
// between two of their tracked slots that lasts at least the policy's
// break_minutes is that policy's break. Decisions:
//   - a gap is measured between slot boundaries (a slot counts as worked as a
//     whole), so it is a multiple of the slot length;
//   - the break counts at most break_minutes: the rest of a longer gap is
//     time off, not break (a three-hour absence is not a three-hour break);
//   - a gap is one break at most; policies are tried in order of
//     after_minutes (then id), each claiming the first gap it fits;
//   - only gaps between two slots of the same local day count: the night
//     between two days is no break, nor is the time before the first slot;
//   - "worked" is every slot of the day, tracked or manual, in any project;
//   - a break belongs to the project and task of the slot before it, so it
//     lands in a report's project and task rows; paid breaks are payable time,
//     unpaid ones are not (both are reported as break time).
const BreaksRoute = "/api/tock/orgs/{org}/breaks"

// Break is one derived work break.
type Break struct {
	User    string    `json:"user"`
	Date    string    `json:"date"` // the local day, YYYY-MM-DD
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"` // Start + Seconds
	Seconds int       `json:"seconds"`
	Paid    bool      `json:"paid"`
	Policy  string    `json:"policy"` // the break_policies id

	// Where the break fell, for reports; not part of the answer.
	Day     int    `json:"-"`
	Project string `json:"-"`
	Task    string `json:"-"`
}
