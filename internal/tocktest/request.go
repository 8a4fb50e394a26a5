package tocktest

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// Handler builds app's real router once, with every OnServe route and
// middleware registered as tests.ApiScenario does. Build it once per app:
// PocketBase binds routes anew each time a router is built.
func Handler(t testing.TB, app core.App) http.Handler {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	var mux http.Handler
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: router}, func(e *core.ServeEvent) error {
		m, err := e.Router.BuildMux()
		mux = m
		return err
	})
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	return mux
}

// GetOK sends a GET as a browser does (gzip accepted, when acceptGzip) and
// fails t on anything but a 200; it returns the headers, the body as the
// browser reads it (unzipped) and the body's size as sent.
func GetOK(t testing.TB, h http.Handler, url, token string, acceptGzip bool) (http.Header, string, int) {
	t.Helper()
	req := JSONRequest(http.MethodGet, url, "", token)
	if acceptGzip {
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	}
	status, header, body := Send(h, req)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", url, status, body)
	}
	plain, err := unzipped(header, body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return header, plain, len(body)
}

// unzipped is an answer's body unzipped when it came gzipped.
func unzipped(header http.Header, body string) (string, error) {
	if header.Get("Content-Encoding") != "gzip" {
		return body, nil
	}
	r, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("gzipped answer: %w", err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("gzipped answer: %w", err)
	}
	return string(plain), nil
}

// Send serves one request and returns the status, headers and body.
func Send(h http.Handler, req *http.Request) (int, http.Header, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String()
}

// JSONRequest is a request with a JSON body, authenticated by token when set.
func JSONRequest(method, url, body, token string) *http.Request {
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	return req
}

// Do sends one JSON request to a fresh router of app, for tests that make a
// single request per app and compute their expectations.
func Do(t testing.TB, app core.App, method, url, body, token string) (int, string) {
	t.Helper()
	status, _, out := Send(Handler(t, app), JSONRequest(method, url, body, token))
	return status, out
}

// Loopback serves a fresh copy of fx's world over real HTTP on loopback
// (for clients that need a socket: SSE, the agent's session) until the test
// ends.
func Loopback(t testing.TB, fx *Fixture) (core.App, *httptest.Server) {
	t.Helper()
	app := fx.App(t)
	t.Cleanup(app.Cleanup)
	srv := httptest.NewServer(Handler(t, app))
	t.Cleanup(srv.Close)
	return app, srv
}
