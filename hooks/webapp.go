package hooks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"path"

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
				tags, err := webAppTags(pbpublic.FS())
				if err != nil {
					slog.Error("web app: no ETags, the browser will download it whole on every load", "err", err)
				}
				e.Router.GET("/{path...}", func(re *core.RequestEvent) error {
					h := re.Response.Header()
					h.Set("Content-Security-Policy", webAppPolicy)
					h.Set("X-Content-Type-Options", "nosniff")
					h.Set("Referrer-Policy", "no-referrer")
					if tag := tagOf(tags, re.Request.PathValue("path")); tag != "" {
						h.Set("ETag", tag) // http.ServeContent answers If-None-Match with 304
						h.Set("Cache-Control", "no-cache")
					}
					return static(re)
				})
			}
			return e.Next()
		},
		Priority: 999,
	})
}

// webAppTags are ETags of the embedded files, made once: the files can't
// change while the server runs. With them (and "no-cache": ask each time)
// the browser keeps the app's modules, a new version still reaching it at
// once, and a load revalidates each with a 304 instead of downloading and
// compiling some forty modules again (Chromium reuses its compiled code of
// a cached script).
func webAppTags(fsys fs.FS) (map[string]string, error) {
	tags := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		sum := sha256.Sum256(b)
		tags[p] = `"` + hex.EncodeToString(sum[:12]) + `"`
		return nil
	})
	return tags, err
}

// tagOf is the ETag of what the web app serves at a path: the file, or the
// page itself for any path that names none (apis.Static's fallback).
func tagOf(tags map[string]string, p string) string {
	name := path.Clean("/" + p)[1:]
	if tag, ok := tags[name]; ok {
		return tag
	}
	return tags["index.html"]
}
