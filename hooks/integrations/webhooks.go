package integrations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
	"github.com/tock-app/tock/webhook"
)

// webhookBatch bounds one pass of the worker, so a backlog can't hold it.
const webhookBatch = 50

// webhookParallel is how many attempts one pass makes at a time.
const webhookParallel = 4

// webhookPoll is how often the worker looks for due deliveries when nothing
// woke it; new events wake it at once.
const webhookPoll = 15 * time.Second

// WebhookWorker delivers queued webhook_deliveries. One pass runs at a time,
// so a delivery is never sent twice at once.
type webhookWorker struct {
	client *http.Client
	jitter func() float64
	kick   chan struct{}
	mu     sync.Mutex
}

func newWebhookWorker(cfg config.Config) *webhookWorker {
	w := &webhookWorker{client: cfg.WebhookClient, jitter: cfg.WebhookJitter, kick: make(chan struct{}, 1)}
	if w.client == nil {
		w.client = webhook.NewClient(cfg.WebhooksAllowPrivate)
	}
	if w.jitter == nil {
		w.jitter = rand.Float64
	}
	return w
}

// wake asks the worker for a pass without waiting for it.
func (w *webhookWorker) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (s *Server) registerWebhooks(app core.App, z *gate.Authorizer) {
	s.outbox = newWebhookWorker(s.cfg)

	app.OnRecordValidate(schema.Webhooks).BindFunc(func(e *core.RecordEvent) error {
		if err := webhook.ValidateURL(e.Record.GetString(schema.FieldURL)); err != nil {
			return router.NewBadRequestError("Invalid webhook URL: "+err.Error()+".", nil)
		}
		if err := webhook.CheckHost(e.Record.GetString(schema.FieldURL), s.cfg.WebhooksAllowPrivate); err != nil {
			return router.NewBadRequestError("This server doesn't call that address: "+err.Error()+".", nil)
		}
		return e.Next()
	})
	// Every path that makes a webhook gives it a secret nobody chose.
	app.OnRecordCreate(schema.Webhooks).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("secret") == "" {
			secret, err := webhook.NewSecret()
			if err != nil {
				return err
			}
			e.Record.Set("secret", secret)
		}
		return e.Next()
	})
	app.OnRecordCreateRequest(schema.Webhooks).BindFunc(func(e *core.RecordRequestEvent) error {
		secret, err := webhook.NewSecret()
		if err != nil {
			return err
		}
		e.Record.Set("secret", secret)
		// Shown in this answer only: the creator copies it into the receiver.
		e.Record.Unhide("secret")
		if info, err := e.RequestInfo(); err == nil {
			if _, sent := info.Body["active"]; !sent {
				e.Record.Set("active", true)
			}
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(schema.Webhooks).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Record.GetString("secret") != e.Record.Original().GetString("secret") {
			return router.NewBadRequestError("The secret changes only through POST "+api.WebhookRotateRoute+".", nil)
		}
		return e.Next()
	})
	app.OnRecordEnrich(schema.Webhooks).BindFunc(func(e *core.RecordEnrichEvent) error {
		if e.RequestInfo == nil || e.RequestInfo.Context != core.RequestInfoContextDefault {
			e.Record.Hide("secret") // realtime messages and expansions never carry it
		}
		return e.Next()
	})

	s.registerWebhookEvents(app)
	app.Cron().MustAdd("tock_webhook_log", "23 3 * * *", func() {
		n, err := PruneWebhookDeliveries(app, time.Now())
		if err != nil {
			app.Logger().Error("webhook delivery log pruning", slog.Any("error", err))
			return
		}
		app.Logger().Info("webhook delivery log pruned", slog.Int("deliveries", n))
	})

	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(api.WebhookRotateRoute, func(re *core.RequestEvent) error { return s.rotateWebhook(re, z) }).
			Bind(apis.RequireAuth(schema.Users))
		if e.Server != nil {
			// Only a real server delivers in the background; tests drive passes.
			ctx, cancel := context.WithCancel(context.Background())
			app.OnTerminate().BindFunc(func(te *core.TerminateEvent) error {
				cancel()
				return te.Next()
			})
			go s.webhookLoop(ctx, app)
		}
		return e.Next()
	})
}

func (s *Server) webhookLoop(ctx context.Context, app core.App) {
	t := time.NewTicker(webhookPoll)
	defer t.Stop()
	for {
		n, err := s.DeliverWebhooks(ctx, app, time.Now())
		if err != nil {
			app.Logger().Error("webhook deliveries", slog.Any("error", err))
		}
		if n == webhookBatch {
			s.outbox.wake() // a backlog: go on at once
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.outbox.kick:
		}
	}
}

func (s *Server) rotateWebhook(e *core.RequestEvent, z *gate.Authorizer) error {
	r, err := e.App.FindRecordById(schema.Webhooks, e.Request.PathValue("id"))
	if err != nil {
		return reply.NotFound()
	}
	a, err := z.Actor(e.App, e.Auth, r.GetString(schema.FieldOrg))
	if err != nil {
		return err
	}
	if !z.Decide(a, perms.ReAuthenticateIntegration, perms.Target{}).Allowed {
		// Like every refusal here: 404 to whoever may not even see it.
		if !z.Decide(a, perms.ChangeIntegrationSettings, perms.Target{}).Allowed {
			return reply.NotFound()
		}
		return reply.Forbidden(perms.ReAuthenticateIntegration)
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return err
	}
	r.Set("secret", secret)
	if err := e.App.Save(r); err != nil {
		return fmt.Errorf("rotate secret of webhook %s: %w", r.Id, err)
	}
	audit.Log(e.App, e.Auth, "rotate_webhook_secret", r, map[string]any{"name": r.GetString(schema.FieldName)})
	return e.JSON(http.StatusOK, api.WebhookSecretAnswer{ID: r.Id, Secret: secret})
}

// registerWebhookEvents queues deliveries once what happened is committed:
// PocketBase runs the *AfterSuccess hooks after the transaction, so a
// receiver never hears of something that was rolled back.
func (s *Server) registerWebhookEvents(app core.App) {
	app.OnRecordAfterCreateSuccess(schema.Projects).BindFunc(func(e *core.RecordEvent) error {
		s.emit(e.App, e.Record.GetString(schema.FieldOrg), schema.EventProjectCreated, map[string]any{
			"project": map[string]any{"id": e.Record.Id, "name": e.Record.GetString(schema.FieldName)},
		})
		return e.Next()
	})
	member := func(e *core.RecordEvent) {
		m := schema.Membership{Record: e.Record}
		s.emit(e.App, m.Org(), schema.EventMemberJoined, map[string]any{
			"membership": map[string]any{"id": m.Id, "role": m.Role()},
			"user":       personOf(e.App, m.User()),
		})
	}
	app.OnRecordAfterCreateSuccess(schema.Memberships).BindFunc(func(e *core.RecordEvent) error {
		if (schema.Membership{Record: e.Record}).Active() {
			member(e)
		}
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess(schema.Memberships).BindFunc(func(e *core.RecordEvent) error {
		if (schema.Membership{Record: e.Record}).Active() && !(schema.Membership{Record: e.Record.Original()}).Active() {
			member(e)
		}
		return e.Next()
	})
	sheet := func(e *core.RecordEvent, was string) {
		status := e.Record.GetString(schema.FieldStatus)
		events := map[string]string{
			schema.TimesheetSubmitted: schema.EventTimesheetSubmitted,
			schema.TimesheetApproved:  schema.EventTimesheetApproved,
			schema.TimesheetRejected:  schema.EventTimesheetRejected,
		}
		ev, ok := events[status]
		if !ok || status == was {
			return
		}
		s.emit(e.App, e.Record.GetString(schema.FieldOrg), ev, map[string]any{
			"timesheet": map[string]any{
				"id": e.Record.Id, "status": status,
				"period_start": reply.DateOf(e.Record, "period_start"), "period_end": reply.DateOf(e.Record, "period_end"),
			},
			"user": personOf(e.App, e.Record.GetString(schema.FieldUser)),
		})
	}
	app.OnRecordAfterCreateSuccess(schema.Timesheets).BindFunc(func(e *core.RecordEvent) error {
		sheet(e, "")
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess(schema.Timesheets).BindFunc(func(e *core.RecordEvent) error {
		sheet(e, e.Record.Original().GetString(schema.FieldStatus))
		return e.Next()
	})
	app.OnRecordAfterUpdateSuccess(schema.TimeRequests).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(schema.FieldStatus) != schema.RequestApproved || e.Record.Original().GetString(schema.FieldStatus) == schema.RequestApproved {
			return e.Next()
		}
		s.emit(e.App, e.Record.GetString(schema.FieldOrg), schema.EventTimeRequestApproved, map[string]any{
			"time_request": map[string]any{
				"id": e.Record.Id, "start": e.Record.GetDateTime("start").Time().UTC(), "end": e.Record.GetDateTime("end").Time().UTC(),
			},
			"project": map[string]any{"id": e.Record.GetString(schema.FieldProject), "name": reply.NameOf(e.App, schema.Projects, e.Record.GetString(schema.FieldProject))},
			"user":    personOf(e.App, e.Record.GetString(schema.FieldUser)),
		})
		return e.Next()
	})
}

// personOf is a user as payloads carry them: id and name, never an e-mail.
func personOf(app core.App, id string) map[string]any {
	return map[string]any{"id": id, "name": reply.NameOf(app, schema.Users, id)}
}

// emit queues one delivery per active webhook of org subscribed to event.
// It runs after the change committed, so a failure here is logged: the
// change stands either way.
func (s *Server) emit(app core.App, org, event string, data map[string]any) {
	var hooks []*core.Record
	err := app.RecordQuery(schema.Webhooks).
		AndWhere(dbx.HashExp{schema.FieldOrg: org, "active": true}).
		AndWhere(dbx.NewExp("EXISTS (SELECT 1 FROM json_each([[events]]) WHERE value = {:event})", dbx.Params{"event": event})).
		All(&hooks)
	if err != nil {
		app.Logger().Error("webhook event not queued", slog.String("event", event), slog.String("org", org), slog.Any("error", err))
		return
	}
	if len(hooks) == 0 {
		return
	}
	c, err := app.FindCachedCollectionByNameOrId(schema.WebhookDeliveries)
	if err != nil {
		app.Logger().Error("webhook event not queued", slog.String("event", event), slog.Any("error", err))
		return
	}
	now := time.Now().UTC()
	payload := map[string]any{
		"org":         map[string]any{"id": org, "name": reply.NameOf(app, schema.Organizations, org)},
		"occurred_at": now,
		"data":        data,
	}
	for _, h := range hooks {
		d := core.NewRecord(c)
		d.Set(schema.FieldOrg, org)
		d.Set("webhook", h.Id)
		d.Set("event", event)
		d.Set("payload", payload)
		d.Set("attempts", 0)
		d.Set(schema.FieldStatus, schema.DeliveryPending)
		d.Set("next_attempt_at", now)
		if err := app.Save(d); err != nil {
			app.Logger().Error("webhook delivery not queued", slog.String("event", event), slog.String("webhook", h.Id), slog.Any("error", err))
		}
	}
	if s.outbox != nil {
		s.outbox.wake()
	}
}

func deliveryBody(d *core.Record) ([]byte, error) {
	var p struct {
		OccurredAt json.RawMessage `json:"occurred_at"`
		Org        json.RawMessage `json:"org"`
		Data       json.RawMessage `json:"data"`
	}
	raw, err := json.Marshal(d.Get("payload"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	return json.Marshal(api.WebhookBody{ID: d.Id, Event: d.GetString("event"), OccurredAt: p.OccurredAt, Org: p.Org, Data: p.Data})
}

// DeliverWebhooks makes one attempt of every delivery due at now (at most
// webhookBatch) and records the outcome: delivered on a 2xx, else retried
// after webhook.RetryDelay until webhook.MaxAttempts attempts, then failed.
// It returns how many attempts it made.
func (s *Server) DeliverWebhooks(ctx context.Context, app core.App, now time.Time) (int, error) {
	w := s.outbox
	w.mu.Lock()
	defer w.mu.Unlock()
	due, err := app.FindRecordsByFilter(schema.WebhookDeliveries,
		"status = {:pending} && next_attempt_at <= {:now}", "next_attempt_at", webhookBatch, 0,
		dbx.Params{"pending": schema.DeliveryPending, "now": now.UTC().Format(types.DefaultDateLayout)})
	if err != nil {
		return 0, fmt.Errorf("find due webhook deliveries: %w", err)
	}
	// A few at once, so one slow receiver (up to webhook.Timeout) doesn't
	// hold up every other organization's deliveries.
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		attempts int
		errs     []error
	)
	slots := make(chan struct{}, webhookParallel)
	for _, d := range due {
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func(d *core.Record) {
			defer func() { <-slots; wg.Done() }()
			err := s.attempt(ctx, app, d, now)
			mu.Lock()
			defer mu.Unlock()
			attempts++
			if err != nil {
				errs = append(errs, err)
			}
		}(d)
	}
	wg.Wait()
	return attempts, errors.Join(errs...)
}

func (s *Server) attempt(ctx context.Context, app core.App, d *core.Record, now time.Time) error {
	h, err := app.FindRecordById(schema.Webhooks, d.GetString("webhook"))
	if err != nil {
		return nil // removed meanwhile: its deliveries went with it
	}
	if !h.GetBool("active") {
		d.Set(schema.FieldStatus, schema.DeliveryFailed)
		d.Set("last_error", "the integration was turned off before delivery")
		return saveDelivery(app, d)
	}
	body, err := deliveryBody(d)
	if err != nil {
		return fmt.Errorf("webhook delivery %s body: %w", d.Id, err)
	}
	res := webhook.Send(ctx, s.outbox.client, webhook.Request{
		URL: h.GetString(schema.FieldURL), Secret: h.GetString("secret"), Event: d.GetString("event"),
		DeliveryID: d.Id, Body: body, Now: now,
	})
	n := d.GetInt("attempts") + 1
	d.Set("attempts", n)
	d.Set("response_code", res.Status)
	switch {
	case res.Delivered():
		d.Set(schema.FieldStatus, schema.DeliveryDelivered)
		d.Set("delivered_at", now.UTC())
		d.Set("last_error", "")
	case n >= webhook.MaxAttempts:
		d.Set(schema.FieldStatus, schema.DeliveryFailed)
		d.Set("last_error", res.Error)
	default:
		d.Set("next_attempt_at", now.Add(webhook.RetryDelay(n, s.outbox.jitter)).UTC())
		d.Set("last_error", res.Error)
	}
	return saveDelivery(app, d)
}

func saveDelivery(app core.App, d *core.Record) error {
	if err := app.Save(d); err != nil {
		return fmt.Errorf("record webhook delivery %s: %w", d.Id, err)
	}
	return nil
}

// PruneWebhookDeliveries removes delivered and failed deliveries older than
// WebhookLogDays; pending ones stay whatever their age.
func PruneWebhookDeliveries(app core.App, now time.Time) (int, error) {
	cutoff := now.Add(-api.WebhookLogDays * 24 * time.Hour).UTC().Format(types.DefaultDateLayout)
	old, err := app.FindRecordsByFilter(schema.WebhookDeliveries,
		"status != {:pending} && created < {:cutoff}", "", 0, 0,
		dbx.Params{"pending": schema.DeliveryPending, "cutoff": cutoff})
	if err != nil {
		return 0, fmt.Errorf("find old webhook deliveries: %w", err)
	}
	for i, d := range old {
		if err := app.Delete(d); err != nil {
			return i, fmt.Errorf("delete webhook delivery %s: %w", d.Id, err)
		}
	}
	return len(old), nil
}
