package hookstest

import (
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// MatrixFixture is the seeded world of the matrix tests, built once.
var MatrixFixture = sync.OnceValues(func() (*tt.Fixture, error) { return tt.Cached("matrix", tt.Matrix) })

// person is one seeded actor and, written out by hand from the seed, the
// roles perms should see for them: the oracle never reads the hooks' loader.
type person struct {
	User   string
	Column perms.Role
	Actor  perms.Actor
}

func People() []person {
	return []person{
		{tt.Alice, perms.RoleOwner, perms.Actor{UserID: tt.Alice, OrgRole: "owner"}},
		{tt.Bob, perms.RoleOrgManager, perms.Actor{UserID: tt.Bob, OrgRole: "manager"}},
		{tt.Carol, perms.RoleUser, perms.Actor{UserID: tt.Carol, OrgRole: "user", ProjectRoles: map[string]string{tt.ProjA: "user"}}},
		{tt.Pam, perms.RoleProjectManager, perms.Actor{UserID: tt.Pam, OrgRole: "user", ProjectRoles: map[string]string{tt.ProjA: "manager"}}},
		{tt.Vic, perms.RoleProjectViewer, perms.Actor{UserID: tt.Vic, OrgRole: "user", ProjectRoles: map[string]string{tt.ProjA: "viewer"}}},
		{tt.Tess, perms.RoleTeamLead, perms.Actor{
			UserID: tt.Tess, OrgRole: "user",
			LedTeams: map[string]bool{tt.TeamT: true}, LedProjects: map[string]bool{tt.ProjA: true},
			LedMembers: map[string]bool{tt.Tess: true, tt.Walt: true, tt.Zoe: true},
		}},
	}
}

func RecordsURL(collection string) string { return "/api/collections/" + collection + "/records" }

func Exists(app core.App, collection, id string) bool {
	_, err := app.FindRecordById(collection, id)
	return err == nil
}

// PlantRecord creates one record with a fixed id for a probe.
func PlantRecord(t testing.TB, app core.App, collection, id string, fields map[string]any) {
	t.Helper()
	s := &tt.Seeder{App: app}
	s.Create(collection, id, fields)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
}

func SettingsFor(on bool) perms.SettingsMap {
	s := perms.SettingsMap{}
	for _, name := range perms.Default().Toggles() {
		s[name] = on
	}
	return s
}

func SetToggles(t testing.TB, app core.App, on bool) {
	t.Helper()
	org, err := app.FindRecordById(schema.Organizations, tt.Acme)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range perms.Default().Toggles() {
		org.Set(name, on)
	}
	if err := app.Save(org); err != nil {
		t.Fatalf("set toggles: %v", err)
	}
}

// MoneyWeek is the pay period of tt.Slot that the money probes invoice and pay.
const MoneyWeek = `"period_start":"2026-11-02","period_end":"2026-11-08"`

func IdURL(route, id string) string { return strings.Replace(route, "{id}", id, 1) }
