package hooks

import (
	"fmt"
	"log/slog"

	"github.com/pocketbase/pocketbase/core"
)

// analysisLimit bounds how many entries of each index ANALYZE reads: enough
// for the planner's estimates, a few milliseconds however large the table.
const analysisLimit = 1000

// registerStatistics refreshes the query planner's statistics when the
// server starts and every hour after.
func registerStatistics(app core.App) {
	refresh := func() {
		if err := RefreshStatistics(app); err != nil {
			app.Logger().Warn("statistics not refreshed", slog.Any("error", err))
		}
	}
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		refresh()
		return e.Next()
	})
	app.Cron().MustAdd("tock_statistics", "47 * * * *", refresh)
}

// RefreshStatistics gathers SQLite's statistics of every table and index
// (ANALYZE, sampled). Without them the planner takes every index for equally
// selective, and reads, say, an organization's whole history of apps by its
// organization index where the index on their 10-minute slot finds one day's
// in a few rows; with them it knows what an organization at steady state
// holds. PocketBase's own periodic PRAGMA optimize may never analyze a table.
func RefreshStatistics(app core.App) error {
	db := app.NonconcurrentDB() // one connection: the limit applies to the ANALYZE after it
	if _, err := db.NewQuery(fmt.Sprintf("PRAGMA analysis_limit = %d", analysisLimit)).Execute(); err != nil {
		return fmt.Errorf("analysis limit: %w", err)
	}
	if _, err := db.NewQuery("ANALYZE").Execute(); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
