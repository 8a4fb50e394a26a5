package screenshots

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// readMark decodes the job mark called name into v, which it leaves as it
// is when the job has none yet.
func readMark(app core.App, name string, v any) error {
	var raw string
	err := app.DB().Select(schema.FieldMark).From(schema.JobMarks).
		Where(dbx.HashExp{schema.FieldName: name}).Row(&raw)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && raw == "") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read job mark %s: %w", name, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return fmt.Errorf("job mark %s: %w", name, err)
	}
	return nil
}

// writeMark stores v as the job mark called name, in one statement.
func writeMark(app core.App, name string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("job mark %s: %w", name, err)
	}
	// An upsert on the unique name; id and created count only for a new mark.
	_, err = app.DB().NewQuery(upsertMark).Bind(dbx.Params{"id": core.GenerateDefaultRandomId(), "name": name,
		"mark": string(raw), "now": reply.DbDate(time.Now())}).Execute()
	if err != nil {
		return fmt.Errorf("write job mark %s: %w", name, err)
	}
	return nil
}

const upsertMark = "INSERT INTO {{" + schema.JobMarks + "}} ([[id]], [[" + schema.FieldName + "]], [[" + schema.FieldMark + "]], [[" +
	schema.FieldCreated + "]], [[" + schema.FieldUpdated + "]]) VALUES ({:id}, {:name}, {:mark}, {:now}, {:now}) " +
	"ON CONFLICT ([[" + schema.FieldName + "]]) DO UPDATE SET [[" + schema.FieldMark + "]] = excluded.[[" + schema.FieldMark +
	"]], [[" + schema.FieldUpdated + "]] = excluded.[[" + schema.FieldUpdated + "]]"
