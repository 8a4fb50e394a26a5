package api

// Money: invoices and payroll price a member's payable time with their pay
// or bill rate. Decisions, where Hubstaff's guide is silent:
//   - Time counts when the organization doesn't use timesheet approvals; when
//     it does, only time on days inside an approved timesheet of its member
//     counts (hooks/timesheets.go approvedSheet), so nothing is billed or paid
//     that an approver hasn't seen.
//   - Tracked and manual time count alike; breaks are derived, never
//     recorded, and are not added.
//   - A rate record for a member and project overrides the member's default
//     record (project empty) as a whole; a rate of 0 leaves the time unpriced,
//     and unpriced time is left off invoices and payroll (reported back as
//     "unpriced" so whoever runs it can fix the rate and redo it).
//   - Periods are inclusive days of the organization's time zone, at most a
//     year long.
//   - Every amount is rounded once, half up, per line (one member in one
//     project): amount_cents = round(seconds x rate_cents / 3600). Totals
//     add up the rounded lines, so a total always equals its lines' sum.
const (
	ClientInvoicesRoute        = "/api/tock/orgs/{org}/client_invoices"
	ClientInvoiceSendRoute     = "/api/tock/client_invoices/{id}/send"
	ClientInvoicePaymentsRoute = "/api/tock/client_invoices/{id}/payments"
	TeamInvoicesRoute          = "/api/tock/orgs/{org}/team_invoices"
	TeamInvoicePaymentsRoute   = "/api/tock/team_invoices/{id}/payments"
	PayrollRoute               = "/api/tock/orgs/{org}/payroll"
	// InvoiceClientsRoute names the clients to whoever may invoice them or
	// read their invoices: team leads can do both with their toggle, but
	// only owners and managers list clients (Edit Clients).
	InvoiceClientsRoute = "/api/tock/orgs/{org}/invoice_clients"
)

// MoneyLine is one priced line: one member's payable time in one project.
type MoneyLine struct {
	User        string  `json:"user"`
	Project     string  `json:"project"`
	Seconds     int64   `json:"seconds"`
	Hours       float64 `json:"hours"` // Seconds in hours, to two decimals, for display only
	RateCents   int64   `json:"rate_cents"`
	AmountCents int64   `json:"amount_cents"`
}

// Unpriced is time left off an invoice or payroll because no rate prices it.
type Unpriced struct {
	User    string `json:"user"`
	Project string `json:"project"`
}

// InvoiceClient is a client as an invoice needs it.
type InvoiceClient struct {
	ID       string `json:"id" db:"id"`
	Name     string `json:"name" db:"name"`
	Email    bool   `json:"has_email" db:"has_email"` // whether invoices can be sent
	Currency string `json:"currency" db:"currency"`
}
