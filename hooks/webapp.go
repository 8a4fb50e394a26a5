package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	pbpublic "github.com/tock-app/tock/pb_public"
)

// webAppPolicy lets the web app load and fetch from the appliance alone: it
// keeps working on a closed LAN, and an injected script could neither run
// nor send screenshots elsewhere. Decrypted screenshots are blob: URLs.
const webAppPolicy = "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// registerWebApp serves the embedded web app at the site root. It binds last
// so that API routes and PocketBase's own always take precedence.
func registerWebApp(app core.App) {
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			if !e.Router.HasRoute(http.MethodGet, "/{path...}") {
				static := apis.Static(pbpublic.FS(), true)
				e.Router.GET("/{path...}", func(re *core.RequestEvent) error {
					h := re.Response.Header()
					h.Set("Content-Security-Policy", webAppPolicy)
					h.Set("X-Content-Type-Options", "nosniff")
					h.Set("Referrer-Policy", "no-referrer")
					return static(re)
				})
			}
			return e.Next()
		},
		Priority: 999,
	})
}
