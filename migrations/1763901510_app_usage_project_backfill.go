package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// App usage recorded before its project field existed (1763900100) was left
// with an empty, required project: invisible to "View Apps: assigned" and
// refused on any later save. It takes its activity's project. Nothing to
// undo on the way down.
func init() {
	m.Register(func(app core.App) error {
		_, err := app.DB().NewQuery("UPDATE {{" + AppUsage + "}} SET [[project]] = " +
			"(SELECT [[a.project]] FROM {{" + Activities + "}} a WHERE [[a.id]] = {{" + AppUsage + "}}.[[activity]]) " +
			"WHERE [[project]] = '' OR [[project]] IS NULL").Execute()
		if err != nil {
			return fmt.Errorf("backfill %s.project: %w", AppUsage, err)
		}
		return nil
	}, nil)
}
