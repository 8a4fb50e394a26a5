package audit

import (
	"fmt"
	"log/slog"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// Log records who deleted what; a failure to record is logged loudly but
// doesn't undo a deletion the person was allowed to make.
func Log(app core.App, actor *core.Record, action string, target *core.Record, details map[string]any) {
	c, err := app.FindCachedCollectionByNameOrId(schema.AuditLog)
	if err == nil {
		r := core.NewRecord(c)
		org := target.GetString(schema.FieldOrg)
		if target.Collection().Name == schema.Organizations {
			org = target.Id // an organization-wide entry, such as retention's
		}
		r.Set(schema.FieldOrg, org)
		if reply.IsPerson(actor) {
			r.Set("actor", actor.Id)
		}
		r.Set("action", action)
		r.Set("target_collection", target.Collection().Name)
		r.Set("target_id", target.Id)
		r.Set("subject", target.GetString(schema.FieldUser))
		if details == nil {
			details = map[string]any{}
		}
		if actor != nil && actor.IsSuperuser() {
			details["superuser"] = actor.Email()
		}
		r.Set("details", details)
		err = app.Save(r)
	}
	if err != nil {
		app.Logger().Error("audit log write failed", slog.String("action", action),
			slog.String("target", fmt.Sprintf("%s/%s", target.Collection().Name, target.Id)), slog.Any("error", err))
	}
}
