package money_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// moneyApp is a fresh copy of the matrix world and a way to call it as someone.
func moneyApp(t *testing.T) (*tests.TestApp, func(user, method, url, body string) (int, string)) {
	t.Helper()
	fx, factory := hookstest.Seeded(t)
	app := factory(t)
	t.Cleanup(app.Cleanup)
	var h http.Handler // built on the first call, after the test has set the app up
	return app, func(user, method, url, body string) (int, string) {
		if h == nil {
			h = tt.Handler(t, app)
		}
		status, _, out := tt.Send(h, tt.JSONRequest(method, url, body, fx.Token(t, user)))
		return status, out
	}
}

func setRecord(t testing.TB, app core.App, collection, id string, fields map[string]any) {
	t.Helper()
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		r.Set(k, v)
	}
	if err := app.Save(r); err != nil {
		t.Fatalf("update %s %s: %v", collection, id, err)
	}
}

func invoiceOf(t testing.TB, body string) (api.InvoiceResult, []api.MoneyLine) {
	t.Helper()
	var out struct {
		Invoice struct {
			ID         string          `json:"id"`
			Number     int             `json:"number"`
			Total      int64           `json:"total_cents"`
			Status     string          `json:"status"`
			Currency   string          `json:"currency"`
			Lines      []api.MoneyLine `json:"lines"`
			PeriodFrom string          `json:"period_start"`
		} `json:"invoice"`
		Unpriced []api.Unpriced `json:"unpriced"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return api.InvoiceResult{Unpriced: out.Unpriced}, out.Invoice.Lines
}

func linesByUser(lines []api.MoneyLine) map[string]api.MoneyLine {
	out := map[string]api.MoneyLine{}
	for _, l := range lines {
		out[l.User+"/"+l.Project] = l
	}
	return out
}

// TestClientInvoiceLines: approved time x bill rate per member and project,
// a project's rate overriding the member's default, rounded once per line.
func TestClientInvoiceLines(t *testing.T) {
	week := fmt.Sprintf(`{"client":%q,%s}`, tt.Cli, hookstest.MoneyWeek)
	atEight := func(t testing.TB, app core.App) {
		hookstest.PlantRecord(t, app, schema.Rates, "rtwaltproja0001", map[string]any{
			"org": tt.Acme, "user": tt.Walt, "project": tt.ProjA, "pay_rate_cents": 3000, "bill_rate_cents": 9000,
		})
	}
	cases := []struct {
		name    string
		user    string
		body    string
		before  func(t testing.TB, app core.App)
		toggles bool
		want    map[string]int64 // user/project -> amount
		number  int
	}{
		{name: "everyone's time in the client's projects", user: tt.Alice, body: week, number: 4,
			want: map[string]int64{tt.Alice: 833, tt.Bob: 833, tt.Carol: 833, tt.Pam: 833, tt.Tess: 833, tt.Walt: 833}},
		{name: "a project rate overrides the default", user: tt.Alice, body: week, before: atEight, number: 4,
			want: map[string]int64{tt.Alice: 833, tt.Bob: 833, tt.Carol: 833, tt.Pam: 833, tt.Tess: 833, tt.Walt: 1500}},
		{name: "a team lead invoices their team's time", user: tt.Tess, toggles: true, number: 4,
			body: fmt.Sprintf(`{"client":%q,"team":%q,%s}`, tt.Cli, tt.TeamT, hookstest.MoneyWeek),
			want: map[string]int64{tt.Tess: 833, tt.Walt: 833}},
		{name: "with approvals only approved weeks count", user: tt.Alice, body: week, number: 4,
			before: func(t testing.TB, app core.App) {
				setRecord(t, app, schema.Organizations, tt.Acme, map[string]any{"timesheet_approvals": true})
				hookstest.PlantRecord(t, app, schema.Timesheets, "tshwalt00000001", map[string]any{
					"org": tt.Acme, "user": tt.Walt, "status": "approved",
					"period_start": "2026-11-02 00:00:00.000Z", "period_end": "2026-11-08 00:00:00.000Z",
				})
				hookstest.PlantRecord(t, app, schema.Timesheets, "tshcarol0000001", map[string]any{
					"org": tt.Acme, "user": tt.Carol, "status": "submitted",
					"period_start": "2026-11-02 00:00:00.000Z", "period_end": "2026-11-08 00:00:00.000Z",
				})
			},
			want: map[string]int64{tt.Walt: 833}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app, call := moneyApp(t)
			hookstest.SetToggles(t, app, tc.toggles)
			if tc.before != nil {
				tc.before(t, app)
			}
			status, body := call(tc.user, "POST", hookstest.OrgURL(api.ClientInvoicesRoute, tt.Acme), tc.body)
			if status != 200 {
				t.Fatalf("got %d %s", status, body)
			}
			_, lines := invoiceOf(t, body)
			got := linesByUser(lines)
			var total int64
			for user, amount := range tc.want {
				l, ok := got[user+"/"+tt.ProjA]
				if !ok || l.AmountCents != amount || l.Seconds != 600 {
					t.Errorf("line of %s: %+v, want %d cents for 600 s", user, l, amount)
				}
				total += amount
			}
			if len(lines) != len(tc.want) {
				t.Errorf("got %d lines, want %d: %+v", len(lines), len(tc.want), lines)
			}
			if !strings.Contains(body, fmt.Sprintf(`"total_cents":%d`, total)) || !strings.Contains(body, fmt.Sprintf(`"number":%d`, tc.number)) ||
				!strings.Contains(body, `"status":"open"`) || !strings.Contains(body, `"currency":"USD"`) {
				t.Errorf("invoice: %s", body)
			}
			// The next one gets the next number.
			if status, body := call(tc.user, "POST", hookstest.OrgURL(api.ClientInvoicesRoute, tt.Acme), tc.body); status != 200 ||
				!strings.Contains(body, fmt.Sprintf(`"number":%d`, tc.number+1)) {
				t.Errorf("second invoice: %d %s", status, body)
			}
		})
	}
}

// TestClientInvoiceRefusals: bad input and the wrong person change nothing.
func TestClientInvoiceRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, user, org, body string
		status                int
		content               string
	}{
		{"not JSON", tt.Alice, tt.Acme, `{`, 400, "client"},
		{"no client", tt.Alice, tt.Acme, `{` + hookstest.MoneyWeek + `}`, 400, "Client must be"},
		{"another organization's client", tt.Alice, tt.Acme, fmt.Sprintf(`{"client":%q,%s}`, tt.CliG, hookstest.MoneyWeek), 400, "Client must be a client of Acme"},
		{"another organization's team", tt.Alice, tt.Acme, fmt.Sprintf(`{"client":%q,"team":%q,%s}`, tt.Cli, tt.TeamG, hookstest.MoneyWeek), 400, "Team must be"},
		{"a period backwards", tt.Alice, tt.Acme, fmt.Sprintf(`{"client":%q,"period_start":"2026-11-08","period_end":"2026-11-02"}`, tt.Cli), 400, "on or after"},
		{"not a day", tt.Alice, tt.Acme, fmt.Sprintf(`{"client":%q,"period_start":"soon","period_end":"2026-11-02"}`, tt.Cli), 400, "YYYY-MM-DD"},
		{"no time in the period", tt.Alice, tt.Acme, fmt.Sprintf(`{"client":%q,"period_start":"2026-12-01","period_end":"2026-12-31"}`, tt.Cli), 400, "No billable time"},
		{"a user", tt.Carol, tt.Acme, fmt.Sprintf(`{"client":%q,%s}`, tt.Cli, hookstest.MoneyWeek), 403, "Create Client Invoices"},
		{"a manager without the toggle", tt.Bob, tt.Acme, fmt.Sprintf(`{"client":%q,%s}`, tt.Cli, hookstest.MoneyWeek), 403, ""},
		{"a non-member", tt.Dave, tt.Acme, fmt.Sprintf(`{"client":%q,%s}`, tt.Cli, hookstest.MoneyWeek), 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, call := moneyApp(t)
			status, body := call(tc.user, "POST", hookstest.OrgURL(api.ClientInvoicesRoute, tc.org), tc.body)
			if status != tc.status || !strings.Contains(body, tc.content) {
				t.Fatalf("got %d %s, want %d with %q", status, body, tc.status, tc.content)
			}
			if n, _ := app.CountRecords(schema.ClientInvoices, dbx.HashExp{"org": tt.Acme}); n != 3 {
				t.Errorf("%d Acme invoices after a refusal, want the 3 seeded", n)
			}
		})
	}
}

// TestClientInvoiceSend: the client gets an e-mail and the invoice is sent.
func TestClientInvoiceSend(t *testing.T) {
	t.Run("sent", func(t *testing.T) {
		app, call := moneyApp(t)
		status, body := call(tt.Alice, "POST", hookstest.IdURL(api.ClientInvoiceSendRoute, tt.CInvA), `{}`)
		if status != 200 || !strings.Contains(body, `"status":"sent"`) {
			t.Fatalf("got %d %s", status, body)
		}
		msgs := app.TestMailer.Messages()
		if len(msgs) != 1 || msgs[0].To[0].Address != "billing-"+tt.Cli+"@example.test" ||
			!strings.Contains(msgs[0].Subject, "Invoice 1 from Acme") || !strings.Contains(msgs[0].Text, "Due: 100.00 USD") {
			t.Fatalf("mail: %+v", msgs)
		}
	})
	for _, tc := range []struct {
		name, user string
		noEmail    bool
		status     int
	}{
		{"a client without an e-mail", tt.Alice, true, 400},
		{"a manager without the toggle", tt.Bob, false, 404},
		{"someone who can't see it", tt.Carol, false, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, call := moneyApp(t)
			if tc.noEmail {
				setRecord(t, app, schema.Clients, tt.Cli, map[string]any{"email": ""})
			}
			if status, body := call(tc.user, "POST", hookstest.IdURL(api.ClientInvoiceSendRoute, tt.CInvA), `{}`); status != tc.status {
				t.Fatalf("got %d %s, want %d", status, body, tc.status)
			}
			r, _ := app.FindRecordById(schema.ClientInvoices, tt.CInvA)
			if r.GetString("status") != "open" || app.TestMailer.TotalSend() != 0 {
				t.Errorf("refused send changed %s or mailed", r.GetString("status"))
			}
		})
	}
}

// TestInvoicePayments: partial payments add up, the invoice is paid at its
// total, and an overpayment or a bad amount is refused.
func TestInvoicePayments(t *testing.T) {
	for _, tc := range []struct {
		name, user, route, collection, id string
		toggles                           bool
		payments                          []string // bodies, in order
		statuses                          []int
		paid                              int
		state                             string
	}{
		{"partial then full", tt.Alice, api.ClientInvoicePaymentsRoute, schema.ClientInvoices, tt.CInvA, false,
			[]string{`{"amount_cents":4000,"paid_at":"2026-11-10"}`, `{"amount_cents":6000}`}, []int{200, 200}, 10000, "paid"},
		{"overpayment", tt.Alice, api.ClientInvoicePaymentsRoute, schema.ClientInvoices, tt.CInvA, false,
			[]string{`{"amount_cents":9000}`, `{"amount_cents":1001}`}, []int{200, 400}, 9000, "open"},
		{"nothing or less", tt.Alice, api.ClientInvoicePaymentsRoute, schema.ClientInvoices, tt.CInvA, false,
			[]string{`{"amount_cents":0}`, `{"amount_cents":-5}`, `{"amount_cents":1.5}`, `{"amount_cents":5,"paid_at":"soon"}`}, []int{400, 400, 400, 400}, 0, "open"},
		{"only owners mark client payments", tt.Bob, api.ClientInvoicePaymentsRoute, schema.ClientInvoices, tt.CInvA, false,
			[]string{`{"amount_cents":100}`}, []int{404}, 0, "open"},
		{"a manager who sees it still can't", tt.Bob, api.ClientInvoicePaymentsRoute, schema.ClientInvoices, tt.CInvA, true,
			[]string{`{"amount_cents":100}`}, []int{403}, 0, "open"},
		{"a member confirms their own", tt.Carol, api.TeamInvoicePaymentsRoute, schema.TeamInvoices, tt.TeamInvoiceID(tt.Carol), false,
			[]string{`{"amount_cents":10000}`}, []int{200}, 10000, "paid"},
		{"not someone else's", tt.Carol, api.TeamInvoicePaymentsRoute, schema.TeamInvoices, tt.TeamInvoiceID(tt.Walt), false,
			[]string{`{"amount_cents":100}`}, []int{404}, 0, "open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, call := moneyApp(t)
			hookstest.SetToggles(t, app, tc.toggles)
			for i, b := range tc.payments {
				if status, body := call(tc.user, "POST", hookstest.IdURL(tc.route, tc.id), b); status != tc.statuses[i] {
					t.Fatalf("payment %d: got %d %s, want %d", i, status, body, tc.statuses[i])
				}
			}
			r, _ := app.FindRecordById(tc.collection, tc.id)
			if r.GetInt("paid_cents") != tc.paid || r.GetString("status") != tc.state {
				t.Errorf("paid %d %s, want %d %s", r.GetInt("paid_cents"), r.GetString("status"), tc.paid, tc.state)
			}
		})
	}
}

// TestTeamInvoices: a member invoices their own time at their pay rate; the
// owner for anyone; nobody else for someone else.
func TestTeamInvoices(t *testing.T) {
	for _, tc := range []struct {
		name, user, body string
		status           int
		owner            string
		amount           int64
	}{
		{"own time", tt.Carol, `{` + hookstest.MoneyWeek + `}`, 200, tt.Carol, 333},
		{"two projects", tt.Walt, `{` + hookstest.MoneyWeek + `}`, 200, tt.Walt, 666},
		{"the owner for a member", tt.Alice, fmt.Sprintf(`{"user":%q,%s}`, tt.Walt, hookstest.MoneyWeek), 200, tt.Walt, 666},
		{"not for someone else", tt.Carol, fmt.Sprintf(`{"user":%q,%s}`, tt.Walt, hookstest.MoneyWeek), 403, tt.Walt, 0},
		{"no time", tt.Nia, `{` + hookstest.MoneyWeek + `}`, 400, tt.Nia, 0},
		{"not a member", tt.Alice, fmt.Sprintf(`{"user":%q,%s}`, tt.Dave, hookstest.MoneyWeek), 400, tt.Dave, 0},
		{"bad period", tt.Carol, `{"period_start":"2026-11-02"}`, 400, tt.Carol, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, call := moneyApp(t)
			status, body := call(tc.user, "POST", hookstest.OrgURL(api.TeamInvoicesRoute, tt.Acme), tc.body)
			if status != tc.status {
				t.Fatalf("got %d %s, want %d", status, body, tc.status)
			}
			n, _ := app.CountRecords(schema.TeamInvoices, dbx.HashExp{"user": tc.owner})
			if tc.status != 200 {
				if n > 1 {
					t.Errorf("a refused invoice was saved")
				}
				return
			}
			_, lines := invoiceOf(t, body)
			var total int64
			for _, l := range lines {
				total += l.AmountCents
				if l.User != tc.owner || l.RateCents != tt.MoneyDefaultPay {
					t.Errorf("line %+v", l)
				}
			}
			if total != tc.amount || n != 2 {
				t.Errorf("total %d, want %d; %d invoices of %s", total, tc.amount, n, tc.owner)
			}
		})
	}
}

// TestRatesVisibility: members see their own rates only; rates stay in
// their organization.
func TestRatesVisibility(t *testing.T) {
	app, call := moneyApp(t)
	_, body := call(tt.Carol, "GET", hookstest.RecordsURL(schema.Rates), "")
	if !strings.Contains(body, tt.RateID(tt.Carol)) || strings.Contains(body, tt.RateID(tt.Walt)) || !strings.Contains(body, `"totalItems":1`) {
		t.Errorf("Carol's rates: %s", body)
	}
	_, body = call(tt.Alice, "GET", hookstest.RecordsURL(schema.Rates), "")
	if !strings.Contains(body, `"totalItems":7`) {
		t.Errorf("Alice's rates: %s", body)
	}
	for _, tc := range []struct{ name, body string }{
		{"another organization's project", fmt.Sprintf(`{"org":%q,"user":%q,"project":%q,"pay_rate_cents":1}`, tt.Acme, tt.Zoe, tt.ProjG)},
		{"someone outside the organization", fmt.Sprintf(`{"org":%q,"user":%q,"pay_rate_cents":1}`, tt.Acme, tt.Erin)},
		{"a negative rate", fmt.Sprintf(`{"org":%q,"user":%q,"pay_rate_cents":-1}`, tt.Acme, tt.Zoe)},
		{"a fraction of a cent", fmt.Sprintf(`{"org":%q,"user":%q,"pay_rate_cents":1.5}`, tt.Acme, tt.Zoe)},
		{"not a currency", fmt.Sprintf(`{"org":%q,"user":%q,"pay_rate_cents":1,"currency":"dollars"}`, tt.Acme, tt.Zoe)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := call(tt.Alice, "POST", hookstest.RecordsURL(schema.Rates), tc.body); status != 400 {
				t.Errorf("got %d %s, want 400", status, body)
			}
		})
	}
	if n, _ := app.CountRecords(schema.Rates, dbx.HashExp{"user": tt.Zoe}); n != 0 {
		t.Errorf("a refused rate was saved")
	}
}

// TestInvoiceClients: the clients an invoice may name, for whoever may
// invoice or read invoices, team leads included; nobody else.
func TestInvoiceClients(t *testing.T) {
	for _, tc := range []struct {
		name, user string
		toggles    bool
		status     int
	}{
		{"the owner", tt.Alice, false, 200},
		{"a team lead with the toggle", tt.Tess, true, 200},
		{"a team lead without it", tt.Tess, false, 403},
		{"a user", tt.Carol, false, 403},
		{"a non-member", tt.Dave, false, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, call := moneyApp(t)
			hookstest.SetToggles(t, app, tc.toggles)
			status, body := call(tc.user, "GET", hookstest.OrgURL(api.InvoiceClientsRoute, tt.Acme), "")
			if status != tc.status {
				t.Fatalf("got %d %s, want %d", status, body, tc.status)
			}
			if status == 200 && (!strings.Contains(body, `"id":"`+tt.Cli+`"`) || !strings.Contains(body, `"has_email":true`) || strings.Contains(body, tt.CliG)) {
				t.Errorf("clients: %s", body)
			}
		})
	}
}

// TestInvoicesOutliveTheirClient: removing a client keeps its invoices,
// made out to the name they had; they can no longer be sent.
func TestInvoicesOutliveTheirClient(t *testing.T) {
	app, call := moneyApp(t)
	if status, body := call(tt.Alice, "DELETE", hookstest.RecordsURL(schema.Clients)+"/"+tt.Cli, ""); status != 204 {
		t.Fatalf("remove the client: %d %s", status, body)
	}
	r, err := app.FindRecordById(schema.ClientInvoices, tt.CInvA)
	if err != nil || r.GetString("client") != "" || r.GetString("client_name") != "Client" {
		t.Fatalf("invoice after its client went: %v %v", r, err)
	}
	if status, body := call(tt.Alice, "POST", hookstest.IdURL(api.ClientInvoiceSendRoute, tt.CInvA), `{}`); status != 400 || !strings.Contains(body, "was removed") {
		t.Errorf("sending it: %d %s", status, body)
	}
}
