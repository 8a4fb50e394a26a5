package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Money: pay and bill rates, client invoices, team invoices and payroll.
// Every amount is an integer number of cents and every rate an integer
// number of cents per hour, so no sum ever drifts by a fraction of a cent.
const (
	// MaxRateCents is $10,000 an hour: far above any real rate, low enough
	// that seconds x rate never comes near overflowing an int64.
	MaxRateCents = 1_000_000
	// MaxAmountCents bounds an invoice, a payment and a payroll line.
	MaxAmountCents = 1_000_000_000_000
	// DefaultCurrency is used where neither the client nor the rate says.
	DefaultCurrency = "USD"
	MaxMoneyNote    = 500
)

// Statuses of invoices.
const (
	InvoiceOpen = "open" // created, not sent (client) or not yet paid (team)
	InvoiceSent = "sent" // e-mailed to the client
	InvoicePaid = "paid" // payments add up to the total
)

func init() {
	m.Register(createMoney, dropMoney)
}

func createMoney(app core.App) error {
	cs, err := findCollections(app, Organizations, Users, Projects, Teams, Clients)
	if err != nil {
		return err
	}
	orgs, users, projects, teams, clients := cs[0], cs[1], cs[2], cs[3], cs[4]
	clients.Fields.Add(&core.EmailField{Name: "email"})
	clients.Fields.Add(currency())
	if err := app.Save(clients); err != nil {
		return fmt.Errorf("add billing fields to %s: %w", Clients, err)
	}

	rates := orgScoped(Rates, orgs)
	rates.Fields.Add(relation("user", users, true, true))
	rates.Fields.Add(relation("project", projects, false, true)) // empty: the member's default
	rates.Fields.Add(number("pay_rate_cents", false, 0, MaxRateCents))
	rates.Fields.Add(number("bill_rate_cents", false, 0, MaxRateCents))
	rates.Fields.Add(currency())
	timestamps(rates)
	rates.AddIndex("idx_rates_org_user_project", true, "`org`, `user`, `project`", "")
	if err := save(app, rates); err != nil {
		return err
	}

	invoices := orgScoped(ClientInvoices, orgs)
	invoices.Fields.Add(number("number", true, 1, 1e9))
	// An invoice outlives its client: removing the client unsets the
	// relation and the invoice keeps the name it was made out to.
	invoices.Fields.Add(relation("client", clients, false, false))
	invoices.Fields.Add(text("client_name", false, 200))
	invoices.Fields.Add(relation("team", teams, false, false))
	invoiceFields(invoices, users)
	invoices.Fields.Add(&core.DateField{Name: "sent_at"})
	invoices.Fields.Add(&core.EmailField{Name: "sent_to"})
	invoices.AddIndex("idx_client_invoices_org_number", true, "`org`, `number`", "")
	if err := save(app, invoices); err != nil {
		return err
	}

	teamInvoices := orgScoped(TeamInvoices, orgs)
	teamInvoices.Fields.Add(number("number", true, 1, 1e9))
	teamInvoices.Fields.Add(relation("user", users, true, false))
	invoiceFields(teamInvoices, users)
	teamInvoices.AddIndex("idx_team_invoices_org_number", true, "`org`, `number`", "")
	if err := save(app, teamInvoices); err != nil {
		return err
	}

	runs := orgScoped(PayrollRuns, orgs)
	runs.Fields.Add(&core.DateField{Name: "period_start", Required: true})
	runs.Fields.Add(&core.DateField{Name: "period_end", Required: true})
	runs.Fields.Add(number("total_cents", false, 0, MaxAmountCents))
	runs.Fields.Add(currency())
	runs.Fields.Add(relation("created_by", users, false, false))
	timestamps(runs)
	runs.AddIndex("idx_payroll_runs_org_period", true, "`org`, `period_start`, `period_end`", "")
	if err := save(app, runs); err != nil {
		return err
	}

	payments := orgScoped(Payments, orgs)
	payments.Fields.Add(relation("run", runs, true, true))
	payments.Fields.Add(relation("user", users, true, false))
	payments.Fields.Add(&core.DateField{Name: "period_start", Required: true})
	payments.Fields.Add(&core.DateField{Name: "period_end", Required: true})
	payments.Fields.Add(number("seconds", false, 0, 1e9))
	payments.Fields.Add(number("rate_cents", false, 0, MaxRateCents))
	payments.Fields.Add(number("amount_cents", false, 0, MaxAmountCents))
	payments.Fields.Add(currency())
	payments.Fields.Add(&core.JSONField{Name: "lines", MaxSize: 1 << 16})
	timestamps(payments)
	payments.AddIndex("idx_payments_run_user", true, "`run`, `user`", "")
	if err := save(app, payments); err != nil {
		return err
	}
	return applyMatrixRules(app)
}

// invoiceFields are what client and team invoices share: the period, the
// priced lines, the total and what has been paid of it.
func invoiceFields(c *core.Collection, users *core.Collection) {
	// Days of the organization's time zone, stored as midnight UTC of that day.
	c.Fields.Add(&core.DateField{Name: "period_start", Required: true})
	c.Fields.Add(&core.DateField{Name: "period_end", Required: true})
	c.Fields.Add(choice("status", true, InvoiceOpen, InvoiceSent, InvoicePaid))
	c.Fields.Add(currency())
	c.Fields.Add(&core.JSONField{Name: "lines", MaxSize: 1 << 18})
	c.Fields.Add(number("total_cents", false, 0, MaxAmountCents))
	c.Fields.Add(number("paid_cents", false, 0, MaxAmountCents))
	// Each payment as it was marked: amount_cents, paid_at, by.
	c.Fields.Add(&core.JSONField{Name: "payments", MaxSize: 1 << 16})
	c.Fields.Add(&core.DateField{Name: "paid_at"})
	c.Fields.Add(relation("created_by", users, false, false))
	timestamps(c)
}

// currency is an ISO 4217 code.
func currency() *core.TextField {
	return &core.TextField{Name: "currency", Max: 3, Pattern: `^[A-Z]{3}$`}
}

func dropMoney(app core.App) error {
	if err := dropCollections(app, Payments, PayrollRuns, TeamInvoices, ClientInvoices, Rates); err != nil {
		return err
	}
	c, err := app.FindCollectionByNameOrId(Clients)
	if err != nil {
		return nil
	}
	c.Fields.RemoveByName("email")
	c.Fields.RemoveByName("currency")
	if err := app.Save(c); err != nil {
		return fmt.Errorf("drop billing fields of %s: %w", Clients, err)
	}
	return nil
}
