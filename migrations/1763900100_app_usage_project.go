package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// App usage carries its project so "View Apps: assigned" can be decided, and
// filtered, without a join through activities.
func init() {
	m.Register(func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(schema.AppUsage)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.AppUsage, err)
		}
		projects, err := app.FindCollectionByNameOrId(schema.Projects)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.Projects, err)
		}
		usage.Fields.AddAt(2, relation(schema.FieldProject, projects, true, true))
		usage.AddIndex("idx_app_usage_project", false, "`project`", "")
		return app.Save(usage)
	}, func(app core.App) error {
		usage, err := app.FindCollectionByNameOrId(schema.AppUsage)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.AppUsage, err)
		}
		usage.Fields.RemoveByName(schema.FieldProject)
		usage.RemoveIndex("idx_app_usage_project")
		return app.Save(usage)
	})
}
