package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

func init() {
	m.Register(func(app core.App) error {
		return changeIdleDefault(app, true)
	}, func(app core.App) error {
		return changeIdleDefault(app, false)
	})
}

// changeIdleDefault adds (up) or drops the organizations' idle_default.
func changeIdleDefault(app core.App, up bool) error {
	orgs, err := app.FindCollectionByNameOrId(schema.Organizations)
	if err != nil {
		return fmt.Errorf("idle default: %w", err)
	}
	if up {
		orgs.Fields.Add(choice(schema.IdleDefaultField, false, schema.IdleDiscard, schema.IdleKeep))
	} else {
		orgs.Fields.RemoveByName(schema.IdleDefaultField)
	}
	if err := app.Save(orgs); err != nil {
		return fmt.Errorf("idle default: save %s: %w", schema.Organizations, err)
	}
	return nil
}
