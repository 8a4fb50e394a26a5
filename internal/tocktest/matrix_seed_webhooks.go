package tocktest

import (
	"github.com/tock-app/tock/migrations/schema"
)

// Ids of the seeded integrations: one webhook per organization. Their URLs
// are never called: the matrix tests don't run the delivery worker.
const (
	WhkA = "whkacme00000001"
	WhkG = "whkglobex000001"
)

// seedWebhooks gives Acme and Globex one active webhook each.
func seedWebhooks(s *Seeder) {
	for _, w := range []struct{ id, org string }{{WhkA, Acme}, {WhkG, Globex}} {
		s.Create(schema.Webhooks, w.id, map[string]any{
			"org": w.org, "name": "Receiver", "url": "https://hooks.example.test/" + w.org,
			"events": []string{schema.EventProjectCreated}, "active": true,
		})
	}
}
