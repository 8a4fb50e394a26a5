package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Webhook events: what happened, after its transaction committed.
const (
	EventMemberJoined         = "member.joined"
	EventTimesheetSubmitted   = "timesheet.submitted"
	EventTimesheetApproved    = "timesheet.approved"
	EventTimesheetRejected    = "timesheet.rejected"
	EventTimeRequestApproved  = "time_request.approved"
	EventProjectCreated       = "project.created"
	DeliveryPending           = "pending"
	DeliveryDelivered         = "delivered"
	DeliveryFailed            = "failed"
	SummaryOff                = "off"
	SummaryDaily              = "daily"
	SummaryWeekly             = "weekly"
	maxWebhookDeliveryAttempt = 1000
)

// WebhookEvents lists every event a webhook may subscribe to.
func WebhookEvents() []string {
	return []string{EventMemberJoined, EventTimesheetSubmitted, EventTimesheetApproved, EventTimesheetRejected,
		EventTimeRequestApproved, EventProjectCreated}
}

// Integrations are outgoing webhooks (`webhooks`) whose deliveries are
// records (`webhook_deliveries`), so a restart loses none; members choose
// their work summary e-mails on their own membership.
func init() {
	m.Register(createIntegrations, dropIntegrations)
}

func createIntegrations(app core.App) error {
	orgs, err := app.FindCollectionByNameOrId(Organizations)
	if err != nil {
		return fmt.Errorf("find %s: %w", Organizations, err)
	}
	hooks := orgScoped(Webhooks, orgs)
	hooks.Fields.Add(text("name", true, 100))
	hooks.Fields.Add(text("url", true, 2000))
	events := choice("events", true, WebhookEvents()...)
	events.MaxSelect = len(WebhookEvents())
	hooks.Fields.Add(events)
	hooks.Fields.Add(&core.BoolField{Name: "active"})
	// The signing secret is shown once, in the answer that creates or
	// rotates it; it is never part of a record's public form.
	hooks.Fields.Add(&core.TextField{Name: "secret", Max: 100, Hidden: true})
	timestamps(hooks)
	if err := save(app, hooks); err != nil {
		return err
	}

	deliveries := orgScoped(WebhookDeliveries, orgs)
	deliveries.Fields.Add(relation("webhook", hooks, true, true))
	deliveries.Fields.Add(choice("event", true, WebhookEvents()...))
	deliveries.Fields.Add(&core.JSONField{Name: "payload", MaxSize: 64 << 10})
	deliveries.Fields.Add(number("attempts", false, 0, maxWebhookDeliveryAttempt))
	deliveries.Fields.Add(choice("status", true, DeliveryPending, DeliveryDelivered, DeliveryFailed))
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

	memberships, err := app.FindCollectionByNameOrId(Memberships)
	if err != nil {
		return fmt.Errorf("find %s: %w", Memberships, err)
	}
	// Empty reads as off: nobody is mailed without asking.
	memberships.Fields.Add(choice("summary_emails", false, SummaryOff, SummaryDaily, SummaryWeekly))
	// The period last mailed ("daily:2026-11-02", "weekly:2026-11-02"), so
	// a restart or a second run doesn't mail it again.
	memberships.Fields.Add(&core.TextField{Name: "summary_sent", Max: 40, Hidden: true})
	if err := app.Save(memberships); err != nil {
		return fmt.Errorf("add summary fields to %s: %w", Memberships, err)
	}
	return applyMatrixRules(app)
}

func dropIntegrations(app core.App) error {
	if err := dropCollections(app, WebhookDeliveries, Webhooks); err != nil {
		return err
	}
	c, err := app.FindCollectionByNameOrId(Memberships)
	if err != nil {
		return nil
	}
	c.Fields.RemoveByName("summary_emails")
	c.Fields.RemoveByName("summary_sent")
	if err := app.Save(c); err != nil {
		return fmt.Errorf("drop summary fields of %s: %w", Memberships, err)
	}
	return nil
}
