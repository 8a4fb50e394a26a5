package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// App usage recorded before its project field existed (1763900100) was left
// with an empty, required project: invisible to "View Apps: assigned" and
// refused on any later save. It takes its activity's project. Nothing to
// undo on the way down.
func init() {
	m.Register(func(app core.App) error {
		_, err := app.DB().NewQuery("UPDATE {{" + schema.AppUsage + "}} SET [[project]] = " +
			"(SELECT [[a.project]] FROM {{" + schema.Activities + "}} a WHERE [[a.id]] = {{" + schema.AppUsage + "}}.[[activity]]) " +
			"WHERE [[project]] = '' OR [[project]] IS NULL").Execute()
		if err != nil {
			return fmt.Errorf("backfill %s.project: %w", schema.AppUsage, err)
		}
		return nil
	}, nil)
}
