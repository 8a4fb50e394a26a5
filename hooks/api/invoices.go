package api

import (
	"github.com/pocketbase/pocketbase/core"
)

// ClientInvoiceRequest is the body of a new client invoice: the client, the
// period (days, inclusive) and optionally a team whose members' time alone
// is invoiced (how a team lead invoices their team).
type ClientInvoiceRequest struct {
	Client      string `json:"client"`
	Team        string `json:"team"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
}

// TeamInvoiceRequest is the body of a new team invoice: the member (default:
// the requester) and the period.
type TeamInvoiceRequest struct {
	User        string `json:"user"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
}

// PaymentRequest marks a payment on an invoice: an amount in cents and the
// day it was paid (default: today).
type PaymentRequest struct {
	AmountCents int64  `json:"amount_cents"`
	PaidAt      string `json:"paid_at"`
}

// InvoiceResult is the answer of a new invoice.
type InvoiceResult struct {
	Invoice  *core.Record `json:"invoice"`
	Unpriced []Unpriced   `json:"unpriced"`
}
