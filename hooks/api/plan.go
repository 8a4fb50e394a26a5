package api

import (
	"github.com/pocketbase/pocketbase/tools/types"
)

// The plan of a self-hosted appliance: there is no payment provider, so
// "Billing" is the owner's view of what the organization uses and "Change
// Subscription Plan" sets its limits (seat_limit, plan_retention_days).
// "Add/Remove Features" turns whole modules off (feature_* fields).
const BillingRoute = "/api/tock/orgs/{org}/billing"

// Codes in the data of the 409 refusals, so clients can tell them apart.
const (
	CodeSeatLimit  = "seat_limit"
	CodeFeatureOff = "feature_off"
)

// Billing is the answer of BillingRoute.
type Billing struct {
	Plan    Plan            `json:"plan"`
	Seats   Seats           `json:"seats"`
	Members []BillingMember `json:"members"`
	// Screenshots stored now, their encrypted size and the oldest one's time.
	Screenshots      int64           `json:"screenshots"`
	StoredBytes      int64           `json:"stored_bytes"`
	OldestScreenshot *types.DateTime `json:"oldest_screenshot"`
	RetentionDays    int             `json:"retention_days"`
	Modules          map[string]bool `json:"modules"`
}

// Plan holds the limits the owner set; zero is no limit.
type Plan struct {
	SeatLimit         int `json:"seat_limit"`
	PlanRetentionDays int `json:"plan_retention_days"`
}

// Seats says how many are used; Available is -1 without a limit.
type Seats struct {
	Used      int `json:"used"`
	Limit     int `json:"limit"`
	Available int `json:"available"`
}

// BillingMember is one seat.
type BillingMember struct {
	User   string `json:"user"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Role   string `json:"role"`
	Status string `json:"status"`
}
