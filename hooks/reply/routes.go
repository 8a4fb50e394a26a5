package reply

import (
	"compress/gzip"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/tock-app/tock/migrations/schema"
)

// Route is one of Tock's own routes for signed-in people: most of them are.
type Route struct {
	method, path string
	handle       func(*core.RequestEvent) error
}

// GET is a route answering GET requests on path.
func GET(path string, handle func(*core.RequestEvent) error) Route {
	return Route{http.MethodGet, path, handle}
}

// POST is a route answering POST requests on path.
func POST(path string, handle func(*core.RequestEvent) error) Route {
	return Route{http.MethodPost, path, handle}
}

// ServeSignedIn registers routes when the server starts, each refusing a
// request without a signed-in user (401) before its handler runs. Routes
// that anyone may call (an invitation's details, enrolment) or that answer
// the agent in their own way are registered by their domain directly.
func ServeSignedIn(app core.App, routes ...Route) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		auth, gzip := apis.RequireAuth(schema.Users), Compressed()
		for _, r := range routes {
			e.Router.Route(r.method, r.path, r.handle).Bind(auth, gzip)
		}
		return e.Next()
	})
}

// CompressFrom is the size from which an answer is gzipped: below it,
// compressing costs more time than the bytes it saves.
const CompressFrom = 16 << 10

// Compressed gzips an answer of CompressFrom bytes or more for a client
// that accepts it (every browser does): the gallery of a hundred members'
// day is 2.0 MB of JSON and 153 kB gzipped (BenchmarkSteadyGalleryAll),
// which over a real network is most of the page's wait. The fastest level:
// on loopback, where bytes cost nothing, the compressing is all the answer
// pays.
func Compressed() *hook.Handler[*core.RequestEvent] {
	return apis.GzipWithConfig(apis.GzipConfig{Level: gzip.BestSpeed, MinLength: CompressFrom})
}
