package migrations

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations/schema"
)

func TestIntegrationCollections(t *testing.T) {
	app := newApp(t)
	for _, tc := range []struct {
		name   string
		fields []string
	}{
		{schema.Webhooks, []string{"org", "name", "url", "events", "active", "secret", "created", "updated"}},
		{schema.WebhookDeliveries, []string{"org", "webhook", "event", "payload", "attempts", "status", "response_code",
			"next_attempt_at", "delivered_at", "last_error", "created", "updated"}},
		{schema.Memberships, []string{"summary_emails", "summary_sent"}},
	} {
		c, err := app.FindCollectionByNameOrId(tc.name)
		if err != nil {
			t.Fatalf("%s missing: %v", tc.name, err)
		}
		for _, f := range tc.fields {
			if c.Fields.GetByName(f) == nil {
				t.Errorf("%s.%s missing", tc.name, f)
			}
		}
	}
	hooks, _ := app.FindCollectionByNameOrId(schema.Webhooks)
	if s, ok := hooks.Fields.GetByName("secret").(*core.TextField); !ok || !s.Hidden {
		t.Errorf("webhooks.secret must be a hidden text field")
	}
	if ev, ok := hooks.Fields.GetByName("events").(*core.SelectField); !ok || !ev.Required || ev.MaxSelect != len(schema.WebhookEvents()) {
		t.Errorf("webhooks.events must be a required multi-select of every event")
	}
	deliveries, _ := app.FindCollectionByNameOrId(schema.WebhookDeliveries)
	if w, ok := deliveries.Fields.GetByName("webhook").(*core.RelationField); !ok || !w.Required || !w.CascadeDelete {
		t.Errorf("a delivery must go with its webhook")
	}
	for _, c := range []*core.Collection{hooks, deliveries} {
		for i, rule := range []*string{c.ListRule, c.ViewRule} {
			if rule == nil || *rule == "" {
				t.Errorf("%s rule %d must be a matrix rule, is %v", c.Name, i, rule)
			}
		}
	}
	// Deliveries are Tock's own: no API writes.
	for i, rule := range []*string{deliveries.CreateRule, deliveries.UpdateRule, deliveries.DeleteRule} {
		if rule != nil {
			t.Errorf("webhook_deliveries write rule %d = %q, want superusers only", i, *rule)
		}
	}
}

func TestIntegrationsDownAndUp(t *testing.T) {
	app := newApp(t)
	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	for range core.AppMigrations.Items() {
		if _, err := app.FindCollectionByNameOrId(schema.Webhooks); err != nil {
			break
		}
		if _, err := runner.Down(1); err != nil {
			t.Fatalf("down: %v", err)
		}
	}
	if _, err := app.FindCollectionByNameOrId(schema.WebhookDeliveries); err == nil {
		t.Fatalf("webhook_deliveries still exists after its migration was rolled back")
	}
	if m, _ := app.FindCollectionByNameOrId(schema.Memberships); m.Fields.GetByName("summary_emails") != nil {
		t.Fatalf("summary_emails still on memberships")
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if _, err := app.FindCollectionByNameOrId(schema.Webhooks); err != nil {
		t.Fatalf("webhooks not rebuilt: %v", err)
	}
}
