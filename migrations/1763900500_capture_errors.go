package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Captures the agent couldn't use in a slot (a failed or blank capture is
// reported, never uploaded as junk).
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(Activities)
		if err != nil {
			return fmt.Errorf("find %s: %w", Activities, err)
		}
		c.Fields.Add(number("capture_errors", false, 0, 1000))
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(Activities)
		if err != nil {
			return fmt.Errorf("find %s: %w", Activities, err)
		}
		c.Fields.RemoveByName("capture_errors")
		return app.Save(c)
	})
}
