package tocktest

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/org"
	"github.com/tock-app/tock/migrations/schema"
)

// Seeder creates records with fixed ids so tests can name them, failing at the
// first error. Records are saved through the app, so every model hook runs.
type Seeder struct {
	App core.App
	err error
}

// Err is the first error any call met.
func (s *Seeder) Err() error { return s.err }

// Create saves a record of collection with the given id and fields.
func (s *Seeder) Create(collection, id string, fields map[string]any) *core.Record {
	if s.err != nil {
		return nil
	}
	c, err := s.App.FindCollectionByNameOrId(collection)
	if err != nil {
		s.err = fmt.Errorf("find %s: %w", collection, err)
		return nil
	}
	r := core.NewRecord(c)
	r.Id = id
	for k, v := range fields {
		r.Set(k, v)
	}
	if c.IsAuth() {
		r.SetPassword(Password)
		r.SetVerified(true)
	}
	if err := s.App.Save(r); err != nil {
		s.err = fmt.Errorf("create %s %s: %w", collection, id, err)
		return nil
	}
	return r
}

// User creates a verified user with the given id; its email is id@example.test.
func (s *Seeder) User(id string) *core.Record {
	return s.Create(schema.Users, id, map[string]any{"email": id + "@example.test", "name": id})
}

// Org creates an organization with the defaults a new one gets over the API.
func (s *Seeder) Org(id, name string, fields map[string]any) *core.Record {
	all := org.OrganizationDefaults()
	all["name"] = name
	for k, v := range fields {
		all[k] = v
	}
	return s.Create(schema.Organizations, id, all)
}

// Member gives user an active membership with role in org.
func (s *Seeder) Member(id, org, user, role string) *core.Record {
	return s.Create(schema.Memberships, id, map[string]any{"org": org, "user": user, "role": role, "status": "active"})
}

// Ids of the basic seed: two organizations, their people and a project each.
const (
	Acme        = "orgacme00000001"
	Globex      = "orgglobex000001"
	Alice       = "usralice0000001" // Acme owner
	Bob         = "usrbob000000001" // Acme manager
	Carol       = "usrcarol0000001" // Acme user
	Dave        = "usrdave00000001" // Globex owner
	Erin        = "usrerin00000001" // member of nothing
	AcmeWeb     = "prjacmeweb00001"
	GlobexApp   = "prjglobexapp001"
	AliceInAcme = "mbralice0000001"
	BobInAcme   = "mbrbob000000001"
	CarolInAcme = "mbrcarol0000001"
	DaveInGlob  = "mbrdave00000001"
)

// Basic seeds two organizations: Acme (Alice owner, Bob manager, Carol user,
// project AcmeWeb) and Globex (Dave owner, project GlobexApp); Erin belongs nowhere.
func Basic(app core.App) error {
	s := &Seeder{App: app}
	for _, id := range []string{Alice, Bob, Carol, Dave, Erin} {
		s.User(id)
	}
	s.Org(Acme, "Acme", nil)
	s.Org(Globex, "Globex", nil)
	s.Member(AliceInAcme, Acme, Alice, "owner")
	s.Member(BobInAcme, Acme, Bob, "manager")
	s.Member(CarolInAcme, Acme, Carol, "user")
	s.Member(DaveInGlob, Globex, Dave, "owner")
	s.Create(schema.Projects, AcmeWeb, map[string]any{"org": Acme, "name": "Web"})
	s.Create(schema.Projects, GlobexApp, map[string]any{"org": Globex, "name": "App"})
	return s.Err()
}
