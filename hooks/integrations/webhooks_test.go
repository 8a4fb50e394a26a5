package integrations_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks"
	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/integrations"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/webhook"
)

// receiver is a real HTTP server on loopback that records deliveries and
// answers with the next status of its script (the last one repeats).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	script []int
	got    []received
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{script: script}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Clone(), body})
		status := r.script[0]
		if len(r.script) > 1 {
			r.script = r.script[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) deliveries() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// verified reports whether a delivery is signed with secret.
func verified(d received, secret string) bool {
	ts, err := strconv.ParseInt(d.header.Get(webhook.HeaderTimestamp), 10, 64)
	return err == nil && webhook.Verify(secret, ts, d.body, d.header.Get(webhook.HeaderSignature))
}

// webhookApp is a matrix-seeded app whose deliveries may reach loopback and
// whose retry jitter is fixed, with its router.
func webhookApp(t *testing.T) (core.App, *hooks.Server, http.Handler) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	cfg := tt.Config()
	cfg.WebhookClient = webhook.NewClient(true)
	cfg.WebhooksAllowPrivate = true
	cfg.WebhookJitter = func() float64 { return 0.5 }
	app, s := fx.AppWith(t, cfg)
	t.Cleanup(app.Cleanup)
	// The seeded webhook points at a name that doesn't resolve: keep it out.
	seeded, err := app.FindRecordById(schema.Webhooks, tt.WhkA)
	if err != nil {
		t.Fatal(err)
	}
	seeded.Set("active", false)
	if err := app.Save(seeded); err != nil {
		t.Fatal(err)
	}
	return app, s, tt.Handler(t, app)
}

func call(t *testing.T, h http.Handler, fx *tt.Fixture, user, method, url, body string) (int, string) {
	t.Helper()
	status, _, out := tt.Send(h, tt.JSONRequest(method, url, body, fx.Token(t, user)))
	return status, out
}

// addWebhook creates a webhook as Alice and returns its id and secret.
func addWebhook(t *testing.T, h http.Handler, url string, events ...string) (string, string) {
	t.Helper()
	fx, _ := hookstest.MatrixFixture()
	b, _ := json.Marshal(map[string]any{"org": tt.Acme, "name": "Receiver", "url": url, "events": events})
	status, out := call(t, h, fx, tt.Alice, "POST", "/api/collections/webhooks/records", string(b))
	if status != 200 {
		t.Fatalf("create webhook: %d %s", status, out)
	}
	var w struct{ ID, Secret string }
	if err := json.Unmarshal([]byte(out), &w); err != nil || w.Secret == "" {
		t.Fatalf("create answer without the secret: %s", out)
	}
	return w.ID, w.Secret
}

func createProject(t *testing.T, h http.Handler, name string) {
	t.Helper()
	fx, _ := hookstest.MatrixFixture()
	status, out := call(t, h, fx, tt.Alice, "POST", "/api/collections/projects/records", `{"org":"`+tt.Acme+`","name":"`+name+`"}`)
	if status != 200 {
		t.Fatalf("create project: %d %s", status, out)
	}
}

func deliveriesOf(t *testing.T, app core.App, hook string) []*core.Record {
	t.Helper()
	ds, err := app.FindAllRecords(schema.WebhookDeliveries, dbx.HashExp{"webhook": hook})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestWebhookSecretIsShownOnce(t *testing.T) {
	app, _, h := webhookApp(t)
	fx, _ := hookstest.MatrixFixture()
	id, secret := addWebhook(t, h, "https://hooks.example.test/tock", schema.EventProjectCreated)
	r, err := app.FindRecordById(schema.Webhooks, id)
	if err != nil || r.GetString("secret") != secret || !r.GetBool("active") {
		t.Fatalf("stored webhook %v: secret kept %v, active %v", err, r.GetString("secret") == secret, r.GetBool("active"))
	}
	for _, url := range []string{"/api/collections/webhooks/records/" + id, "/api/collections/webhooks/records"} {
		status, out := call(t, h, fx, tt.Alice, "GET", url, "")
		if status != 200 || !strings.Contains(out, id) || strings.Contains(out, secret) || strings.Contains(out, `"secret"`) {
			t.Fatalf("GET %s shows the secret or not the webhook: %d %s", url, status, out)
		}
	}
	status, out := call(t, h, fx, tt.Alice, "PATCH", "/api/collections/webhooks/records/"+id, `{"name":"Renamed","active":false}`)
	if status != 200 || strings.Contains(out, secret) {
		t.Fatalf("update: %d %s", status, out)
	}
	// A chosen secret is ignored (or refused) on update and replaced on create.
	status, out = call(t, h, fx, tt.Alice, "PATCH", "/api/collections/webhooks/records/"+id, `{"secret":"mine"}`)
	if r, _ := app.FindRecordById(schema.Webhooks, id); status >= 500 || r.GetString("secret") != secret {
		t.Fatalf("secret set by PATCH: %d %s", status, out)
	}
	status, out = call(t, h, fx, tt.Alice, "POST", "/api/collections/webhooks/records",
		`{"org":"`+tt.Acme+`","name":"x","url":"https://a.example/","events":["project.created"],"secret":"chosen"}`)
	if status != 200 || strings.Contains(out, `"secret":"chosen"`) {
		t.Fatalf("chosen secret kept: %d %s", status, out)
	}
}

func TestWebhookRefusesBadInput(t *testing.T) {
	app, _, h := webhookApp(t)
	fx, _ := hookstest.MatrixFixture()
	for _, tc := range []struct{ name, body string }{
		{"ftp", `{"url":"ftp://example.com/","events":["project.created"]}`},
		{"javascript", `{"url":"javascript:alert(1)","events":["project.created"]}`},
		{"credentials", `{"url":"https://user:pw@example.com/","events":["project.created"]}`},
		{"no host", `{"url":"https:///x","events":["project.created"]}`},
		{"unknown event", `{"url":"https://example.com/","events":["screenshot.taken"]}`},
		{"no event", `{"url":"https://example.com/","events":[]}`},
		{"no name", `{"url":"https://example.com/","events":["project.created"],"name":""}`},
	} {
		var fields map[string]any
		_ = json.Unmarshal([]byte(tc.body), &fields)
		fields["org"] = tt.Acme
		if _, ok := fields["name"]; !ok {
			fields["name"] = "Bad " + tc.name
		}
		b, _ := json.Marshal(fields)
		status, out := call(t, h, fx, tt.Alice, "POST", "/api/collections/webhooks/records", string(b))
		if status != 400 {
			t.Errorf("%s: %d %s, want 400", tc.name, status, out)
		}
	}
	if n, _ := app.CountRecords(schema.Webhooks, dbx.HashExp{"org": tt.Acme}); n != 1 { // the seed's
		t.Fatalf("%d webhooks after refusals, want the seeded one", n)
	}
}

func TestWebhookDeliveryIsSignedAndRetried(t *testing.T) {
	app, s, h := webhookApp(t)
	rcv := newReceiver(t, 500, 200)
	id, secret := addWebhook(t, h, rcv.srv.URL+"/hook", schema.EventProjectCreated)
	createProject(t, h, "Launch")

	ds := deliveriesOf(t, app, id)
	if len(ds) != 1 || ds[0].GetString("status") != schema.DeliveryPending || ds[0].GetString("event") != schema.EventProjectCreated {
		t.Fatalf("queued deliveries: %v", ds)
	}
	now := time.Now()
	ctx := context.Background()
	if n, err := s.DeliverWebhooks(ctx, app, now); err != nil || n != 1 {
		t.Fatalf("first pass: %d attempts, %v", n, err)
	}
	d, _ := app.FindRecordById(schema.WebhookDeliveries, ds[0].Id)
	wantNext := now.Add(webhook.RetryDelay(1, func() float64 { return 0.5 }))
	if d.GetString("status") != schema.DeliveryPending || d.GetInt("attempts") != 1 || d.GetInt("response_code") != 500 ||
		d.GetDateTime("next_attempt_at").Time().Sub(wantNext).Abs() > time.Millisecond || d.GetString("last_error") == "" {
		t.Fatalf("after a 500: %v", d.FieldsData())
	}
	// Not yet due: nothing is sent.
	if n, _ := s.DeliverWebhooks(ctx, app, wantNext.Add(-time.Second)); n != 0 {
		t.Fatalf("retried %d before its time", n)
	}
	if n, _ := s.DeliverWebhooks(ctx, app, wantNext); n != 1 {
		t.Fatalf("retry not made when due")
	}
	d, _ = app.FindRecordById(schema.WebhookDeliveries, ds[0].Id)
	if d.GetString("status") != schema.DeliveryDelivered || d.GetInt("attempts") != 2 || d.GetInt("response_code") != 200 {
		t.Fatalf("after a 200: %v", d.FieldsData())
	}
	got := rcv.deliveries()
	if len(got) != 2 {
		t.Fatalf("receiver got %d requests", len(got))
	}
	for _, g := range got {
		if !verified(g, secret) || g.header.Get(webhook.HeaderDelivery) != d.Id || g.header.Get(webhook.HeaderEvent) != schema.EventProjectCreated {
			t.Fatalf("delivery not signed or labelled: %v %s", g.header, g.body)
		}
	}
	if string(got[0].body) != string(got[1].body) {
		t.Fatalf("a retry changed the body:\n%s\n%s", got[0].body, got[1].body)
	}
	var body api.WebhookBody
	if err := json.Unmarshal(got[1].body, &body); err != nil || body.ID != d.Id || !strings.Contains(string(body.Data), `"name":"Launch"`) ||
		!strings.Contains(string(body.Org), tt.Acme) {
		t.Fatalf("body %s (%v)", got[1].body, err)
	}
}

func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	app, s, h := webhookApp(t)
	rcv := newReceiver(t, 503)
	id, _ := addWebhook(t, h, rcv.srv.URL, schema.EventProjectCreated)
	createProject(t, h, "Doomed")
	now := time.Now()
	for i := 0; i < webhook.MaxAttempts+2; i++ {
		if _, err := s.DeliverWebhooks(context.Background(), app, now); err != nil {
			t.Fatal(err)
		}
		now = now.Add(webhook.MaxRetryDelay)
	}
	d := deliveriesOf(t, app, id)[0]
	if d.GetString("status") != schema.DeliveryFailed || d.GetInt("attempts") != webhook.MaxAttempts || len(rcv.deliveries()) != webhook.MaxAttempts {
		t.Fatalf("after %d passes: %v, receiver hit %d times", webhook.MaxAttempts+2, d.FieldsData(), len(rcv.deliveries()))
	}
}

func TestRotatedSecretSignsNewDeliveries(t *testing.T) {
	app, s, h := webhookApp(t)
	fx, _ := hookstest.MatrixFixture()
	rcv := newReceiver(t, 200)
	id, old := addWebhook(t, h, rcv.srv.URL, schema.EventProjectCreated)
	route := strings.Replace(api.WebhookRotateRoute, "{id}", id, 1)

	for _, u := range []string{tt.Carol, tt.Dave} {
		if status, out := call(t, h, fx, u, "POST", route, `{}`); status != 404 {
			t.Fatalf("%s rotated: %d %s", u, status, out)
		}
	}
	status, out := call(t, h, fx, tt.Bob, "POST", route, `{}`)
	var ans api.WebhookSecretAnswer
	if status != 200 || json.Unmarshal([]byte(out), &ans) != nil || ans.Secret == "" || ans.Secret == old {
		t.Fatalf("rotate: %d %s", status, out)
	}
	createProject(t, h, "After rotation")
	if _, err := s.DeliverWebhooks(context.Background(), app, time.Now()); err != nil {
		t.Fatal(err)
	}
	got := rcv.deliveries()
	if len(got) != 1 || !verified(got[0], ans.Secret) || verified(got[0], old) {
		t.Fatalf("delivery after rotation not signed with the new secret alone")
	}
	if n, _ := app.CountRecords(schema.AuditLog, dbx.HashExp{"action": "rotate_webhook_secret", "target_id": id}); n != 1 {
		t.Fatalf("rotation not audited")
	}
}

// TestWebhookEvents: each event queues one delivery per subscribed active
// webhook, with ids and names but no e-mail, screenshot, app or URL.
func TestWebhookEvents(t *testing.T) {
	app, _, h := webhookApp(t)
	all, _ := addWebhook(t, h, "https://all.example.test/", schema.WebhookEvents()...)
	onlyProjects, _ := addWebhook(t, h, "https://projects.example.test/", schema.EventProjectCreated)
	off, _ := addWebhook(t, h, "https://off.example.test/", schema.WebhookEvents()...)
	r, _ := app.FindRecordById(schema.Webhooks, off)
	r.Set("active", false)
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}

	s := &tt.Seeder{App: app}
	s.Member("mbrerin00000001", tt.Acme, tt.Erin, "user")
	sheet := s.Create(schema.Timesheets, "tshwebhook00001", map[string]any{
		"org": tt.Acme, "user": tt.Carol, "status": schema.TimesheetSubmitted, "submitted_by": tt.Carol,
		"period_start": "2026-11-02 00:00:00.000Z", "period_end": "2026-11-08 00:00:00.000Z",
	})
	req := s.Create(schema.TimeRequests, "treqwebhook0001", map[string]any{
		"org": tt.Acme, "user": tt.Carol, "project": tt.ProjA, "status": schema.RequestPending,
		"start": time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC), "end": time.Date(2026, 11, 10, 10, 30, 0, 0, time.UTC),
	})
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		r      *core.Record
		status string
	}{{sheet, schema.TimesheetApproved}, {sheet, schema.TimesheetRejected}, {req, schema.RequestApproved}} {
		step.r.Set("status", step.status)
		if err := app.Save(step.r); err != nil {
			t.Fatal(err)
		}
	}
	createProject(t, h, "Evented")
	// Globex's events never reach Acme's webhooks.
	s.Create(schema.Projects, "prjglobexevent1", map[string]any{"org": tt.Globex, "name": "Elsewhere"})

	count := func(hook, event string) int {
		n, _ := app.CountRecords(schema.WebhookDeliveries, dbx.HashExp{"webhook": hook, "event": event})
		return int(n)
	}
	for _, ev := range schema.WebhookEvents() {
		if count(all, ev) != 1 {
			t.Errorf("%s: %d deliveries to the all-events webhook, want 1", ev, count(all, ev))
		}
		want := 0
		if ev == schema.EventProjectCreated {
			want = 1
		}
		if count(onlyProjects, ev) != want || count(off, ev) != 0 {
			t.Errorf("%s: %d to the project webhook (want %d), %d to the inactive one", ev, count(onlyProjects, ev), want, count(off, ev))
		}
	}
	for _, d := range deliveriesOf(t, app, all) {
		raw, _ := json.Marshal(d.Get("payload"))
		for _, leak := range []string{"@", "url", "screenshot", "app_usage"} {
			if strings.Contains(string(raw), leak) {
				t.Errorf("%s payload carries %q: %s", d.GetString("event"), leak, raw)
			}
		}
	}
}

func TestWebhookDeliveryLogIsForIntegrationManagers(t *testing.T) {
	app, _, h := webhookApp(t)
	fx, _ := hookstest.MatrixFixture()
	id, _ := addWebhook(t, h, "https://log.example.test/", schema.EventProjectCreated)
	createProject(t, h, "Logged")
	d := deliveriesOf(t, app, id)[0]
	for _, tc := range []struct {
		user string
		sees bool
	}{{tt.Alice, true}, {tt.Bob, true}, {tt.Carol, false}, {tt.Pam, false}, {tt.Tess, false}, {tt.Dave, false}} {
		status, out := call(t, h, fx, tc.user, "GET", "/api/collections/webhook_deliveries/records?filter="+
			"webhook%3D%22"+id+"%22", "")
		if status != 200 || strings.Contains(out, d.Id) != tc.sees {
			t.Errorf("%s lists the delivery log: %d %s, want seen=%v", tc.user, status, out, tc.sees)
		}
	}
	// Nobody writes deliveries through the API.
	status, _ := call(t, h, fx, tt.Alice, "PATCH", "/api/collections/webhook_deliveries/records/"+d.Id, `{"status":"delivered"}`)
	if r, _ := app.FindRecordById(schema.WebhookDeliveries, d.Id); status < 400 || r.GetString("status") != schema.DeliveryPending {
		t.Fatalf("delivery changed through the API: %d", status)
	}
}

// TestDeliveriesSurviveARestart: what was queued before the server stopped
// is delivered by the next one, from the records alone.
func TestDeliveriesSurviveARestart(t *testing.T) {
	app, _, h := webhookApp(t)
	rcv := newReceiver(t, 200)
	id, secret := addWebhook(t, h, rcv.srv.URL, schema.EventProjectCreated)
	createProject(t, h, "Before the restart")

	// A new process over the same data: a fresh app on a copy of the data
	// directory, with its own hooks and worker.
	cfg := tt.Config()
	cfg.WebhookClient = webhook.NewClient(true)
	next, err := tests.NewTestApp(app.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	defer next.Cleanup()
	s2 := hooks.Register(next, cfg)
	if n, err := s2.DeliverWebhooks(context.Background(), next, time.Now()); err != nil || n != 1 {
		t.Fatalf("after the restart: %d attempts (%v)", n, err)
	}
	if got := rcv.deliveries(); len(got) != 1 || !verified(got[0], secret) {
		t.Fatalf("receiver got %d deliveries", len(got))
	}
	if d := deliveriesOf(t, next, id); len(d) != 1 || d[0].GetString("status") != schema.DeliveryDelivered {
		t.Fatalf("delivery after the restart: %v", d)
	}
}

func TestPrivateAddressesAreRefusedUnlessAllowed(t *testing.T) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app, _ := fx.AppWith(t, tt.Config()) // the default: private addresses refused
	defer app.Cleanup()
	h := tt.Handler(t, app)
	for _, u := range []string{"http://127.0.0.1:9/x", "http://localhost/x", "http://169.254.169.254/latest", "http://10.0.0.5/x"} {
		b, _ := json.Marshal(map[string]any{"org": tt.Acme, "name": "Inside", "url": u, "events": []string{schema.EventProjectCreated}})
		status, out := call(t, h, fx, tt.Alice, "POST", "/api/collections/webhooks/records", string(b))
		if status != 400 || !strings.Contains(out, "TOCK_WEBHOOKS_ALLOW_PRIVATE") {
			t.Errorf("%s: %d %s, want a 400 naming the switch", u, status, out)
		}
	}
}

func TestOldDeliveriesArePruned(t *testing.T) {
	app, _, h := webhookApp(t)
	id, _ := addWebhook(t, h, "https://prune.example.test/", schema.EventProjectCreated)
	for _, name := range []string{"One", "Two", "Three"} {
		createProject(t, h, name)
	}
	ds := deliveriesOf(t, app, id)
	for i, status := range []string{schema.DeliveryDelivered, schema.DeliveryFailed, schema.DeliveryPending} {
		ds[i].Set("status", status)
		if err := app.Save(ds[i]); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := integrations.PruneWebhookDeliveries(app, time.Now()); err != nil || n != 0 {
		t.Fatalf("pruned %d fresh deliveries (%v)", n, err)
	}
	later := time.Now().Add((api.WebhookLogDays + 1) * 24 * time.Hour)
	if n, err := integrations.PruneWebhookDeliveries(app, later); err != nil || n != 2 {
		t.Fatalf("pruned %d old finished deliveries, want 2 (%v)", n, err)
	}
	if left := deliveriesOf(t, app, id); len(left) != 1 || left[0].GetString("status") != schema.DeliveryPending {
		t.Fatalf("left: %v", left)
	}
}

// TestEventsWaitForTheCommit: a change rolled back is never announced; one
// committed inside a transaction is, once, after the commit.
func TestEventsWaitForTheCommit(t *testing.T) {
	app, _, h := webhookApp(t)
	id, _ := addWebhook(t, h, "https://commit.example.test/", schema.EventProjectCreated)
	projects, err := app.FindCollectionByNameOrId(schema.Projects)
	if err != nil {
		t.Fatal(err)
	}
	errRollback := errors.New("roll back")
	for _, commit := range []bool{false, true} {
		err := app.RunInTransaction(func(tx core.App) error {
			p := core.NewRecord(projects)
			p.Set("org", tt.Acme)
			p.Set("name", "In a transaction")
			if err := tx.Save(p); err != nil {
				return err
			}
			if n := len(deliveriesOf(t, tx, id)); n != 0 {
				t.Errorf("delivery queued inside the transaction (%d)", n)
			}
			if !commit {
				return errRollback
			}
			return nil
		})
		if commit != (err == nil) {
			t.Fatalf("transaction: %v", err)
		}
		want := 0
		if commit {
			want = 1
		}
		if n := len(deliveriesOf(t, app, id)); n != want {
			t.Fatalf("commit=%v: %d deliveries, want %d", commit, n, want)
		}
	}
}
