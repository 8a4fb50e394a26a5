package api

// Time off. Policies say how hours are earned; a member's balance on a
// policy is computed on every read from three sources that can't drift apart:
//
//	balance = min(adjustment + accrued, max_balance_hours if set) - approved hours
//
// where adjustment is what an owner or manager granted by hand ("Edit Time
// Off Balances"), accrued is rate x hours worked since the policy starts
// (per_hour_worked) or rate x the elapsed share of a year (yearly, pro rata
// by whole days), and approved hours are the member's approved requests on
// the policy. The cap applies to what was earned, before time taken is
// subtracted (decision: the spec is silent; it keeps the formula stateless).
// Pending requests don't lower the balance but do lower what may still be
// requested ("available").
//
// Requests: a member requests their own time off ("Approve/Request Time Off
// Requests" is self for users and project managers); those whose cell
// reaches others (owner and managers all, team leads their teams' members
// when enabled) may also file one for them. Approving or denying needs a
// grant broader than self, and nobody but an owner decides their own request:
// a manager's or team lead's own time off goes to someone else.
const (
	TimeOffBalancesRoute = "/api/tock/orgs/{org}/time_off/balances"
	TimeOffRequestsRoute = "/api/tock/orgs/{org}/time_off_requests"
	ApproveTimeOffRoute  = "/api/tock/time_off_requests/{id}/approve"
	DenyTimeOffRoute     = "/api/tock/time_off_requests/{id}/deny"
	CancelTimeOffRoute   = "/api/tock/time_off_requests/{id}/cancel"
)

// TimeOffRequest is the body of POST TimeOffRequestsRoute; User defaults to
// the requester, Start and End are days (YYYY-MM-DD), End inclusive.
type TimeOffRequest struct {
	User   string  `json:"user"`
	Policy string  `json:"policy"`
	Start  string  `json:"start"`
	End    string  `json:"end"`
	Hours  float64 `json:"hours"`
	Reason string  `json:"reason"`
}

// TimeOffDecision is the body of approve, deny and cancel.
type TimeOffDecision struct {
	Note string `json:"note"`
}

// Balance is one member's balance on one policy, in hours rounded to the
// hundredth.
type Balance struct {
	User       string  `json:"user"`
	Policy     string  `json:"policy"`
	PolicyName string  `json:"policy_name"`
	Paid       bool    `json:"paid"`
	Accrual    string  `json:"accrual"`
	Adjustment float64 `json:"adjustment_hours"`
	Accrued    float64 `json:"accrued_hours"`
	Capped     bool    `json:"capped"` // max_balance_hours cut what was earned
	Used       float64 `json:"used_hours"`
	Pending    float64 `json:"pending_hours"`
	Balance    float64 `json:"balance_hours"`
	Available  float64 `json:"available_hours"` // balance minus pending: what may still be requested
	// BalanceRecord is the time_off_balances id holding the adjustment, if any.
	BalanceRecord string `json:"balance_record"`
}

// Balances answers TimeOffBalancesRoute.
type Balances struct {
	User     string    `json:"user"`
	Balances []Balance `json:"balances"`
}

// Holiday is one day of a holiday policy.
type Holiday struct {
	Date string `json:"date"` // YYYY-MM-DD
	Name string `json:"name"`
}
