package tracking

import (
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Policies maps activities, their app usage and break policies onto the matrix.
func Policies() gate.Policies {
	return gate.Policies{
		schema.Activities: {
			Create: gate.Always(perms.AddEditDeleteTime),
			Update: gate.ByChangedField(nil, perms.AddEditDeleteTime),
			Delete: gate.AlwaysDelete(perms.AddEditDeleteTime),
		},
		schema.AppUsage: {
			Delete:       gate.AlwaysDelete(perms.AddEditDeleteTime),
			HiddenFields: map[string]perms.Feature{"url": perms.ViewURLs},
		},
		schema.BreakPolicies: {
			Create: gate.Always(perms.CreateWorkBreakPolicies),
			Update: gate.ByChangedField(nil, perms.EditWorkBreakPolicies),
			Delete: gate.AlwaysDelete(perms.EditWorkBreakPolicies),
		},
	}
}
