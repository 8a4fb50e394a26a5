package tocktest

import (
	"fmt"

	"github.com/tock-app/tock/migrations/schema"
)

// Ids of the money seed: one client invoice per reach (the whole of Acme,
// team T, team U, Globex) and one payroll run per organization.
const (
	CInvA = "cinvacme0000001" // Acme, the whole organization
	CInvT = "cinvacmet000001" // Acme, team T
	CInvU = "cinvacmeu000001" // Acme, team U
	CInvG = "cinvglobex00001" // Globex
	RunA  = "runacme00000001"
	RunG  = "runglobex000001"
	// MoneyDefaultPay and MoneyDefaultBill are every seeded member's default
	// rates, in cents per hour.
	MoneyDefaultPay  = 2000
	MoneyDefaultBill = 5000
)

// RateID names a member's seeded default rate.
func RateID(user string) string { return pad("rt" + user[3:]) }

// TeamInvoiceID names a member's seeded team invoice.
func TeamInvoiceID(user string) string { return pad("ti" + user[3:]) }

// PaymentID names a member's seeded payment in their organization's run.
func PaymentID(user string) string { return pad("pay" + user[3:]) }

// moneyPeople are the members with rates, team invoices and payments:
// everyone who tracks time, plus Nia (no time, but rates and invoices).
var moneyPeople = []struct{ user, org string }{
	{Alice, Acme}, {Bob, Acme}, {Carol, Acme}, {Pam, Acme}, {Tess, Acme}, {Walt, Acme}, {Nia, Acme}, {Dave, Globex},
}

// seedMoney gives clients an e-mail address and seeds rates, invoices and
// a payroll run in October, before the seeded time, so a run of the week of
// Slot doesn't overlap it.
func seedMoney(s *Seeder) {
	if s.err != nil {
		return
	}
	for _, id := range []string{Cli, CliG} {
		c, err := s.App.FindRecordById(schema.Clients, id)
		if err != nil {
			s.err = fmt.Errorf("find client %s: %w", id, err)
			return
		}
		c.Set("email", "billing-"+id+"@example.test")
		c.Set("currency", schema.DefaultCurrency)
		if err := s.App.Save(c); err != nil {
			s.err = fmt.Errorf("client %s e-mail: %w", id, err)
			return
		}
	}
	period := map[string]any{"period_start": "2026-10-01 00:00:00.000Z", "period_end": "2026-10-31 00:00:00.000Z"}
	with := func(fields map[string]any) map[string]any {
		out := map[string]any{"status": schema.InvoiceOpen, "currency": schema.DefaultCurrency, "total_cents": 10000, "paid_cents": 0}
		for k, v := range period {
			out[k] = v
		}
		for k, v := range fields {
			out[k] = v
		}
		return out
	}
	for i, p := range moneyPeople {
		s.Create(schema.Rates, RateID(p.user), map[string]any{
			"org": p.org, "user": p.user, "pay_rate_cents": MoneyDefaultPay, "bill_rate_cents": MoneyDefaultBill,
			"currency": schema.DefaultCurrency,
		})
		s.Create(schema.TeamInvoices, TeamInvoiceID(p.user), with(map[string]any{"org": p.org, "user": p.user, "number": i + 1}))
	}
	for i, inv := range []struct{ id, org, client, team string }{
		{CInvA, Acme, Cli, ""}, {CInvT, Acme, Cli, TeamT}, {CInvU, Acme, Cli, TeamU}, {CInvG, Globex, CliG, ""},
	} {
		s.Create(schema.ClientInvoices, inv.id, with(map[string]any{"org": inv.org, "client": inv.client, "client_name": "Client", "team": inv.team, "number": i + 1}))
	}
	for _, r := range []struct{ id, org string }{{RunA, Acme}, {RunG, Globex}} {
		fields := map[string]any{"org": r.org, "total_cents": 4000, "currency": schema.DefaultCurrency}
		for k, v := range period {
			fields[k] = v
		}
		s.Create(schema.PayrollRuns, r.id, fields)
	}
	for _, p := range []struct{ user, run, org string }{{Walt, RunA, Acme}, {Nia, RunA, Acme}, {Dave, RunG, Globex}} {
		fields := map[string]any{"org": p.org, "run": p.run, "user": p.user, "seconds": 3600,
			"rate_cents": MoneyDefaultPay, "amount_cents": MoneyDefaultPay, "currency": schema.DefaultCurrency}
		for k, v := range period {
			fields[k] = v
		}
		s.Create(schema.Payments, PaymentID(p.user), fields)
	}
}
