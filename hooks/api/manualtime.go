package api

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Manual time: a member adds time the agent didn't record (a meeting away
// from the computer). It is stored as activities with source "manual", one
// per 10-minute slot the interval covers, so timesheets, reports and limits
// count it like tracked time. Where the organization wants manual time
// approved, the same request files a time request that an approver turns
// into those activities.
const (
	ManualTimeRoute         = "/api/tock/orgs/{org}/time"
	ApproveTimeRequestRoute = "/api/tock/time_requests/{id}/approve"
	DenyTimeRequestRoute    = "/api/tock/time_requests/{id}/deny"
)

// MaxManualTime is the longest interval one request adds.
const MaxManualTime = 24 * time.Hour

// MaxReplaced is how many activities one change of manual time may replace:
// the slots of MaxManualTime, plus one for a start inside a slot.
const MaxReplaced = 24*6 + 1

// ManualTime is the body of POST ManualTimeRoute; User defaults to the
// requester. Replace lists manual activities of the same member that the new
// time takes the place of: they go in the same transaction, so a block is
// edited (another project, task, start or end) without a moment of lost time.
type ManualTime struct {
	User    string    `json:"user"`
	Project string    `json:"project"`
	Task    string    `json:"task"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Note    string    `json:"note"`
	Replace []string  `json:"replace,omitempty"`
}

// RequestDecision is the body of an approval or a denial of a time request.
type RequestDecision struct {
	Note string `json:"note"`
}

// ManualTimeAdded answers time added at once.
type ManualTimeAdded struct {
	Activities []*core.Record `json:"activities"`
}

// RequestApproved answers an approval: the request and the time it added.
type RequestApproved struct {
	Request    *core.Record   `json:"request"`
	Activities []*core.Record `json:"activities"`
}
