package hooks

import (
	"fmt"
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
			if e.Router.HasRoute(http.MethodGet, "/{path...}") {
				return e.Next()
			}
			site, err := pbpublic.NewSite(pbpublic.FS())
			if err != nil {
				return fmt.Errorf("web app: %w", err)
			}
			// The page's inline scripts (its import map, its early
			// requests) run by their hashes, and no other inline script.
			policy := webAppPolicy + "; script-src 'self' " + site.ScriptSource()
			serve := apis.WrapStdHandler(site)
			e.Router.GET("/{path...}", func(re *core.RequestEvent) error {
				h := re.Response.Header()
				h.Set("Content-Security-Policy", policy)
				h.Set("X-Content-Type-Options", "nosniff")
				h.Set("Referrer-Policy", "no-referrer")
				return serve(re)
			}).Bind(apis.SkipSuccessActivityLog()) // as apis.Static: no log row per file
			return e.Next()
		},
		Priority: 999,
	})
}
