package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// Captures the agent couldn't use in a slot (a failed or blank capture is
// reported, never uploaded as junk).
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(schema.Activities)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.Activities, err)
		}
		c.Fields.Add(number(schema.FieldCaptureErrors, false, 0, 1000))
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(schema.Activities)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.Activities, err)
		}
		c.Fields.RemoveByName(schema.FieldCaptureErrors)
		return app.Save(c)
	})
}
