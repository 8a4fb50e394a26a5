package reply_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// apiAnswer is PocketBase's JSON error body.
type apiAnswer struct {
	Status  int            `json:"status"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data"`
}

// decodeAnswer reads an error answer, failing on anything but JSON.
func decodeAnswer(t *testing.T, header http.Header, body string) apiAnswer {
	t.Helper()
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON: %.200s", ct, body)
	}
	var a apiAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("not a JSON error: %v: %.200s", err, body)
	}
	return a
}

// TestStoreFailureIsTheServers: an upload that can't be stored because the
// blob store is unusable answers 500, leaks no cause, and stores no record.
func TestStoreFailureIsTheServers(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	stores := map[string]func(*config.Config){
		"local dir that can't be created": func(c *config.Config) {
			c.Store, c.Storage, c.LocalDir = nil, "local", filepath.Join(notADir, "screenshots")
		},
		"S3 endpoint nothing listens on": func(c *config.Config) {
			c.Store, c.Storage = nil, "s3"
			c.S3 = blobstore.S3Config{Endpoint: tt.FreeAddr(t), Bucket: "tock", AccessKey: "k", SecretKey: "s"}
		},
	}
	for name, tweak := range stores {
		t.Run(name, func(t *testing.T) {
			p := hookstest.NewPipeline(t, "local", tweak)
			start := hookstest.Slot()
			act := p.Track(t, tt.Carol, tt.ProjA, start)
			meta := ingest.Screenshot{ClientID: "shot-store-down", Org: tt.Acme, Activity: act,
				TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Width: 64, Height: 48}
			env := tt.Seal(t, p.App, envelope.Metadata{ID: meta.ClientID, Org: meta.Org, User: tt.Carol, TakenAt: meta.TakenAt}, tt.JPEG(t, 64, 48, 1))
			status, header, body := tt.Send(p.Handler, tt.ScreenshotRequest(t, p.Token(t, tt.Carol), meta, env))
			if status != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500: %s", status, body)
			}
			if a := decodeAnswer(t, header, body); strings.Contains(a.Message, "blobstore") || strings.Contains(body, notADir) {
				t.Errorf("the answer leaks the cause: %s", body)
			}
			if n := hookstest.Count(t, p.App, schema.Screenshots, "client_id = {:c}", map[string]any{"c": meta.ClientID}); n != 0 {
				t.Error("a record was stored")
			}
		})
	}
}

// TestDatabaseFailureIsTheServers: a table the request needs is gone — on a
// Tock route and in a model hook under PocketBase's record API — and both
// answer 500 where they answered 400 "Something went wrong".
func TestDatabaseFailureIsTheServers(t *testing.T) {
	cases := []struct {
		name, drop, method, url, body string
	}{
		{"agent's activity upload", schema.AppUsage, http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(ingest.Activity{
			ClientID: "act-db-down-1", Org: tt.Acme, Project: tt.AcmeWeb, SlotStart: hookstest.Slot(), TrackedSeconds: 60,
			Apps: []ingest.AppSeconds{{App: "editor", Seconds: 60}},
		})},
		{"organization creation (key pair saved by a model hook)", schema.OrgKeys, http.MethodPost,
			"/api/collections/organizations/records", `{"name":"Initech"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := hookstest.Factory(t)
			app.Settings().Logs.MaxDays = 1 // the fixture keeps no logs
			h := tt.Handler(t, app)
			if _, err := app.DB().NewQuery("DROP TABLE " + c.drop).Execute(); err != nil {
				t.Fatal(err)
			}
			status, header, body := tt.Send(h, tt.JSONRequest(c.method, c.url, c.body, hookstest.Fixture.Token(t, tt.Alice)))
			if status != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500: %s", status, body)
			}
			if a := decodeAnswer(t, header, body); strings.Contains(body, "no such table") || !strings.Contains(a.Message, "log") {
				t.Errorf("want a message pointing at the log, without the cause: %s", body)
			}
			if cause := serverLog(t, app, "request failed on the server"); !strings.Contains(cause, "no such table: "+c.drop) {
				t.Errorf("the log doesn't hold the cause: %q", cause)
			}
		})
	}
}

// serverLog waits for PocketBase's log writer (it flushes every 3 s) and
// returns the error logged with message.
func serverLog(t *testing.T, app core.App, message string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var logs []*core.Log
		if err := app.LogQuery().AndWhere(dbx.HashExp{"message": message}).All(&logs); err != nil {
			t.Fatal(err)
		}
		if len(logs) > 0 {
			return fmt.Sprint(logs[0].Data["error"])
		}
	}
	return ""
}

// TestClientFaultsStay4xx: the same routes still answer a client's mistakes
// with a 4xx that says what to fix.
func TestClientFaultsStay4xx(t *testing.T) {
	cases := []struct {
		name, method, url, body string
		want                    int
		says                    string
	}{
		{"activity slot not aligned", http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(ingest.Activity{
			ClientID: "act-client-1", Org: tt.Acme, Project: tt.AcmeWeb, SlotStart: hookstest.Slot().Add(time.Minute), TrackedSeconds: 60,
		}), http.StatusBadRequest, "slot_start"},
		{"activity in a project of another organization", http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(ingest.Activity{
			ClientID: "act-client-2", Org: tt.Acme, Project: tt.GlobexApp, SlotStart: hookstest.Slot(), TrackedSeconds: 60,
		}), http.StatusBadRequest, ""},
		{"organization without a name", http.MethodPost, "/api/collections/organizations/records", `{"name":""}`,
			http.StatusBadRequest, ""},
		{"time off with a policy that doesn't exist", http.MethodPost, "/api/tock/orgs/" + tt.Acme + "/time_off_requests",
			`{"policy":"nosuchpolicy001","start":"2026-01-05","end":"2026-01-05","hours":8}`, http.StatusBadRequest, "policy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := hookstest.Factory(t)
			status, header, body := tt.Send(tt.Handler(t, app), tt.JSONRequest(c.method, c.url, c.body, hookstest.Fixture.Token(t, tt.Alice)))
			if status != c.want {
				t.Fatalf("status %d, want %d: %s", status, c.want, body)
			}
			if a := decodeAnswer(t, header, body); !strings.Contains(strings.ToLower(a.Message+body), c.says) {
				t.Errorf("answer doesn't mention %q: %s", c.says, body)
			}
		})
	}
}

// TestUnknownAPIPathsAnswerJSON: under /api/ no request gets the web app's
// index.html: an unknown path is a JSON 404, a known one asked with the
// wrong method a JSON 405 naming the right one; the web app's own routes
// still serve index.html.
func TestUnknownAPIPathsAnswerJSON(t *testing.T) {
	h := tt.Handler(t, hookstest.Factory(t))
	cases := []struct {
		method, url string
		want        int
		allow       string
	}{
		{http.MethodGet, ingest.ScreenshotsRoute, http.StatusMethodNotAllowed, "POST"},
		{http.MethodPut, ingest.ActivitiesRoute, http.StatusMethodNotAllowed, "POST"},
		{http.MethodDelete, "/api/health", http.StatusMethodNotAllowed, "GET"},
		{http.MethodPost, "/api/tock/orgs/" + tt.Acme + "/reports", http.StatusMethodNotAllowed, "GET"},
		{http.MethodGet, "/api/tock/no-such-route", http.StatusNotFound, ""},
		{http.MethodGet, "/api/nothing/here", http.StatusNotFound, ""},
		{http.MethodPost, "/api/tock/no-such-route", http.StatusNotFound, ""},
		{http.MethodDelete, "/api/", http.StatusNotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.url, func(t *testing.T) {
			status, header, body := tt.Send(h, httptest.NewRequest(c.method, c.url, nil))
			if status != c.want {
				t.Fatalf("status %d, want %d: %.200s", status, c.want, body)
			}
			if a := decodeAnswer(t, header, body); a.Status != c.want {
				t.Errorf("JSON status %d, want %d", a.Status, c.want)
			}
			if got := header.Get("Allow"); got != c.allow {
				t.Errorf("Allow %q, want %q", got, c.allow)
			}
		})
	}
	for _, page := range []string{"/", "/timesheets", "/screenshots/usrcarol0000001"} {
		status, header, body := tt.Send(h, httptest.NewRequest(http.MethodGet, page, nil))
		if status != http.StatusOK || !strings.Contains(body, "<title>Tock</title>") || !strings.HasPrefix(header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s = %d %s, want the web app: %.100s", page, status, header.Get("Content-Type"), body)
		}
	}
}
