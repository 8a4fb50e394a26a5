package timeoff_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// client sends several requests to one app as seeded users.
type client struct {
	t   testing.TB
	app core.App
	fx  *tt.Fixture
	h   func(method, url, body, token string) (int, string)
}

func newClient(t testing.TB) *client {
	fx, factory := hookstest.Seeded(t)
	app := factory(t)
	t.Cleanup(app.Cleanup)
	h := tt.Handler(t, app)
	return &client{t: t, app: app, fx: fx, h: func(method, url, body, token string) (int, string) {
		status, _, out := tt.Send(h, tt.JSONRequest(method, url, body, token))
		return status, out
	}}
}

func (c *client) do(user, method, url, body string) (int, string) {
	return c.h(method, url, body, c.fx.Token(c.t, user))
}

func (c *client) balance(as, user, policy string) api.Balance {
	c.t.Helper()
	status, body := c.do(as, "GET", hookstest.OrgURL(api.TimeOffBalancesRoute, tt.Acme)+"?user="+user, "")
	if status != 200 {
		c.t.Fatalf("balances of %s: %d %s", user, status, body)
	}
	var bs api.Balances
	if err := json.Unmarshal([]byte(body), &bs); err != nil {
		c.t.Fatal(err)
	}
	for _, b := range bs.Balances {
		if b.Policy == policy {
			return b
		}
	}
	c.t.Fatalf("no balance on %s in %s", policy, body)
	return api.Balance{}
}

func requestBody(user, policy, start, end string, hours float64) string {
	return fmt.Sprintf(`{"user":%q,"policy":%q,"start":%q,"end":%q,"hours":%v,"reason":"trip"}`, user, policy, start, end, hours)
}

// TestTimeOffRequestRefusals: each bad request answers 400 and files nothing.
func TestTimeOffRequestRefusals(t *testing.T) {
	c := newClient(t)
	s := &tt.Seeder{App: c.app}
	s.Create(schema.TimeOffPolicies, "tofwaltonly0001", map[string]any{
		"org": tt.Acme, "name": "Walt's", "accrual": "none", "members": []string{tt.Walt},
	})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	// Carol: 40 hours granted, 8 pending on 2026-12-01, so 32 available.
	cases := []struct {
		name, body, want string
	}{
		{"more than available", requestBody("", tt.PolA, "2026-12-07", "2026-12-11", 33), "exceed the balance"},
		{"overlaps a pending request", requestBody("", tt.PolA, "2026-11-30", "2026-12-01", 8), "overlaps"},
		{"ends before it starts", requestBody("", tt.PolA, "2026-12-09", "2026-12-08", 8), "end before it starts"},
		{"no hours", requestBody("", tt.PolA, "2026-12-08", "2026-12-08", 0), "more than 0"},
		{"more hours than the days hold", requestBody("", tt.PolA, "2026-12-08", "2026-12-08", 25), "at most 24 hours"},
		{"not a day", requestBody("", tt.PolA, "8/12/2026", "2026-12-08", 8), "YYYY-MM-DD"},
		{"another organization's policy", requestBody("", tt.PolG, "2026-12-08", "2026-12-08", 8), "organization's time off policies"},
		{"a policy that doesn't cover the member", requestBody("", "tofwaltonly0001", "2026-12-08", "2026-12-08", 8), "doesn't apply"},
		{"not JSON", `{`, "Send policy"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := c.do(tt.Carol, "POST", hookstest.OrgURL(api.TimeOffRequestsRoute, tt.Acme), tc.body)
			if status != 400 || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d %s, want 400 saying %q", status, body, tc.want)
			}
			if n := hookstest.Count(t, c.app, schema.TimeOffRequests, "user = {:u}", map[string]any{"u": tt.Carol}); n != 1 {
				t.Fatalf("%d requests of Carol, want the seeded one only", n)
			}
		})
	}
	// Exactly what is available is accepted, over two days.
	status, body := c.do(tt.Carol, "POST", hookstest.OrgURL(api.TimeOffRequestsRoute, tt.Acme), requestBody("", tt.PolA, "2026-12-07", "2026-12-08", 32))
	if status != 201 || !strings.Contains(body, `"status":"pending"`) || !strings.Contains(body, `"start":"2026-12-07 00:00:00.000Z"`) {
		t.Fatalf("request of the whole balance: %d %s", status, body)
	}
	if b := c.balance(tt.Carol, tt.Carol, tt.PolA); b.Balance != 40 || b.Pending != 40 || b.Available != 0 {
		t.Fatalf("balance after two pending requests: %+v", b)
	}
}

// TestTimeOffDecisions: approving lowers the balance; nobody but an owner
// decides their own request; the requester cancels a pending one; decided
// requests stay decided; approval re-checks the balance.
func TestTimeOffDecisions(t *testing.T) {
	c := newClient(t)
	post := func(as, route, id string) (int, string) {
		return c.do(as, "POST", strings.Replace(route, "{id}", id, 1), `{"note":"ok"}`)
	}
	carol := tt.TimeOffRequestID(tt.Carol, tt.PolA)
	steps := []struct {
		name, as, route, id string
		status              int
		want                string
	}{
		{"a member can't approve their own", tt.Carol, api.ApproveTimeOffRoute, carol, 403, ""},
		{"nor someone else's they can't see", tt.Walt, api.ApproveTimeOffRoute, carol, 404, ""},
		{"a manager can't approve their own", tt.Bob, api.ApproveTimeOffRoute, tt.TimeOffRequestID(tt.Bob, tt.PolA), 403, "Someone else"},
		{"an owner approves their own", tt.Alice, api.ApproveTimeOffRoute, tt.TimeOffRequestID(tt.Alice, tt.PolA), 200, `"status":"approved"`},
		{"a manager approves a member's", tt.Bob, api.ApproveTimeOffRoute, carol, 200, `"decided_by":"` + tt.Bob + `"`},
		{"approved stays approved", tt.Bob, api.DenyTimeOffRoute, carol, 400, "already approved"},
		{"the member can't cancel it now", tt.Carol, api.CancelTimeOffRoute, carol, 400, "already approved"},
		{"a manager denies", tt.Alice, api.DenyTimeOffRoute, tt.TimeOffRequestID(tt.Bob, tt.PolA), 200, `"status":"denied"`},
		{"the member cancels a pending one", tt.Walt, api.CancelTimeOffRoute, tt.TimeOffRequestID(tt.Walt, tt.PolA), 200, `"status":"cancelled"`},
		{"another member can't cancel it", tt.Carol, api.CancelTimeOffRoute, tt.TimeOffRequestID(tt.Nia, tt.PolA), 404, ""},
		{"an approver who didn't file it can't cancel it", tt.Bob, api.CancelTimeOffRoute, tt.TimeOffRequestID(tt.Nia, tt.PolA), 403, ""},
		{"no such request", tt.Bob, api.ApproveTimeOffRoute, "nosuchrequest00", 404, ""},
	}
	for _, st := range steps {
		status, body := post(st.as, st.route, st.id)
		if status != st.status || !strings.Contains(body, st.want) {
			t.Fatalf("%s: %d %s, want %d with %q", st.name, status, body, st.status, st.want)
		}
	}
	if b := c.balance(tt.Carol, tt.Carol, tt.PolA); b.Used != 8 || b.Balance != 32 || b.Pending != 0 {
		t.Errorf("Carol's balance after approval: %+v", b)
	}
	if b := c.balance(tt.Walt, tt.Walt, tt.PolA); b.Balance != 40 || b.Pending != 0 || b.Available != 40 {
		t.Errorf("a cancelled request must count for nothing: %+v", b)
	}
	// Nia's grant is cut below her pending request: approving it is refused.
	if status, body := c.do(tt.Bob, "PATCH", hookstest.RecordsURL(schema.TimeOffBalances)+"/"+tt.BalanceID(tt.Nia, tt.PolA), `{"adjustment_hours":4}`); status != 200 {
		t.Fatalf("edit Nia's balance: %d %s", status, body)
	}
	if status, body := post(tt.Bob, api.ApproveTimeOffRoute, tt.TimeOffRequestID(tt.Nia, tt.PolA)); status != 400 || !strings.Contains(body, "exceed the balance") {
		t.Fatalf("approval beyond the balance: %d %s", status, body)
	}
	// Every decision is audited.
	if n := hookstest.Count(t, c.app, schema.AuditLog, "action LIKE '%time_off'", nil); n != 4 {
		t.Errorf("%d audit entries of time off decisions, want 4", n)
	}
}

// TestTimeOffAccrual: a per-hour-worked policy earns from the time tracked
// since it starts, a yearly one by the day; balances of others are shown
// only to those who edit or approve them.
func TestTimeOffAccrual(t *testing.T) {
	c := newClient(t)
	s := &tt.Seeder{App: c.app}
	// Walt tracked two 10-minute slots on 2 November 2026.
	s.Create(schema.TimeOffPolicies, "tofperhour00001", map[string]any{
		"org": tt.Acme, "name": "Earned", "accrual": "per_hour_worked", "accrual_rate": 1.5, "all_members": true,
		"starts_on": "2026-11-01 00:00:00.000Z",
	})
	s.Create(schema.TimeOffPolicies, "toflater0000001", map[string]any{
		"org": tt.Acme, "name": "Earned later", "accrual": "per_hour_worked", "accrual_rate": 1.5, "all_members": true,
		"starts_on": "2026-11-03 00:00:00.000Z",
	})
	s.Create(schema.TimeOffPolicies, "tofyearly000001", map[string]any{
		"org": tt.Acme, "name": "Yearly", "accrual": "yearly", "accrual_rate": 365, "all_members": true,
		"starts_on": "2020-01-01 00:00:00.000Z", "max_balance_hours": 100,
	})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if b := c.balance(tt.Walt, tt.Walt, "tofperhour00001"); b.Accrued != 0.5 || b.Balance != 0.5 {
		t.Errorf("1.5 h per hour over 20 minutes worked: %+v", b)
	}
	if b := c.balance(tt.Walt, tt.Walt, "toflater0000001"); b.Accrued != 0 {
		t.Errorf("time before the policy starts earns nothing: %+v", b)
	}
	if b := c.balance(tt.Walt, tt.Walt, "tofyearly000001"); !b.Capped || b.Balance != 100 {
		t.Errorf("years of accrual are capped at 100: %+v", b)
	}
	for _, tc := range []struct {
		as     string
		status int
	}{{tt.Walt, 200}, {tt.Alice, 200}, {tt.Bob, 200}, {tt.Carol, 403}, {tt.Tess, 403}, {tt.Dave, 404}} {
		if status, body := c.do(tc.as, "GET", hookstest.OrgURL(api.TimeOffBalancesRoute, tt.Acme)+"?user="+tt.Walt, ""); status != tc.status {
			t.Errorf("%s reads Walt's balances: %d %s, want %d", tc.as, status, body, tc.status)
		}
	}
	if status, _ := c.do(tt.Alice, "GET", hookstest.OrgURL(api.TimeOffBalancesRoute, tt.Acme)+"?user="+tt.Dave, ""); status != 400 {
		t.Errorf("balances of a non-member: %d, want 400", status)
	}
}

// TestTimeOffRecordChecks: holidays must be named days; a balance can't be
// moved to someone else; an accruing policy needs a rate.
func TestTimeOffRecordChecks(t *testing.T) {
	c := newClient(t)
	cases := []struct {
		name, method, url, body, want string
	}{
		{"holiday that isn't a day", "POST", hookstest.RecordsURL(schema.HolidayPolicies), `{"org":"` + tt.Acme + `","name":"X","holidays":[{"date":"someday","name":"X"}]}`, "holidays"},
		{"accrual without a rate", "POST", hookstest.RecordsURL(schema.TimeOffPolicies), `{"org":"` + tt.Acme + `","name":"X","accrual":"yearly"}`, "accrual_rate"},
		{"a balance moved to someone else", "PATCH", hookstest.RecordsURL(schema.TimeOffBalances) + "/" + tt.BalanceID(tt.Walt, tt.PolA), `{"user":"` + tt.Nia + `"}`, "user"},
		{"a balance on another organization's policy", "POST", hookstest.RecordsURL(schema.TimeOffBalances), `{"org":"` + tt.Acme + `","user":"` + tt.Zoe + `","policy":"` + tt.PolG + `","adjustment_hours":1}`, "policy"},
		{"requests are filed through the route", "POST", hookstest.RecordsURL(schema.TimeOffRequests), `{"org":"` + tt.Acme + `","user":"` + tt.Alice + `","policy":"` + tt.PolA + `","start":"2026-12-20","end":"2026-12-20","hours":1,"status":"approved"}`, "superusers"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := c.do(tt.Alice, tc.method, tc.url, tc.body)
			if status < 400 || status >= 500 || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d %s, want a 4xx about %q", status, body, tc.want)
			}
		})
	}
	if n, _ := c.app.CountRecords(schema.TimeOffRequests, dbx.HashExp{"status": "approved"}); n != 0 {
		t.Fatalf("an approved request was written around the route")
	}
}
