package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// App usage carries its project so "View Apps: assigned" can be decided, and
// filtered, without a join through activities.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(AppUsage)
		if err != nil {
			return fmt.Errorf("find %s: %w", AppUsage, err)
		}
		projects, err := app.FindCollectionByNameOrId(Projects)
		if err != nil {
			return fmt.Errorf("find %s: %w", Projects, err)
		}
		usage.Fields.AddAt(2, relation("project", projects, true, true))
		usage.AddIndex("idx_app_usage_project", false, "`project`", "")
		return app.Save(usage)
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(AppUsage)
		if err != nil {
			return fmt.Errorf("find %s: %w", AppUsage, err)
		}
		usage.Fields.RemoveByName("project")
		usage.RemoveIndex("idx_app_usage_project")
		return app.Save(usage)
	})
}
