// Package hooks binds Tock's rules to PocketBase's request and model events:
// organization set-up, membership invariants and cross-organization integrity.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"
)

// Register binds every Tock hook to app. It is called once, before the app
// serves, by main and by the test harness alike so tests exercise the real wiring.
func Register(app core.App) {
	registerAuthorization(app)
	registerOrganizations(app)
	registerMemberships(app)
	registerIntegrity(app)
	registerWebApp(app)
}
