package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// steadyIndexes are what the hot paths need once an organization has months
// of screenshots (hooks' TestHotPathsUseIndexes shows each one's query):
//   - screenshots by person and time, whatever the organization: the
//     gallery's day of one member, as a team lead or project manager lists it
//     (their permission filter leaves no organization-and-person prefix);
//   - screenshots by blob key: the orphan sweep matches every blob it lists
//     to its record;
//   - an organization's slots of a period with every column a report, a
//     dashboard or the breaks read: a month of a hundred members is 144,000
//     slots, read from the index alone rather than a row lookup each.
func steadyIndexes() map[string][][2]string {
	return map[string][][2]string{
		schema.Activities: {
			{"idx_activities_org_slot_cover", "`org`, `slot_start`, `user`, `project`, `task`, `tracked_seconds`, `active_seconds`, `source`"},
		},
		schema.Screenshots: {
			{"idx_screenshots_user_taken", "`user`, `taken_at`"},
			{"idx_screenshots_storage_key", "`storage_key`"},
		},
	}
}

func init() {
	m.Register(func(app core.App) error {
		return eachSteadyIndex(app, func(c *core.Collection, idx [2]string) { c.AddIndex(idx[0], false, idx[1], "") })
	}, func(app core.App) error {
		return eachSteadyIndex(app, func(c *core.Collection, idx [2]string) { c.RemoveIndex(idx[0]) })
	})
}

func eachSteadyIndex(app core.App, change func(*core.Collection, [2]string)) error {
	for name, indexes := range steadyIndexes() {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return fmt.Errorf("find %s: %w", name, err)
		}
		for _, idx := range indexes {
			change(c, idx)
		}
		if err := app.Save(c); err != nil {
			return fmt.Errorf("index %s: %w", name, err)
		}
	}
	return nil
}
