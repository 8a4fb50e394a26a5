package screenshots

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tock-app/tock/ingest"
)

// failingBody stands for the router's copying wrapper: reading it fails.
type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("read through the router's copy") }
func (failingBody) Close() error             { return nil }

// TestKeepRawBody: on a real server the screenshot route reads the body as it
// came off the connection, not through what the router put in its place;
// every other route keeps the router's body.
func TestKeepRawBody(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		raw          bool
	}{
		{http.MethodPost, ingest.ScreenshotsRoute, true},
		{http.MethodPost, ingest.ActivitiesRoute, false},
		{http.MethodGet, ingest.ScreenshotsRoute, false},
	} {
		var got string
		h := keepRawBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = failingBody{} // what PocketBase's router does
			b, err := io.ReadAll(uploadBody(r))
			if err != nil {
				got = "router's body"
				return
			}
			got = string(b)
		}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, tc.path, strings.NewReader("sealed")))
		want := "router's body"
		if tc.raw {
			want = "sealed"
		}
		if got != want {
			t.Errorf("%s %s read %q, want %q", tc.method, tc.path, got, want)
		}
	}
}
