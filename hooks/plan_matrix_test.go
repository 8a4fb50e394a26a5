package hooks_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// billingShown asks for org's billing page.
func billingShown(org string) probe {
	return probe{
		method: "GET", read: true, url: orgURL(hooks.BillingRoute, org),
		took: func(_ testing.TB, _ core.App, status int, body string) bool {
			return status == 200 && strings.Contains(body, `"seats"`)
		},
	}
}

// planProbes covers the plan rows: Billing, Change Subscription Plan,
// Add/Remove Features, in one's own organization and in another.
func planProbes(self string) []probe {
	var ps []probe
	for _, o := range []struct{ label, id string }{{"own org", tt.Acme}, {"other org", tt.Globex}} {
		tg := perms.Target{}
		ps = append(ps,
			billingShown(o.id).on(perms.Billing, o.label, o.id, tg),
			updated(migrations.Organizations, o.id, "seat_limit", 50).on(perms.ChangeSubscriptionPlan, o.label+" (seats)", o.id, tg),
			updated(migrations.Organizations, o.id, "plan_retention_days", 30).on(perms.ChangeSubscriptionPlan, o.label+" (retention)", o.id, tg),
			updated(migrations.Organizations, o.id, migrations.FeatureField(migrations.ModulePayroll), false).
				on(perms.AddRemoveFeatures, o.label, o.id, tg),
		)
	}
	return ps
}
