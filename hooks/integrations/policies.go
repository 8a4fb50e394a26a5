package integrations

import (
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Policies maps webhooks onto the matrix.
func Policies() gate.Policies {
	return gate.Policies{
		schema.Webhooks: {
			Create: gate.Always(perms.AddIntegration),
			Update: gate.ByChangedField(nil, perms.ChangeIntegrationSettings),
			Delete: gate.AlwaysDelete(perms.RemoveIntegration),
		},
	}
}
