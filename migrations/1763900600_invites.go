package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// InviteRoles are the organization roles an invitation may carry.
var InviteRoles = []string{"owner", "manager", "user"}

// Invitation statuses.
const (
	InvitePending  = "pending"
	InviteAccepted = "accepted"
	InviteRevoked  = "revoked"
)

// Invitations by e-mail: the link carries a random token and the record keeps
// only its SHA-256, so neither a backup nor a manager reading the collection
// can join as the invitee.
func init() {
	m.Register(createInvites, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(Invites)
		if err != nil {
			return nil // already gone: down migrations must be re-runnable
		}
		if err := app.Delete(c); err != nil {
			return fmt.Errorf("drop %s: %w", Invites, err)
		}
		return nil
	})
}

func createInvites(app core.App) error {
	find := func(name string) (*core.Collection, error) {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return nil, fmt.Errorf("find %s: %w", name, err)
		}
		return c, nil
	}
	orgs, err := find(Organizations)
	if err != nil {
		return err
	}
	users, err := find(Users)
	if err != nil {
		return err
	}
	teams, err := find(Teams)
	if err != nil {
		return err
	}

	invites := orgScoped(Invites, orgs)
	invites.Fields.Add(&core.EmailField{Name: "email", Required: true})
	invites.Fields.Add(choice("role", true, InviteRoles...))
	// The team the invitee joins too; a team lead may invite only into theirs.
	invites.Fields.Add(relation("team", teams, false, false))
	invites.Fields.Add(&core.TextField{Name: "token_hash", Required: true, Hidden: true, Pattern: "^[0-9a-f]{64}$"})
	invites.Fields.Add(relation("invited_by", users, false, false))
	invites.Fields.Add(choice("status", true, InvitePending, InviteAccepted, InviteRevoked))
	invites.Fields.Add(&core.DateField{Name: "expires", Required: true})
	invites.Fields.Add(relation("accepted_by", users, false, false))
	timestamps(invites)
	invites.AddIndex("idx_invites_token_hash", true, "`token_hash`", "")
	if err := save(app, invites); err != nil {
		return err
	}
	return applyMatrixRules(app)
}
