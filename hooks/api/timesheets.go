package api

// Timesheet approvals, as in Hubstaff: a member (or someone allowed to, for
// them) submits the time of one pay period, an approver approves or rejects
// it. Approved time is locked: nothing adds, changes or deletes a member's
// time inside an approved period until it is rejected again.
const (
	TimesheetSubmitRoute  = "/api/tock/orgs/{org}/timesheets/submit"
	TimesheetApproveRoute = "/api/tock/timesheets/{id}/approve"
	TimesheetRejectRoute  = "/api/tock/timesheets/{id}/reject"
)

// TimesheetSubmission is the body of a submission: the member (default: the
// requester) and the first day of the pay period, as YYYY-MM-DD.
type TimesheetSubmission struct {
	User        string `json:"user"`
	PeriodStart string `json:"period_start"`
}

// TimesheetDecision is the body of an approval or a rejection.
type TimesheetDecision struct {
	Reason string `json:"reason"`
}
