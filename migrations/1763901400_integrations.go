package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// maxWebhookDeliveryAttempt bounds a delivery's attempt counter.
const maxWebhookDeliveryAttempt = 1000

// Integrations are outgoing webhooks (`webhooks`) whose deliveries are
// records (`webhook_deliveries`), so a restart loses none; members choose
// their work summary e-mails on their own membership.
func init() {
	m.Register(createIntegrations, dropIntegrations)
}

func createIntegrations(app core.App) error {
	orgs, err := app.FindCollectionByNameOrId(schema.Organizations)
	if err != nil {
		return fmt.Errorf("find %s: %w", schema.Organizations, err)
	}
	hooks := orgScoped(schema.Webhooks, orgs)
	hooks.Fields.Add(text(schema.FieldName, true, 100))
	hooks.Fields.Add(text(schema.FieldURL, true, 2000))
	events := choice("events", true, schema.WebhookEvents()...)
	events.MaxSelect = len(schema.WebhookEvents())
	hooks.Fields.Add(events)
	hooks.Fields.Add(&core.BoolField{Name: "active"})
	// The signing secret is shown once, in the answer that creates or
	// rotates it; it is never part of a record's public form.
	hooks.Fields.Add(&core.TextField{Name: "secret", Max: 100, Hidden: true})
	timestamps(hooks)
	if err := save(app, hooks); err != nil {
		return err
	}

	deliveries := orgScoped(schema.WebhookDeliveries, orgs)
	deliveries.Fields.Add(relation("webhook", hooks, true, true))
	deliveries.Fields.Add(choice("event", true, schema.WebhookEvents()...))
	deliveries.Fields.Add(&core.JSONField{Name: "payload", MaxSize: 64 << 10})
	deliveries.Fields.Add(number("attempts", false, 0, maxWebhookDeliveryAttempt))
	deliveries.Fields.Add(choice(schema.FieldStatus, true, schema.DeliveryPending, schema.DeliveryDelivered, schema.DeliveryFailed))
	deliveries.Fields.Add(number("response_code", false, 0, 999))
	deliveries.Fields.Add(&core.DateField{Name: "next_attempt_at"})
	deliveries.Fields.Add(&core.DateField{Name: "delivered_at"})
	deliveries.Fields.Add(text("last_error", false, 500))
	timestamps(deliveries)
	// The worker's query: what is due, oldest first.
	deliveries.AddIndex("idx_webhook_deliveries_due", false, "`status`, `next_attempt_at`", "")
	if err := save(app, deliveries); err != nil {
		return err
	}

	memberships, err := app.FindCollectionByNameOrId(schema.Memberships)
	if err != nil {
		return fmt.Errorf("find %s: %w", schema.Memberships, err)
	}
	// Empty reads as off: nobody is mailed without asking.
	memberships.Fields.Add(choice(schema.FieldSummaryEmails, false, schema.SummaryOff, schema.SummaryDaily, schema.SummaryWeekly))
	// The period last mailed ("daily:2026-11-02", "weekly:2026-11-02"), so
	// a restart or a second run doesn't mail it again.
	memberships.Fields.Add(&core.TextField{Name: schema.FieldSummarySent, Max: 40, Hidden: true})
	if err := app.Save(memberships); err != nil {
		return fmt.Errorf("add summary fields to %s: %w", schema.Memberships, err)
	}
	return applyMatrixRules(app)
}

func dropIntegrations(app core.App) error {
	if err := dropCollections(app, schema.WebhookDeliveries, schema.Webhooks); err != nil {
		return err
	}
	c, err := app.FindCollectionByNameOrId(schema.Memberships)
	if err != nil {
		return nil
	}
	c.Fields.RemoveByName(schema.FieldSummaryEmails)
	c.Fields.RemoveByName(schema.FieldSummarySent)
	if err := app.Save(c); err != nil {
		return fmt.Errorf("drop summary fields of %s: %w", schema.Memberships, err)
	}
	return nil
}
