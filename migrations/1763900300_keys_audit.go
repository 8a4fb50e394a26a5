package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// Each organization has X25519 key pairs: the current one's public half is on
// the organization, every pair's private half is in org_keys, wrapped by the
// server's master key. Deletions of screenshots and time go to audit_log.
func init() {
	m.Register(createKeysAndAudit, func(app core.App) error {
		if err := dropCollections(app, schema.AuditLog, schema.OrgKeys); err != nil {
			return err
		}
		orgs, err := app.FindCollectionByNameOrId(schema.Organizations)
		if err != nil {
			return err
		}
		orgs.Fields.RemoveByName(schema.FieldKeyID)
		orgs.Fields.RemoveByName(schema.FieldPublicKey)
		return app.Save(orgs)
	})
}

func createKeysAndAudit(app core.App) error {
	orgs, err := app.FindCollectionByNameOrId(schema.Organizations)
	if err != nil {
		return fmt.Errorf("find organizations: %w", err)
	}
	users, err := app.FindCollectionByNameOrId(schema.Users)
	if err != nil {
		return fmt.Errorf("find users: %w", err)
	}
	orgs.Fields.Add(text(schema.FieldKeyID, false, 64))
	orgs.Fields.Add(text(schema.FieldPublicKey, false, 64)) // base64 of 32 bytes
	if err := app.Save(orgs); err != nil {
		return fmt.Errorf("add key fields: %w", err)
	}

	keys := orgScoped(schema.OrgKeys, orgs)
	keys.Fields.Add(text(schema.FieldKeyID, true, 64))
	keys.Fields.Add(text(schema.FieldPublicKey, true, 64))
	keys.Fields.Add(&core.TextField{Name: "wrapped_private_key", Required: true, Max: 512, Hidden: true})
	timestamps(keys)
	keys.AddIndex("idx_org_keys_org_key", true, "`org`, `key_id`", "")
	// Superusers only: members read the current public key through Tock's route.
	if err := save(app, keys); err != nil {
		return err
	}

	audit := orgScoped(schema.AuditLog, orgs)
	audit.Fields.Add(relation("actor", users, false, false))
	audit.Fields.Add(text("action", true, 64))
	audit.Fields.Add(text("target_collection", true, 64))
	audit.Fields.Add(text("target_id", true, 64))
	audit.Fields.Add(relation("subject", users, false, false)) // whose data it was
	audit.Fields.Add(&core.JSONField{Name: "details", MaxSize: 16 << 10})
	timestamps(audit)
	audit.AddIndex("idx_audit_log_org_created", false, "`org`, `created`", "")
	if err := save(app, audit); err != nil {
		return err
	}
	return applyMatrixRules(app)
}
