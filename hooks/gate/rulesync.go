package gate

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations"
)

// RegisterRuleSync re-applies the API rules compiled from the matrix each
// time the server starts, after migrations: only migrations wrote them, so
// an edit to perms/permissions.tsv, migrations/access.go or the compiler
// never reached a database migrated before it. Collections whose rules
// already match are left alone; a failure stops the server, as a stale
// second line of defence must not serve.
func RegisterRuleSync(app core.App) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		changes, err := migrations.SyncRules(e.App)
		if err != nil {
			return fmt.Errorf("re-apply API rules: %w", err)
		}
		for _, c := range changes {
			e.App.Logger().Info("API rules re-applied from the permission matrix",
				slog.String("collection", c.Collection), slog.String("rules", strings.Join(c.Rules, ",")))
		}
		return e.Next()
	})
}
