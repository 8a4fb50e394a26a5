package api

import (
	"encoding/json"
)

// WebhookRotateRoute gives an integration a new signing secret ("Re-authenticate
// integration"): the answer carries it once, and from then on every delivery,
// retries of older ones included, is signed with it alone.
const WebhookRotateRoute = "/api/tock/webhooks/{id}/rotate"

// WebhookLogDays is how long finished deliveries stay in the delivery log.
const WebhookLogDays = 30

// WebhookSecretAnswer is the answer of the rotate route.
type WebhookSecretAnswer struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

// WebhookBody is what a delivery posts; id is also X-Tock-Delivery and is
// the same on every retry.
type WebhookBody struct {
	ID         string          `json:"id"`
	Event      string          `json:"event"`
	OccurredAt json.RawMessage `json:"occurred_at"`
	Org        json.RawMessage `json:"org"`
	Data       json.RawMessage `json:"data"`
}
