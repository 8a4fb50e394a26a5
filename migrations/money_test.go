package migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

func TestMoneyCollections(t *testing.T) {
	app := newApp(t)
	for _, tc := range []struct {
		name   string
		fields []string
		writes bool // created, changed and deleted over the API, under matrix rules
	}{
		{schema.Rates, []string{"org", "user", "project", "pay_rate_cents", "bill_rate_cents", "currency"}, true},
		{schema.ClientInvoices, []string{"org", "number", "client", "team", "period_start", "period_end", "status", "lines", "total_cents", "paid_cents", "payments", "sent_at"}, false},
		{schema.TeamInvoices, []string{"org", "number", "user", "period_start", "period_end", "status", "lines", "total_cents", "paid_cents", "payments"}, false},
		{schema.PayrollRuns, []string{"org", "period_start", "period_end", "total_cents", "currency", "created_by"}, false},
		{schema.Payments, []string{"org", "run", "user", "seconds", "rate_cents", "amount_cents", "lines"}, false},
		{schema.Clients, []string{"email", "currency"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := app.FindCollectionByNameOrId(tc.name)
			if err != nil {
				t.Fatalf("%s missing: %v", tc.name, err)
			}
			for _, f := range tc.fields {
				if c.Fields.GetByName(f) == nil {
					t.Errorf("%s.%s missing", tc.name, f)
				}
			}
			if c.ListRule == nil || c.ViewRule == nil || *c.ListRule == "" {
				t.Errorf("%s must be readable under matrix rules", tc.name)
			}
			if writes := c.CreateRule != nil; writes != tc.writes {
				t.Errorf("%s create rule %v, want API writes %v", tc.name, c.CreateRule, tc.writes)
			}
		})
	}
	// Money is whole cents: no rate or amount field takes a fraction.
	for name, fields := range map[string][]string{
		schema.Rates: {"pay_rate_cents", "bill_rate_cents"}, schema.ClientInvoices: {"total_cents", "paid_cents"},
		schema.Payments: {"amount_cents", "rate_cents"}, schema.PayrollRuns: {"total_cents"},
	} {
		c, _ := app.FindCollectionByNameOrId(name)
		for _, f := range fields {
			if n, ok := c.Fields.GetByName(f).(*core.NumberField); !ok || !n.OnlyInt || n.Min == nil || *n.Min != 0 {
				t.Errorf("%s.%s must be a non-negative integer", name, f)
			}
		}
	}
}

func TestMoneyDownAndUp(t *testing.T) {
	app := newApp(t)
	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	for range core.AppMigrations.Items() { // at most every migration: later ones may exist
		if _, err := app.FindCollectionByNameOrId(schema.Rates); err != nil {
			break
		}
		if _, err := runner.Down(1); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
	if _, err := app.FindCollectionByNameOrId(schema.Payments); err == nil {
		t.Fatalf("payments still exists after its migration was rolled back")
	}
	if c, err := app.FindCollectionByNameOrId(schema.Clients); err != nil || c.Fields.GetByName("email") != nil {
		t.Fatalf("clients.email still there after the rollback: %v", err)
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	for _, name := range []string{schema.Rates, schema.ClientInvoices, schema.TeamInvoices, schema.PayrollRuns, schema.Payments} {
		if _, err := app.FindCollectionByNameOrId(name); err != nil {
			t.Fatalf("%s not rebuilt: %v", name, err)
		}
	}
}
