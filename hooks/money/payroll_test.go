package money_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestPayroll: one run and one payment per member with payable time, at
// their pay rate; the same (or an overlapping) period never runs twice.
func TestPayroll(t *testing.T) {
	app, call := moneyApp(t)
	// Carol has no pay rate: her time is reported unpriced, not paid.
	setRecord(t, app, schema.Rates, tt.RateID(tt.Carol), map[string]any{"pay_rate_cents": 0})

	status, body := call(tt.Alice, "POST", hookstest.OrgURL(api.PayrollRoute, tt.Acme), `{`+hookstest.MoneyWeek+`}`)
	if status != 200 {
		t.Fatalf("got %d %s", status, body)
	}
	var out struct {
		Run struct {
			ID    string `json:"id"`
			Total int64  `json:"total_cents"`
		} `json:"run"`
		Payments []struct {
			User    string          `json:"user"`
			Seconds int64           `json:"seconds"`
			Rate    int64           `json:"rate_cents"`
			Amount  int64           `json:"amount_cents"`
			Lines   []api.MoneyLine `json:"lines"`
		} `json:"payments"`
		Unpriced []api.Unpriced `json:"unpriced"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ seconds, amount int64 }{
		tt.Alice: {600, 333}, tt.Bob: {600, 333}, tt.Pam: {600, 333}, tt.Tess: {600, 333},
		tt.Walt: {1200, 666}, // two projects, each line rounded on its own
	}
	if len(out.Payments) != len(want) {
		t.Fatalf("got %d payments, want %d: %s", len(out.Payments), len(want), body)
	}
	var total int64
	for _, p := range out.Payments {
		w := want[p.User]
		if p.Seconds != w.seconds || p.Amount != w.amount || p.Rate != tt.MoneyDefaultPay {
			t.Errorf("payment of %s: %+v, want %+v", p.User, p, w)
		}
		total += p.Amount
	}
	if out.Run.Total != total || total != 1998 {
		t.Errorf("run total %d, payments %d, want 1998", out.Run.Total, total)
	}
	if len(out.Unpriced) != 1 || out.Unpriced[0].User != tt.Carol {
		t.Errorf("unpriced: %+v", out.Unpriced)
	}
	if n, _ := app.CountRecords(schema.Payments, dbx.HashExp{"run": out.Run.ID}); n != 5 {
		t.Errorf("%d payments stored, want 5", n)
	}

	for _, tc := range []struct {
		name, user, body string
		status           int
		content          string
	}{
		{"the same period again", tt.Alice, `{` + hookstest.MoneyWeek + `}`, 409, "2026-11-02 – 2026-11-08"},
		{"an overlapping period", tt.Alice, `{"period_start":"2026-11-05","period_end":"2026-11-20"}`, 409, "overlaps"},
		{"no time", tt.Alice, `{"period_start":"2026-12-01","period_end":"2026-12-31"}`, 400, "No payable time"},
		{"a bad period", tt.Alice, `{"period_start":"2026-12-01"}`, 400, "Period_end"},
		{"a manager", tt.Bob, `{"period_start":"2026-12-01","period_end":"2026-12-31"}`, 403, "Manage Payroll"},
		{"a non-member", tt.Dave, `{"period_start":"2026-12-01","period_end":"2026-12-31"}`, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(tc.user, "POST", hookstest.OrgURL(api.PayrollRoute, tt.Acme), tc.body)
			if status != tc.status || !strings.Contains(body, tc.content) {
				t.Errorf("got %d %s, want %d with %q", status, body, tc.status, tc.content)
			}
		})
	}
	if n, _ := app.CountRecords(schema.PayrollRuns, dbx.HashExp{"org": tt.Acme}); n != 2 {
		t.Errorf("%d runs, want the seeded one and this one", n)
	}

	// Members see their own payments, like a pay slip, and nobody else's.
	_, body = call(tt.Walt, "GET", hookstest.RecordsURL(schema.Payments), "")
	if !strings.Contains(body, `"totalItems":2`) || strings.Contains(body, tt.Nia) {
		t.Errorf("Walt's payments: %s", body)
	}
	_, body = call(tt.Walt, "GET", hookstest.RecordsURL(schema.PayrollRuns), "")
	if !strings.Contains(body, `"totalItems":0`) {
		t.Errorf("Walt sees runs: %s", body)
	}
}

// TestMoneyModulesOff: with invoices or payroll turned off (Add/Remove
// Features), their routes create nothing and answer 409 feature_off.
func TestMoneyModulesOff(t *testing.T) {
	for _, tc := range []struct{ name, module, route, body string }{
		{"payroll", schema.ModulePayroll, hookstest.OrgURL(api.PayrollRoute, tt.Acme), `{` + hookstest.MoneyWeek + `}`},
		{"client invoices", schema.ModuleInvoices, hookstest.OrgURL(api.ClientInvoicesRoute, tt.Acme), `{"client":"` + tt.Cli + `",` + hookstest.MoneyWeek + `}`},
		{"team invoices", schema.ModuleInvoices, hookstest.OrgURL(api.TeamInvoicesRoute, tt.Acme), `{` + hookstest.MoneyWeek + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, call := moneyApp(t)
			setRecord(t, app, schema.Organizations, tt.Acme, map[string]any{schema.FeatureField(tc.module): false})
			status, body := call(tt.Alice, "POST", tc.route, tc.body)
			if status != 409 || !strings.Contains(body, "feature_off") {
				t.Errorf("got %d %s, want 409 feature_off", status, body)
			}
			for _, c := range []string{schema.PayrollRuns, schema.ClientInvoices, schema.TeamInvoices} {
				if n, _ := app.CountRecords(c, dbx.NewExp("created_by != ''")); n != 0 {
					t.Errorf("%d %s created while the module is off", n, c)
				}
			}
		})
	}
}
