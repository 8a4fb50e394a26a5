package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/hooks/internal/hookstest"
)

func TestWebAppServed(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:            "site root serves the embedded web app",
			Method:          http.MethodGet,
			URL:             "/",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{"<title>Tock</title>"},
			TestAppFactory:  hookstest.Factory,
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				csp := res.Header.Get("Content-Security-Policy")
				for _, want := range []string{"default-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
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
