package hooks_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"
)

func TestWebAppServed(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:            "site root serves the embedded web app",
			Method:          http.MethodGet,
			URL:             "/",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{"<title>Tock</title>"},
			TestAppFactory:  factory,
		},
		{
			Name:            "API routes keep precedence over the web app",
			Method:          http.MethodGet,
			URL:             "/api/health",
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"code":200`},
			TestAppFactory:  factory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
