package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// activity_hours holds the sums of an organization's slots per UTC hour,
// member, project and task: a month's report of a hundred members adds up
// 24,000 of these rather than 144,000 slots. It is not a collection (no API
// reaches it); SQLite triggers on activities keep it equal to the slots
// whoever writes them (ingest, manual time, edits, transfers, retention,
// plain SQL), in the writer's transaction. The hour is the first 13
// characters of slot_start ("2006-01-02 15"); manual is the tracked seconds
// of manual slots.
func activityHoursSQL() []string {
	key := func(row string) string {
		return fmt.Sprintf("org = %[1]s.org AND hour = substr(%[1]s.slot_start, 1, 13) AND \"user\" = %[1]s.\"user\" AND project = %[1]s.project AND task = %[1]s.task", row)
	}
	manual := func(row string) string {
		return fmt.Sprintf("CASE WHEN %[1]s.source = 'manual' THEN %[1]s.tracked_seconds ELSE 0 END", row)
	}
	add := fmt.Sprintf(`INSERT INTO activity_hours (org, hour, "user", project, task, slots, tracked, active, manual)
		VALUES (NEW.org, substr(NEW.slot_start, 1, 13), NEW."user", NEW.project, NEW.task, 1, NEW.tracked_seconds, NEW.active_seconds, %s)
		ON CONFLICT (org, hour, "user", project, task) DO UPDATE SET slots = slots + 1,
			tracked = tracked + excluded.tracked, active = active + excluded.active, manual = manual + excluded.manual;`, manual("NEW"))
	remove := fmt.Sprintf(`UPDATE activity_hours SET slots = slots - 1, tracked = tracked - OLD.tracked_seconds,
			active = active - OLD.active_seconds, manual = manual - %s WHERE %s;
		DELETE FROM activity_hours WHERE %s AND slots <= 0;`, manual("OLD"), key("OLD"), key("OLD"))
	return []string{
		`CREATE TABLE activity_hours (org TEXT NOT NULL, hour TEXT NOT NULL, "user" TEXT NOT NULL, project TEXT NOT NULL,
			task TEXT NOT NULL, slots INTEGER NOT NULL, tracked INTEGER NOT NULL, active INTEGER NOT NULL, manual INTEGER NOT NULL,
			PRIMARY KEY (org, hour, "user", project, task)) WITHOUT ROWID`,
		fmt.Sprintf(`INSERT INTO activity_hours (org, hour, "user", project, task, slots, tracked, active, manual)
			SELECT org, substr(slot_start, 1, 13), "user", project, task, COUNT(*), SUM(tracked_seconds), SUM(active_seconds),
				SUM(%s) FROM activities AS NEW GROUP BY 1, 2, 3, 4, 5`, manual("NEW")),
		`CREATE TRIGGER activity_hours_insert AFTER INSERT ON activities BEGIN ` + add + ` END`,
		`CREATE TRIGGER activity_hours_delete AFTER DELETE ON activities BEGIN ` + remove + ` END`,
		`CREATE TRIGGER activity_hours_update AFTER UPDATE OF org, "user", project, task, slot_start, tracked_seconds,
			active_seconds, source ON activities BEGIN ` + remove + ` ` + add + ` END`,
	}
}

func init() {
	m.Register(func(app core.App) error {
		for _, stmt := range activityHoursSQL() {
			if _, err := app.DB().NewQuery(stmt).Execute(); err != nil {
				return fmt.Errorf("activity hours: %w", err)
			}
		}
		return nil
	}, func(app core.App) error {
		for _, stmt := range []string{"DROP TRIGGER activity_hours_insert", "DROP TRIGGER activity_hours_delete",
			"DROP TRIGGER activity_hours_update", "DROP TABLE activity_hours"} {
			if _, err := app.DB().NewQuery(stmt).Execute(); err != nil {
				return fmt.Errorf("activity hours: %w", err)
			}
		}
		return nil
	})
}
