package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	pbpublic "github.com/tock-app/tock/pb_public"
)

func TestWebAppServed(t *testing.T) {
	site, err := pbpublic.NewSite(pbpublic.FS())
	if err != nil {
		t.Fatal(err)
	}
	scenarios := []tests.ApiScenario{
		{
			Name:            "site root serves the embedded web app",
			Method:          http.MethodGet,
			URL:             "/",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{"<title>Tock</title>", `<script type="importmap">`, `src="/js/app.js?v=`},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				csp := res.Header.Get("Content-Security-Policy")
				// The import map is the page's one inline script, let in by its hash.
				for _, want := range []string{"default-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "script-src 'self' 'sha256-"} {
					if !strings.Contains(csp, want) {
						t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
					}
				}
				if res.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Error("no X-Content-Type-Options: nosniff")
				}
			},
		},
		{
			Name:            "a module carries an ETag and is revalidated on each use",
			Method:          http.MethodGet,
			URL:             "/js/app.js",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{"import"},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				if !strings.HasPrefix(res.Header.Get("ETag"), `"`) || res.Header.Get("Cache-Control") != "no-cache" {
					t.Errorf("ETag %q, Cache-Control %q", res.Header.Get("ETag"), res.Header.Get("Cache-Control"))
				}
			},
		},
		{
			Name:            "a module at its version is kept by the browser without asking again",
			Method:          http.MethodGet,
			URL:             site.URL("js/app.js"),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{"import"},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
					t.Errorf("Cache-Control %q", cc)
				}
			},
		},
		{
			Name:            "API routes keep precedence over the web app",
			Method:          http.MethodGet,
			URL:             "/api/health",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"code":200`},
			TestAppFactory:  hookstest.Factory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

// TestWebAppRevalidates: a browser that has the module asks with its ETag
// and gets a 304 without the body; a stale ETag gets the module again.
func TestWebAppRevalidates(t *testing.T) {
	app := hookstest.Factory(t)
	defer app.Cleanup()
	h := tt.Handler(t, app)
	get := func(etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/js/api.js", nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	first := get("")
	tag := first.Header().Get("ETag")
	if first.Code != 200 || tag == "" {
		t.Fatalf("first load: %d, ETag %q", first.Code, tag)
	}
	if again := get(tag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("revalidation: %d with %d bytes, want 304 and none", again.Code, again.Body.Len())
	}
	if stale := get(`"stale"`); stale.Code != 200 || !strings.Contains(stale.Body.String(), "export") {
		t.Errorf("stale ETag: %d", stale.Code)
	}
}
