package pbpublic_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
	pbpublic "github.com/tock-app/tock/pb_public"
)

// resource is a Resource Timing entry of the page: what it loaded, and how
// many bytes came over the network for it (0: from the browser's cache
// without asking the server; a 304 costs its headers).
type resource struct {
	Name     string  `json:"name"`
	Transfer float64 `json:"transfer"`
}

const resources = `performance.getEntriesByType("resource").map((r) => ({ name: r.name, transfer: r.transferSize }))`

// TestPageLoadAsksForItsDataAlone: once the browser has the app, loading a
// page asks the server for the page itself and the page's data only: the
// style sheet and every module come from the browser's cache with no
// revalidation, and no other page's module is loaded at all.
func TestPageLoadAsksForItsDataAlone(t *testing.T) {
	w := newWorld(t, matrixFixture)
	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	open(t, b, w, "members")
	open(t, b, w, "members")
	b.Wait(t, "members shown", `performance.getEntriesByName("tock:page-shown").length > 0`)
	var static, api, modules int
	for _, r := range bt.Eval[[]resource](t, b, resources) {
		path := strings.TrimPrefix(r.Name, w.srv.URL)
		switch {
		case strings.HasPrefix(path, "/api/"):
			api++
		case strings.HasPrefix(path, "/js/views/") && !strings.HasPrefix(path, "/js/views/members.js?") &&
			!strings.HasPrefix(path, "/js/views/dashboards.js?") && !strings.HasPrefix(path, "/js/views/desktop.js?"):
			t.Errorf("the members page loaded another page's module: %s", path)
		case r.Transfer > 0:
			t.Errorf("%s came over the network (%.0f bytes), not from the cache", path, r.Transfer)
			static++
		default:
			if strings.Contains(path, ".js?v=") || strings.Contains(path, ".mjs?v=") {
				modules++
			}
		}
	}
	if modules < 8 || api == 0 || static != 0 {
		t.Errorf("%d modules from the cache, %d files and %d API requests over the network", modules, static, api)
	}
}

// TestUpgradeReachesTheBrowser: after the server's files change (an
// upgrade), the next page load runs the new modules although the browser
// keeps modules without asking; a page still open from before gets no
// module of the new version mixed into its old ones (its late import
// fails, and the app then loads the page afresh).
func TestUpgradeReachesTheBrowser(t *testing.T) {
	t.Parallel()
	version := func(n int) *pbpublic.Site {
		site, err := pbpublic.NewSite(fstest.MapFS{
			"index.html": {Data: []byte(`<!doctype html><html><head><title>t</title><link rel="icon" href="data:,"><!-- importmap --><script type="module" src="/js/app.js"></script></head><body></body></html>`)},
			"js/app.js": {Data: []byte(`import { version } from "./version.js";
document.body.dataset.version = version;
window.later = () => import("./later.js").then((m) => m.version, () => "failed");`)},
			"js/version.js": {Data: []byte(fmt.Sprintf(`export const version = "%d";`, n))},
			"js/later.js":   {Data: []byte(fmt.Sprintf(`export const version = "%d";`, n))},
		})
		if err != nil {
			t.Fatal(err)
		}
		return site
	}
	var site atomic.Pointer[pbpublic.Site]
	site.Store(version(1))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := site.Load()
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src data:; script-src 'self' "+s.ScriptSource())
		s.ServeHTTP(w, r)
	}))
	defer srv.Close()
	b := bt.New(t, srv.URL, 800, 600)
	load := func(want string) {
		t.Helper()
		b.Do(t, "load the page", chromedp.Navigate("about:blank"), chromedp.Navigate(srv.URL+"/"))
		b.Wait(t, "version "+want, fmt.Sprintf(`document.body.dataset.version === %q`, want))
	}
	load("1")
	load("1")
	for _, r := range bt.Eval[[]resource](t, b, resources) {
		if r.Transfer > 0 {
			t.Errorf("%s asked of the server again: %.0f bytes", r.Name, r.Transfer)
		}
	}
	site.Store(version(2))
	if got := bt.Eval[string](t, b, `window.later()`); got != "failed" {
		t.Errorf("the page of version 1 loaded version %s of a module", got)
	}
	load("2")
	if got := bt.Eval[string](t, b, `window.later()`); got != "2" {
		t.Errorf("after the upgrade, a late module is of version %s", got)
	}
	if e := b.Errors(); len(e) > 0 {
		t.Errorf("page errors: %v", e)
	}
}
