package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	pbpublic "github.com/tock-app/tock/pb_public"
)

// registerWebApp serves the embedded web app at the site root. It binds last
// so that API routes and PocketBase's own always take precedence.
func registerWebApp(app core.App) {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			if !e.Router.HasRoute(http.MethodGet, "/{path...}") {
				e.Router.GET("/{path...}", apis.Static(pbpublic.FS(), true))
			}
			return e.Next()
		},
		Priority: 999,
	})
}
