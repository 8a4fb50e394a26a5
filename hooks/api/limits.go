package api

// The codes in the refusals' data let the agent tell "stop tracking" apart
// from other refusals of time, such as a late slot in an approved timesheet.
const (
	CodeTrackingOff  = "tracking_off"
	CodeLimitReached = "limit_reached"
)
