package api

import (
	"github.com/pocketbase/pocketbase/core"
)

// PayrollRequest is the body of a payroll run: the period it pays.
type PayrollRequest struct {
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
}

// PayrollResult is the answer of a payroll run.
type PayrollResult struct {
	Run      *core.Record   `json:"run"`
	Payments []*core.Record `json:"payments"`
	Unpriced []Unpriced     `json:"unpriced"`
}
