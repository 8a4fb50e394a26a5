package screenshots

import (
	"context"
	"log/slog"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/migrations/schema"
)

// registerDeletions removes a screenshot's blob once its record is gone and
// records every deletion of screenshots and time in the audit log.
func (s *Server) registerDeletions(app core.App) {
	app.OnRecordAfterDeleteSuccess(schema.Screenshots).BindFunc(func(e *core.RecordEvent) error {
		// The record goes first: a crash here leaves an orphan blob, which
		// the sweep removes, never a screenshot that points at nothing.
		s.deleteBlob(context.Background(), e.App, schema.Screenshot{Record: e.Record}.StorageKey())
		return e.Next()
	})
	for _, name := range []string{schema.Screenshots, schema.Activities} {
		app.OnRecordDeleteRequest(name).BindFunc(func(e *core.RecordRequestEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			action := "delete_" + name
			if e.Collection.Name == schema.Activities {
				action = "delete_time_block"
			}
			audit.Log(e.App, e.Auth, action, e.Record, nil)
			return nil
		})
	}
}

// deleteBlob removes a blob whose record is gone; a failure leaves it to
// the orphan sweep.
func (s *Server) deleteBlob(ctx context.Context, app core.App, key string) {
	store, err := s.store()
	if err == nil {
		err = store.Delete(ctx, key)
	}
	if err != nil {
		app.Logger().Warn("blob left for the orphan sweep", slog.String("key", key), slog.Any("error", err))
	}
}
