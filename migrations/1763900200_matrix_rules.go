package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The second-line API rules, compiled from the permission matrix. Rolling
// back leaves every Tock collection to superusers, as before.
func init() {
	m.Register(applyMatrixRules, func(app core.App) error {
		for name := range AccessOf() {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				continue
			}
			c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule = nil, nil, nil, nil, nil
			if err := app.Save(c); err != nil {
				return fmt.Errorf("reset rules of %s: %w", name, err)
			}
		}
		return nil
	})
}
