package hooks_test

import (
	"fmt"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// moneyCreated posts body to route and looks for a record of collection
// that self made and match finds.
func moneyCreated(route, body, collection, self string, match dbx.HashExp) probe {
	return probe{
		method: "POST", url: route, body: body,
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			match["created_by"] = self
			n, err := app.CountRecords(collection, match)
			return err == nil && n > 0
		},
	}
}

// invoiceSent sends a seeded client invoice.
func invoiceSent(id string) probe {
	return probe{
		method: "POST", url: hookstest.IdURL(api.ClientInvoiceSendRoute, id), body: `{}`,
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			r, err := app.FindRecordById(schema.ClientInvoices, id)
			return err == nil && r.GetString("status") == schema.InvoiceSent && r.GetString("sent_to") != ""
		},
	}
}

// paymentMarked marks a one-dollar payment on a seeded invoice.
func paymentMarked(route, collection, id string) probe {
	return probe{
		method: "POST", url: hookstest.IdURL(route, id), body: `{"amount_cents":100,"paid_at":"2026-11-10"}`,
		took: func(_ testing.TB, app core.App, _ int, _ string) bool {
			r, err := app.FindRecordById(collection, id)
			return err == nil && r.GetInt("paid_cents") == 100
		},
	}
}

// moneyProbes lists the requests of the ten money rows for one person.
func moneyProbes(self string) []probe {
	var ps []probe
	for _, m := range []struct{ label, user, project, org string }{
		{"team member", tt.Walt, tt.ProjB, tt.Acme},
		{"other member", tt.Nia, tt.ProjB, tt.Acme},
		{"other org", tt.Dave, tt.ProjG, tt.Globex},
	} {
		tg := perms.Target{OwnerID: m.user}
		rate := tt.RateID(m.user)
		ps = append(ps,
			listed(schema.Rates, rate).on(perms.ManagePayBillRates, m.label+" (list)", m.org, tg),
			updated(schema.Rates, rate, "pay_rate_cents", 2500).on(perms.ManagePayBillRates, m.label+" (edit)", m.org, tg),
			deleted(schema.Rates, rate).on(perms.ManagePayBillRates, m.label+" (delete)", m.org, tg),
			created(schema.Rates, map[string]any{"org": m.org, "user": m.user, "project": m.project, "pay_rate_cents": 3000, "bill_rate_cents": 6000},
				"user = {:user} AND project = {:project}").on(perms.ManagePayBillRates, m.label+" (add)", m.org, tg),
			listed(schema.Payments, tt.PaymentID(m.user)).on(perms.ViewPastTeamPayments, m.label, m.org, tg),
			listed(schema.TeamInvoices, tt.TeamInvoiceID(m.user)).on(perms.ViewTeamInvoices, m.label, m.org, tg),
			paymentMarked(api.TeamInvoicePaymentsRoute, schema.TeamInvoices, tt.TeamInvoiceID(m.user)).
				on(perms.MarkPaymentOnTeamInvoice, m.label, m.org, tg),
		)
		if m.user != tt.Nia { // Nia has no time to invoice
			ps = append(ps, moneyCreated(hookstest.OrgURL(api.TeamInvoicesRoute, m.org), fmt.Sprintf(`{"user":%q,%s}`, m.user, hookstest.MoneyWeek),
				schema.TeamInvoices, self, dbx.HashExp{"user": m.user}).on(perms.CreateTeamInvoices, m.label, m.org, tg))
		}
	}
	if tracksTime[self] {
		tg := perms.Target{OwnerID: self}
		ps = append(ps,
			listed(schema.TeamInvoices, tt.TeamInvoiceID(self)).on(perms.ViewTeamInvoices, "own", tt.Acme, tg),
			paymentMarked(api.TeamInvoicePaymentsRoute, schema.TeamInvoices, tt.TeamInvoiceID(self)).
				on(perms.MarkPaymentOnTeamInvoice, "own", tt.Acme, tg),
			moneyCreated(hookstest.OrgURL(api.TeamInvoicesRoute, tt.Acme), fmt.Sprintf(`{%s}`, hookstest.MoneyWeek),
				schema.TeamInvoices, self, dbx.HashExp{"user": self}).on(perms.CreateTeamInvoices, "own", tt.Acme, tg),
		)
	}

	for _, inv := range []struct{ label, id, org, client, team string }{
		{"whole org", tt.CInvA, tt.Acme, tt.Cli, ""},
		{"led team", tt.CInvT, tt.Acme, tt.Cli, tt.TeamT},
		{"other team", tt.CInvU, tt.Acme, tt.Cli, tt.TeamU},
		{"other org", tt.CInvG, tt.Globex, tt.CliG, ""},
	} {
		tg := perms.Target{TeamID: inv.team}
		create := moneyCreated(hookstest.OrgURL(api.ClientInvoicesRoute, inv.org), fmt.Sprintf(`{"client":%q,"team":%q,%s}`, inv.client, inv.team, hookstest.MoneyWeek),
			schema.ClientInvoices, self, dbx.HashExp{"org": inv.org, "team": inv.team})
		if inv.team == tt.TeamU {
			// Team U's only member has no time in the client's project yet.
			create.before = func(t testing.TB, app core.App) {
				hookstest.PlantTime(t, app, tt.Nia, tt.ProjA, tt.Slot, 600, "tracked")
			}
		}
		ps = append(ps,
			create.on(perms.CreateClientInvoices, inv.label, inv.org, tg),
			listed(schema.ClientInvoices, inv.id).on(perms.ViewClientInvoices, inv.label+" (list)", inv.org, tg),
			viewed(schema.ClientInvoices, inv.id).on(perms.ViewClientInvoices, inv.label+" (view)", inv.org, tg),
			invoiceSent(inv.id).on(perms.SendClientInvoices, inv.label, inv.org, tg),
			paymentMarked(api.ClientInvoicePaymentsRoute, schema.ClientInvoices, inv.id).
				on(perms.MarkPaymentOnClientInvoice, inv.label, inv.org, tg),
		)
	}

	for _, o := range []struct{ label, org, run string }{{"own org", tt.Acme, tt.RunA}, {"other org", tt.Globex, tt.RunG}} {
		org := o.org
		ps = append(ps,
			probe{
				method: "POST", url: hookstest.OrgURL(api.PayrollRoute, o.org), body: "{" + hookstest.MoneyWeek + "}",
				took: func(_ testing.TB, app core.App, _ int, _ string) bool {
					n, err := app.CountRecords(schema.PayrollRuns, dbx.HashExp{"org": org, "period_start": "2026-11-02 00:00:00.000Z"})
					return err == nil && n == 1
				},
			}.on(perms.ManagePayroll, o.label, o.org, perms.Target{}),
			listed(schema.PayrollRuns, o.run).on(perms.ViewPastTeamPayments, o.label+" (run)", o.org, perms.Target{}),
		)
	}
	return ps
}
