package screenshots

import (
	"database/sql"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/migrations/schema"
)

// uploadLookup is what a screenshot upload reads before it stores anything:
// whether its client_id is stored already, and its activity (nil when no
// activity has that client_id).
type uploadLookup struct {
	repeat bool
	act    *core.Record
}

// lookupRow is the statement's one row: the activity's columns are NULL
// when there is no such activity.
type lookupRow struct {
	Repeat    bool           `db:"repeat"`
	ID        sql.NullString `db:"id"`
	User      sql.NullString `db:"user"`
	Org       sql.NullString `db:"org"`
	Project   sql.NullString `db:"project"`
	Task      sql.NullString `db:"task"`
	SlotStart sql.NullString `db:"slot_start"`
}

// lookupUpload answers both questions in one statement, both by client_id
// through the partial unique indexes: an upload costs one statement less,
// and the activity's few columns the route uses are read, not all of them.
// The activity comes back as a record holding those columns.
func lookupUpload(app core.App, shotID, actID string) (uploadLookup, error) {
	var row lookupRow
	err := app.DB().NewQuery(`SELECT
			EXISTS(SELECT 1 FROM {{` + schema.Screenshots + `}} WHERE [[client_id]] = {:shot} AND [[client_id]] != '') AS [[repeat]],
			a.[[id]] AS [[id]], a.[[user]] AS [[user]], a.[[org]] AS [[org]], a.[[project]] AS [[project]],
			a.[[task]] AS [[task]], a.[[slot_start]] AS [[slot_start]]
		FROM (SELECT 1) LEFT JOIN {{` + schema.Activities + `}} a ON a.[[client_id]] = {:act} AND a.[[client_id]] != ''
		LIMIT 1`).Bind(dbx.Params{"shot": shotID, "act": actID}).One(&row)
	if err != nil {
		return uploadLookup{}, fmt.Errorf("look up screenshot %s and activity %s: %w", shotID, actID, err)
	}
	out := uploadLookup{repeat: row.Repeat}
	if !row.ID.Valid {
		return out, nil
	}
	c, err := app.FindCachedCollectionByNameOrId(schema.Activities)
	if err != nil {
		return out, fmt.Errorf("activities collection: %w", err)
	}
	slotStart, err := types.ParseDateTime(row.SlotStart.String)
	if err != nil {
		return out, fmt.Errorf("activity %s: slot_start %q: %w", actID, row.SlotStart.String, err)
	}
	act := core.NewRecord(c)
	act.Load(map[string]any{"id": row.ID.String, "user": row.User.String, "org": row.Org.String,
		"project": row.Project.String, "task": row.Task.String, "slot_start": slotStart, "client_id": actID})
	act.MarkAsNotNew()
	out.act = act
	return out, nil
}
