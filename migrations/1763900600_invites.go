package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// Invitations by e-mail: the link carries a random token and the record keeps
// only its SHA-256, so neither a backup nor a manager reading the collection
// can join as the invitee.
func init() {
	m.Register(createInvites, func(app core.App) error {
		return dropCollections(app, schema.Invites)
	})
}

func createInvites(app core.App) error {
	cs, err := findCollections(app, schema.Organizations, schema.Users, schema.Teams)
	if err != nil {
		return err
	}
	orgs, users, teams := cs[0], cs[1], cs[2]

	invites := orgScoped(schema.Invites, orgs)
	invites.Fields.Add(&core.EmailField{Name: "email", Required: true})
	invites.Fields.Add(choice(schema.FieldRole, true, schema.InviteRoles()...))
	// The team the invitee joins too; a team lead may invite only into theirs.
	invites.Fields.Add(relation("team", teams, false, false))
	invites.Fields.Add(&core.TextField{Name: "token_hash", Required: true, Hidden: true, Pattern: "^[0-9a-f]{64}$"})
	invites.Fields.Add(relation("invited_by", users, false, false))
	invites.Fields.Add(choice(schema.FieldStatus, true, schema.InvitePending, schema.InviteAccepted, schema.InviteRevoked))
	invites.Fields.Add(&core.DateField{Name: "expires", Required: true})
	invites.Fields.Add(relation("accepted_by", users, false, false))
	timestamps(invites)
	invites.AddIndex("idx_invites_token_hash", true, "`token_hash`", "")
	if err := save(app, invites); err != nil {
		return err
	}
	return applyMatrixRules(app)
}
