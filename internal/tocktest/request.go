package tocktest

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// Do sends one request through app's real router, with every OnServe route
// and middleware registered, as tests.ApiScenario does, and returns the status
// and body for tests whose expectations are computed rather than fixed.
func Do(t testing.TB, app core.App, method, url, body, token string) (int, string) {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	serve := &core.ServeEvent{App: app, Router: router}
	var status int
	var out string
	err = app.OnServe().Trigger(serve, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		if err != nil {
			return err
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		mux.ServeHTTP(rec, req)
		status, out = rec.Code, rec.Body.String()
		return nil
	})
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	return status, out
}
