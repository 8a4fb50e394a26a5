package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// job_marks keeps where the hourly retention job got to, so that each run
// reads what changed since the last one instead of the whole history: the
// orphan sweep's place in the blob store and, per organization, the slot
// start before which its app usage is already expired. It has no API rules:
// only Tock's jobs and superusers read it.
//
// The index of app usage by organization and creation time finds the apps
// uploaded since the last run: an agent that was offline may send a slot
// that is already past its organization's retention.
func init() {
	m.Register(createJobMarks, func(app core.App) error {
		if err := dropCollections(app, schema.JobMarks); err != nil {
			return err
		}
		return changeAppUsageCreatedIndex(app, false)
	})
}

const appUsageCreatedIndex = "idx_app_usage_org_created"

func createJobMarks(app core.App) error {
	c := core.NewBaseCollection(schema.JobMarks)
	c.Fields.Add(&core.TextField{Name: schema.FieldName, Required: true, Max: 100})
	c.Fields.Add(&core.TextField{Name: schema.FieldMark, Max: 2000})
	timestamps(c)
	c.AddIndex("idx_job_marks_name", true, "`"+schema.FieldName+"`", "")
	if err := save(app, c); err != nil {
		return err
	}
	return changeAppUsageCreatedIndex(app, true)
}

// changeAppUsageCreatedIndex adds (up) or drops the index of app usage by
// organization and creation time.
func changeAppUsageCreatedIndex(app core.App, up bool) error {
	c, err := app.FindCollectionByNameOrId(schema.AppUsage)
	if err != nil {
		return fmt.Errorf("app usage index: %w", err)
	}
	if up {
		c.AddIndex(appUsageCreatedIndex, false, "`"+schema.FieldOrg+"`, `"+schema.FieldCreated+"`", "")
	} else {
		c.RemoveIndex(appUsageCreatedIndex)
	}
	if err := app.Save(c); err != nil {
		return fmt.Errorf("app usage index: save %s: %w", schema.AppUsage, err)
	}
	return nil
}
