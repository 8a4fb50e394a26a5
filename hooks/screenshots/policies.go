package screenshots

import (
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Policies maps screenshots onto the matrix: the agent uploads them through
// Tock's ingest route, so there is no create.
func Policies() gate.Policies {
	return gate.Policies{
		schema.Screenshots: {
			Update: gate.ByChangedField(nil, perms.ModifyScreenshots),
			Delete: gate.AlwaysDelete(perms.DeleteScreenshots),
		},
	}
}
