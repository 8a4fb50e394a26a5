package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// prefixIndexes are single-column indexes of the busiest tables that a
// later composite index begins with: SQLite answers their queries from the
// composite one, while every insert and delete still paid to keep them (a
// screenshot row sat in eleven B-trees). Removing them makes uploads and
// retention write less and changes no query plan's choice of a scan.
var prefixIndexes = []struct{ collection, index, column, coveredBy string }{
	{schema.Screenshots, "idx_screenshots_org", schema.FieldOrg, "idx_screenshots_org_taken"},
	{schema.Screenshots, "idx_screenshots_user", schema.FieldUser, "idx_screenshots_user_taken"},
	{schema.Activities, "idx_activities_org", schema.FieldOrg, "idx_activities_org_slot"},
	{schema.AppUsage, "idx_app_usage_org", schema.FieldOrg, "idx_app_usage_org_user"},
}

func init() {
	m.Register(func(app core.App) error {
		return changePrefixIndexes(app, true)
	}, func(app core.App) error {
		return changePrefixIndexes(app, false)
	})
}

// changePrefixIndexes drops (up) or restores the prefix indexes. Each is
// dropped only where its covering index exists, so a schema edited by hand
// keeps a way to its rows.
func changePrefixIndexes(app core.App, up bool) error {
	for _, p := range prefixIndexes {
		c, err := app.FindCollectionByNameOrId(p.collection)
		if err != nil {
			return fmt.Errorf("prefix indexes: %w", err)
		}
		if up {
			if c.GetIndex(p.coveredBy) == "" {
				return fmt.Errorf("prefix indexes: %s has no %s to answer for %s", p.collection, p.coveredBy, p.index)
			}
			c.RemoveIndex(p.index)
		} else {
			c.AddIndex(p.index, false, "`"+p.column+"`", "")
		}
		if err := app.Save(c); err != nil {
			return fmt.Errorf("prefix indexes: save %s: %w", p.collection, err)
		}
	}
	return nil
}
