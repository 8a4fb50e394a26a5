package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// An enrolment code is shown once in the web app to a signed-in member and
// exchanged once by `tock agent enrol`. The record keeps only the code's
// SHA-256, like an invitation's token; it has no API rules, so only Tock's
// routes and superusers reach it.
func init() {
	m.Register(createEnrolments, func(app core.App) error {
		return dropCollections(app, schema.Enrolments)
	})
}

func createEnrolments(app core.App) error {
	cs, err := findCollections(app, schema.Organizations, schema.Users)
	if err != nil {
		return err
	}
	orgs, users := cs[0], cs[1]

	c := orgScoped(schema.Enrolments, orgs)
	// Deleting the person deletes their codes; ending the membership does too
	// (a hook, since a membership may come back).
	c.Fields.Add(relation(schema.FieldUser, users, true, true))
	c.Fields.Add(&core.TextField{Name: "code_hash", Required: true, Hidden: true, Max: 64, Pattern: "^[0-9a-f]{64}$"})
	c.Fields.Add(&core.DateField{Name: "expires", Required: true})
	c.Fields.Add(&core.DateField{Name: "used"})
	timestamps(c)
	c.AddIndex("idx_enrolments_code_hash", true, "`code_hash`", "")
	c.AddIndex("idx_enrolments_user", false, "`user`", "")
	return save(app, c)
}
