package api

import (
	"math"
)

// SummaryPreviewRoute answers what the requester's work summary e-mail holds
// for ?period=daily|weekly (default daily) and ?day=YYYY-MM-DD (a day of the
// period, in the organization's time zone; default: the last complete
// period, the one the next e-mail covers).
//
// "Receive Work Summary Emails" decides whose time is in it: everyone's
// for owners and managers, one's own for users, the assigned projects' for
// project managers and viewers, the led members' and led projects' for team
// leads. Activity % is active / (tracked - manual), as everywhere.
const SummaryPreviewRoute = "/api/tock/orgs/{org}/summaries/preview"

// Summary is one person's digest.
type Summary struct {
	Org      OrgSummary      `json:"org"`
	Period   string          `json:"period"`
	From     string          `json:"from"` // first day, inclusive
	To       string          `json:"to"`   // last day, inclusive
	Timezone string          `json:"timezone"`
	Totals   SummaryTotals   `json:"totals"`
	Members  []SummaryMember `json:"members"` // most time first
}

// SummaryTotals are seconds of work and the activity % of the agent's part.
type SummaryTotals struct {
	Totals
	ActivityPercent float64 `json:"activity_percent"`
}

// SummaryMember is one person's line: totals and their top projects.
type SummaryMember struct {
	User string `json:"user"`
	Name string `json:"name"`
	SummaryTotals
	Projects []SummaryProject `json:"projects"`
}

// SummaryProject is the time of one project in a member's line.
type SummaryProject struct {
	Project string `json:"project"`
	Name    string `json:"name"`
	Totals
}

func (t *SummaryTotals) Finish() {
	if agent := t.Tracked - t.Manual; agent > 0 {
		t.ActivityPercent = math.Round(float64(t.Active)*1000/float64(agent)) / 10
	}
}
