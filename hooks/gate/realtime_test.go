package gate_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/migrations/schema"
)

// PocketBase's realtime broadcast checks only the (organization-wide) list
// rule for a collection subscription, then runs the enrich hooks and drops
// the message if they fail. Tock's enrich hook applies the matrix, so a
// colleague's screenshot never reaches a subscriber who may not view it.
func TestRealtimeMessagesFollowTheMatrix(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	defer app.Cleanup()
	cases := []struct {
		subscriber, owner string
		delivered         bool
	}{
		{tt.Carol, tt.Carol, true},
		{tt.Carol, tt.Walt, false},
		{tt.Pam, tt.Walt, true},  // manager of project A
		{tt.Bob, tt.Walt, false}, // screenshots not enabled for managers
		{tt.Alice, tt.Walt, true},
	}
	for _, tc := range cases {
		auth, err := app.FindRecordById(schema.Users, tc.subscriber)
		if err != nil {
			t.Fatal(err)
		}
		shot, err := app.FindRecordById(schema.Screenshots, tt.DataID("shot", tc.owner, tt.ProjA))
		if err != nil {
			t.Fatal(err)
		}
		event := &core.RecordEnrichEvent{App: app, RequestInfo: &core.RequestInfo{
			Context: core.RequestInfoContextRealtime, Method: "GET", Auth: auth,
		}}
		event.Record = shot
		err = app.OnRecordEnrich().Trigger(event, func(e *core.RecordEnrichEvent) error { return nil })
		if delivered := err == nil; delivered != tc.delivered {
			t.Errorf("%s subscribed, %s's screenshot: delivered %v, want %v (%v)", tc.subscriber, tc.owner, delivered, tc.delivered, err)
		}
	}
}

// sseClient is a real realtime (Server-Sent Events) connection to a running
// server, as the PocketBase JS SDK opens one.
type sseClient struct {
	base, token, id string
	events          chan string // names of the events received
}

// connectRealtime opens a realtime connection and waits for PB_CONNECT.
func connectRealtime(t *testing.T, base, token string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/realtime", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("realtime connect: %v", err)
	}
	c := &sseClient{base: base, token: token, events: make(chan string, 64)}
	connected := make(chan string, 1)
	go func() {
		defer res.Body.Close()
		var name, data string
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				data = strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			case line == "" && name == "PB_CONNECT":
				var msg struct{ ClientID string }
				json.Unmarshal([]byte(data), &msg)
				connected <- msg.ClientID
				name = ""
			case line == "" && name != "":
				c.events <- name + " " + data
				name = ""
			}
		}
	}()
	select {
	case c.id = <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("no PB_CONNECT within 10s")
	}
	return c
}

// subscribe replaces the connection's subscriptions and returns the status
// and body of the answer.
func (c *sseClient) subscribe(t *testing.T, topics ...string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"clientId": c.id, "subscriptions": topics})
	req, err := http.NewRequest(http.MethodPost, c.base+"/api/realtime", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// collect returns the events received until every one of want has arrived,
// and for a short while after: PocketBase sends each subscription's event
// on its own goroutine, so the order between them isn't fixed.
func (c *sseClient) collect(t *testing.T, want ...string) map[string]string {
	t.Helper()
	got := map[string]string{}
	missing := func() []string {
		var out []string
		for _, w := range want {
			if _, ok := got[w]; !ok {
				out = append(out, w)
			}
		}
		return out
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-c.events:
			name, data, _ := strings.Cut(ev, " ")
			got[name] = data
			if want != nil && len(missing()) == 0 {
				deadline = time.After(500 * time.Millisecond)
				want = nil // all seen: wait only for stragglers
			}
		case <-deadline:
			if m := missing(); len(m) > 0 {
				t.Fatalf("events %q never arrived; got %v", m, got)
			}
			return got
		}
	}
}

// withFilter is a topic whose subscription options carry a list filter.
func withFilter(topic, filter string) string {
	opts, _ := json.Marshal(map[string]any{"query": map[string]string{"filter": filter}})
	return topic + "?options=" + url.QueryEscape(string(opts))
}

// realtimeServer serves a fresh copy of the matrix world over real HTTP.
func realtimeServer(t *testing.T) (core.App, *httptest.Server, *tt.Fixture) {
	t.Helper()
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app, srv := tt.Loopback(t, fx)
	return app, srv, fx
}

// oraclePair is two subscriptions that differ only in a value the
// subscriber may not see, and what makes their record change.
type oraclePair struct {
	name       string
	subscriber string
	topic      string // the record's own topic is the sentinel
	record     string
	filters    [2]string
}

// TestRealtimeFiltersAreNoOracle: a subscription's filter may not test what
// the subscriber may not read. Each pair of subscriptions differs only in a
// hidden value; they must behave alike: both refused, or both given (or
// both denied) the event that a change of the subscribed record sends.
func TestRealtimeFiltersAreNoOracle(t *testing.T) {
	app, srv, fx := realtimeServer(t)
	plantHiddenValues(t, app)
	carol := tt.MembershipID(tt.Carol)
	pairs := []oraclePair{
		{"a colleague's pay rate", tt.Carol, schema.Memberships, carol, [2]string{
			fmt.Sprintf(`org.rates_via_org.user ?= %q && org.rates_via_org.pay_rate_cents ?= 1000`, tt.Walt),
			fmt.Sprintf(`org.rates_via_org.user ?= %q && org.rates_via_org.pay_rate_cents ?= 1001`, tt.Walt)}},
		{"payroll amounts", tt.Carol, schema.Memberships, carol, [2]string{
			fmt.Sprintf(`org.payments_via_org.amount_cents ?= %d`, tt.MoneyDefaultPay),
			fmt.Sprintf(`org.payments_via_org.amount_cents ?= %d`, tt.MoneyDefaultPay+1)}},
		{"visited URLs", tt.Carol, schema.Memberships, carol, [2]string{
			`org.app_usage_via_org.url ?~ "intranet.example/usrwalt"`,
			`org.app_usage_via_org.url ?~ "intranet.example/nobody"`}},
		{"others' project roles", tt.Carol, schema.Memberships, carol, [2]string{
			fmt.Sprintf(`org.project_members_via_org.user ?= %q && org.project_members_via_org.role ?= "manager"`, tt.Pam),
			fmt.Sprintf(`org.project_members_via_org.user ?= %q && org.project_members_via_org.role ?= "viewer"`, tt.Pam)}},
		{"whether a colleague tracked time", tt.Carol, schema.Memberships, carol, [2]string{
			fmt.Sprintf(`org.activities_via_org.user ?= %q`, tt.Walt),
			fmt.Sprintf(`org.activities_via_org.user ?= %q`, tt.Nia)}},
		{"whether a colleague has screenshots", tt.Carol, schema.Memberships, carol, [2]string{
			fmt.Sprintf(`org.screenshots_via_org.user ?= %q`, tt.Walt),
			fmt.Sprintf(`org.screenshots_via_org.user ?= %q`, tt.Nia)}},
		{"whether the audit log has entries", tt.Carol, schema.Memberships, carol, [2]string{
			`org.audit_log_via_org.action ?= "planted"`,
			`org.audit_log_via_org.action ?= "never-happened"`}},
		{"pending invitees' e-mails", tt.Carol, schema.Memberships, carol, [2]string{
			`org.invites_via_org.email ?= "newcomer@example.test"`,
			`org.invites_via_org.email ?= "stranger@example.test"`}},
		{"through @collection", tt.Carol, schema.Memberships, carol, [2]string{
			fmt.Sprintf(`@collection.rates.user ?= %q && @collection.rates.pay_rate_cents ?= 1000`, tt.Walt),
			fmt.Sprintf(`@collection.rates.user ?= %q && @collection.rates.pay_rate_cents ?= 1001`, tt.Walt)}},
		{"one's own user record, through memberships", tt.Carol, schema.Users, tt.Carol, [2]string{
			`memberships_via_user.org.rates_via_org.pay_rate_cents ?= 1000`,
			`memberships_via_user.org.rates_via_org.pay_rate_cents ?= 1001`}},
		{"a project's hidden budget", tt.Carol, schema.Projects, tt.ProjA, [2]string{`budget = 100`, `budget = 101`}},
		{"a hidden budget through a relation", tt.Carol, schema.Tasks, tt.TaskA, [2]string{`project.budget = 100`, `project.budget = 101`}},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			token := fx.Token(t, p.subscriber)
			var status [2]int
			for i, f := range p.filters {
				status[i], _ = connectRealtime(t, srv.URL, token).subscribe(t, withFilter(p.topic+"/*", f))
			}
			if status[0] != status[1] {
				t.Fatalf("subscriptions answered %d and %d", status[0], status[1])
			}
			if status[0] != http.StatusNoContent {
				return // both refused
			}
			c := connectRealtime(t, srv.URL, token)
			sentinel := p.topic + "/" + p.record
			a, b := withFilter(p.topic+"/*", p.filters[0]), withFilter(p.topic+"/*", p.filters[1])
			if st, body := c.subscribe(t, sentinel, a, b); st != http.StatusNoContent {
				t.Fatalf("subscribe: %d %s", st, body)
			}
			touch(t, app, p.topic, p.record)
			got := c.collect(t, sentinel)
			_, gotA := got[a]
			_, gotB := got[b]
			if gotA != gotB {
				t.Errorf("the event arrived for one subscription only (%v, %v): the filter is an oracle", gotA, gotB)
			}
		})
	}
}

// plantHiddenValues makes the hidden values the pairs probe: Walt's pay rate and an
// audit entry.
func plantHiddenValues(t *testing.T, app core.App) {
	t.Helper()
	rate, err := app.FindRecordById(schema.Rates, tt.RateID(tt.Walt))
	if err != nil {
		t.Fatal(err)
	}
	rate.Set("pay_rate_cents", 1000)
	if err := app.Save(rate); err != nil {
		t.Fatal(err)
	}
	c, err := app.FindCollectionByNameOrId(schema.AuditLog)
	if err != nil {
		t.Fatal(err)
	}
	entry := core.NewRecord(c)
	entry.Load(map[string]any{"org": tt.Acme, "action": "planted", "target_collection": "x", "target_id": "x"})
	if err := app.Save(entry); err != nil {
		t.Fatal(err)
	}
}

// touch saves a record again with its updated time moved, which sends its
// realtime update event.
func touch(t *testing.T, app core.App, collection, id string) {
	t.Helper()
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	r.Set("updated", types.NowDateTime())
	if err := app.SaveNoValidate(r); err != nil {
		t.Fatalf("touch %s/%s: %v", collection, id, err)
	}
}

// TestRealtimeFiltersAllowedStillWork: the restrictions take nothing from
// those who may read the value: the owner's budget filter selects.
func TestRealtimeFiltersAllowedStillWork(t *testing.T) {
	app, srv, fx := realtimeServer(t)
	c := connectRealtime(t, srv.URL, fx.Token(t, tt.Alice))
	sentinel := schema.Projects + "/" + tt.ProjA
	match, miss := withFilter(schema.Projects+"/*", "budget = 100"), withFilter(schema.Projects+"/*", "budget = 101")
	if st, body := c.subscribe(t, sentinel, match, miss); st != http.StatusNoContent {
		t.Fatalf("subscribe: %d %s", st, body)
	}
	touch(t, app, schema.Projects, tt.ProjA)
	got := c.collect(t, sentinel, match)
	if _, ok := got[miss]; ok {
		t.Errorf("the owner's non-matching budget filter got the event")
	}
	if !strings.Contains(got[sentinel], `"budget":100`) {
		t.Errorf("the owner's event lacks the budget: %s", got[sentinel])
	}
}

// TestRealtimeFieldsAndExpandHideWhatListsHide: a subscription's fields and
// expand options show no more than a list: Carol's event on project A has
// no budget even when she picks it, and expanding a back-relation brings no
// one else's membership.
func TestRealtimeFieldsAndExpandHideWhatListsHide(t *testing.T) {
	app, srv, fx := realtimeServer(t)
	c := connectRealtime(t, srv.URL, fx.Token(t, tt.Carol))
	opts := func(q map[string]string) string {
		b, _ := json.Marshal(map[string]any{"query": q})
		return "?options=" + url.QueryEscape(string(b))
	}
	project := schema.Projects + "/" + tt.ProjA + opts(map[string]string{"fields": "id,budget,budget_type,name"})
	member := schema.Memberships + "/" + tt.MembershipID(tt.Carol) + opts(map[string]string{"expand": "org.memberships_via_org,user"})
	if st, body := c.subscribe(t, project, member); st != http.StatusNoContent {
		t.Fatalf("subscribe: %d %s", st, body)
	}
	touch(t, app, schema.Projects, tt.ProjA)
	got := c.collect(t, project)
	if !strings.Contains(got[project], tt.ProjA) || strings.Contains(got[project], "budget") {
		t.Errorf("Carol's picked fields of project A: %s", got[project])
	}
	touch(t, app, schema.Memberships, tt.MembershipID(tt.Carol))
	got = c.collect(t, member)
	if !strings.Contains(got[member], tt.MembershipID(tt.Carol)) || strings.Contains(got[member], tt.MembershipID(tt.Walt)) {
		t.Errorf("Carol's expanded membership: %s", got[member])
	}
}

// TestRealtimeCrossCollectionFiltersRefusedEverywhere: on every collection,
// a filter reaching into another collection is refused (400) whatever the
// value it tests, while a plain filter is accepted.
func TestRealtimeCrossCollectionFiltersRefusedEverywhere(t *testing.T) {
	_, srv, fx := realtimeServer(t)
	c := connectRealtime(t, srv.URL, fx.Token(t, tt.Carol))
	orgPaths := map[string]string{schema.Users: "memberships_via_user.org."}
	for name, a := range migrations.AccessOf() {
		orgPaths[name] = a.OrgField + "."
		if a.OrgField == "id" {
			orgPaths[name] = ""
		}
	}
	for name, path := range orgPaths {
		for _, rate := range []int{1000, 1001} {
			filter := fmt.Sprintf("%srates_via_org.pay_rate_cents ?= %d", path, rate)
			st, body := c.subscribe(t, withFilter(name+"/*", filter))
			if st != http.StatusBadRequest || !strings.Contains(body, name+"/*") {
				t.Errorf("%s with %q: %d %s, want 400 naming the topic", name, filter, st, body)
			}
		}
		if st, body := c.subscribe(t, withFilter(name+"/*", `id != ""`)); st != http.StatusNoContent {
			t.Errorf("%s with a plain filter: %d %s", name, st, body)
		}
	}
}
