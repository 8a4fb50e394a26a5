// Package hooks binds Tock's rules to PocketBase: every request on a Tock
// collection decided through perms, organization set-up and invariants,
// cross-organization integrity, the agent's upload routes, encrypted
// screenshot viewing, deletion with audit, and retention.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"
)

// Register binds every Tock hook and route to app. It is called once, before
// the app serves, by main and by the test harness alike, so tests exercise
// the real wiring.
func Register(app core.App, cfg Config) *Server {
	s := newServer(app, cfg)
	registerErrors(app)
	registerRuleSync(app)
	z := registerAuthorization(app)
	registerOrganizations(app)
	registerMemberships(app)
	registerUserOrgs(app)
	registerAccount(app)
	registerIntegrity(app)
	s.registerBounds(app)
	s.registerKeys(app, z)
	s.registerIngest(app, z)
	s.registerView(app, z)
	s.registerDeletions(app)
	s.registerReassign(app, z)
	s.registerMe(app, z)
	s.registerPeople(app, z)
	s.registerInvites(app, z)
	s.registerEnrol(app, z)
	s.registerDownloads(app)
	s.registerRecords(app, z)
	s.registerReports(app, z)
	s.registerAppsReport(app, z)
	s.registerBreaks(app, z)
	s.registerDashboards(app, z)
	s.registerTime(app, z)
	s.registerTimeOff(app, z)
	s.registerField(app, z)
	s.registerMoney(app, z)
	s.registerRetention(app)
	registerStatistics(app)
	s.registerWebhooks(app, z)
	s.registerSummaries(app, z)
	s.registerPlan(app, z)
	s.registerTransfer(app, z)
	s.registerProjectCreation(app, z)
	registerWebApp(app)
	return s
}
