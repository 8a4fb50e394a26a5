package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

func init() {
	m.Register(createMoney, dropMoney)
}

func createMoney(app core.App) error {
	cs, err := findCollections(app, schema.Organizations, schema.Users, schema.Projects, schema.Teams, schema.Clients)
	if err != nil {
		return err
	}
	orgs, users, projects, teams, clients := cs[0], cs[1], cs[2], cs[3], cs[4]
	clients.Fields.Add(&core.EmailField{Name: "email"})
	clients.Fields.Add(currency())
	if err := app.Save(clients); err != nil {
		return fmt.Errorf("add billing fields to %s: %w", schema.Clients, err)
	}

	rates := orgScoped(schema.Rates, orgs)
	rates.Fields.Add(relation(schema.FieldUser, users, true, true))
	rates.Fields.Add(relation(schema.FieldProject, projects, false, true)) // empty: the member's default
	rates.Fields.Add(number("pay_rate_cents", false, 0, schema.MaxRateCents))
	rates.Fields.Add(number("bill_rate_cents", false, 0, schema.MaxRateCents))
	rates.Fields.Add(currency())
	timestamps(rates)
	rates.AddIndex("idx_rates_org_user_project", true, "`org`, `user`, `project`", "")
	if err := save(app, rates); err != nil {
		return err
	}

	invoices := orgScoped(schema.ClientInvoices, orgs)
	invoices.Fields.Add(number("number", true, 1, 1e9))
	// An invoice outlives its client: removing the client unsets the
	// relation and the invoice keeps the name it was made out to.
	invoices.Fields.Add(relation(schema.FieldClient, clients, false, false))
	invoices.Fields.Add(text("client_name", false, 200))
	invoices.Fields.Add(relation("team", teams, false, false))
	invoiceFields(invoices, users)
	invoices.Fields.Add(&core.DateField{Name: "sent_at"})
	invoices.Fields.Add(&core.EmailField{Name: "sent_to"})
	invoices.AddIndex("idx_client_invoices_org_number", true, "`org`, `number`", "")
	if err := save(app, invoices); err != nil {
		return err
	}

	teamInvoices := orgScoped(schema.TeamInvoices, orgs)
	teamInvoices.Fields.Add(number("number", true, 1, 1e9))
	teamInvoices.Fields.Add(relation(schema.FieldUser, users, true, false))
	invoiceFields(teamInvoices, users)
	teamInvoices.AddIndex("idx_team_invoices_org_number", true, "`org`, `number`", "")
	if err := save(app, teamInvoices); err != nil {
		return err
	}

	runs := orgScoped(schema.PayrollRuns, orgs)
	runs.Fields.Add(&core.DateField{Name: "period_start", Required: true})
	runs.Fields.Add(&core.DateField{Name: "period_end", Required: true})
	runs.Fields.Add(number("total_cents", false, 0, schema.MaxAmountCents))
	runs.Fields.Add(currency())
	runs.Fields.Add(relation("created_by", users, false, false))
	timestamps(runs)
	runs.AddIndex("idx_payroll_runs_org_period", true, "`org`, `period_start`, `period_end`", "")
	if err := save(app, runs); err != nil {
		return err
	}

	payments := orgScoped(schema.Payments, orgs)
	payments.Fields.Add(relation("run", runs, true, true))
	payments.Fields.Add(relation(schema.FieldUser, users, true, false))
	payments.Fields.Add(&core.DateField{Name: "period_start", Required: true})
	payments.Fields.Add(&core.DateField{Name: "period_end", Required: true})
	payments.Fields.Add(number(schema.FieldSeconds, false, 0, 1e9))
	payments.Fields.Add(number("rate_cents", false, 0, schema.MaxRateCents))
	payments.Fields.Add(number("amount_cents", false, 0, schema.MaxAmountCents))
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
	c.Fields.Add(choice(schema.FieldStatus, true, schema.InvoiceOpen, schema.InvoiceSent, schema.InvoicePaid))
	c.Fields.Add(currency())
	c.Fields.Add(&core.JSONField{Name: "lines", MaxSize: 1 << 18})
	c.Fields.Add(number("total_cents", false, 0, schema.MaxAmountCents))
	c.Fields.Add(number("paid_cents", false, 0, schema.MaxAmountCents))
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
	if err := dropCollections(app, schema.Payments, schema.PayrollRuns, schema.TeamInvoices, schema.ClientInvoices, schema.Rates); err != nil {
		return err
	}
	c, err := app.FindCollectionByNameOrId(schema.Clients)
	if err != nil {
		return nil
	}
	c.Fields.RemoveByName("email")
	c.Fields.RemoveByName("currency")
	if err := app.Save(c); err != nil {
		return fmt.Errorf("drop billing fields of %s: %w", schema.Clients, err)
	}
	return nil
}
