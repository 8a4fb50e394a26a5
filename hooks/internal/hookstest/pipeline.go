package hookstest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tests"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/ingest"
	"github.com/tock-app/tock/internal/miniotest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// UploadActivity sends Carol's activity for slot with apps and returns the
// answer.
func (p Pipeline) UploadActivity(t *testing.T, id string, start time.Time, apps []ingest.AppSeconds) (int, string) {
	t.Helper()
	status, _, body := tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(ingest.Activity{
		ClientID: id, Org: tt.Acme, Project: tt.ProjA, SlotStart: start, TrackedSeconds: 600, Apps: apps,
	}), p.Token(t, tt.Carol)))
	return status, body
}

// Stores are the two real blob stores every screenshot test runs against.
var Stores = []string{"local", "s3"}

// Pipeline is one test app with a blob store of the given kind and a raw
// handle on that store, to read what is really stored.
type Pipeline struct {
	App     *tests.TestApp
	Server  *hooks.Server
	Store   blobstore.Store
	Handler http.Handler
}

func NewPipeline(t testing.TB, kind string, tweak func(*config.Config)) Pipeline {
	t.Helper()
	fx, err := MatrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	cfg := tt.Config()
	var store blobstore.Store
	switch kind {
	case "local":
		store, err = blobstore.NewLocal(t.TempDir())
	case "s3":
		store, err = blobstore.NewS3(context.Background(), blobstore.S3Config(miniotest.Start(t)))
	}
	if err != nil {
		t.Fatalf("%s store: %v", kind, err)
	}
	cfg.Store = store
	if tweak != nil {
		tweak(&cfg)
	}
	app, srv := fx.AppWith(t, cfg)
	t.Cleanup(app.Cleanup)
	return Pipeline{App: app, Server: srv, Store: cfg.Store, Handler: tt.Handler(t, app)}
}

// Slot is a recent, aligned 10-minute slot.
func Slot() time.Time { return time.Now().UTC().Truncate(10 * time.Minute).Add(-20 * time.Minute) }

func (p Pipeline) Token(t testing.TB, user string) string {
	fx, _ := MatrixFixture()
	return fx.Token(t, user)
}

// Track uploads an activity for user in project at start and returns its client id.
func (p Pipeline) Track(t testing.TB, user, project string, start time.Time) string {
	t.Helper()
	id := fmt.Sprintf("act-%s-%s-%d", user[3:7], project[3:8], start.Unix())
	status, _, body := tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(ingest.Activity{
		ClientID: id, Org: tt.Acme, Project: project, SlotStart: start,
		TrackedSeconds: 600, KeyboardSeconds: 200, MouseSeconds: 300, ActiveSeconds: 420,
		Apps: []ingest.AppSeconds{{App: "browser", Title: "Docs", URL: "https://docs.example/x", Seconds: 400}},
	}), p.Token(t, user)))
	if status != http.StatusOK {
		t.Fatalf("activity upload: %d %s", status, body)
	}
	return id
}

type Shot struct {
	Id, ClientID, Key string
	Img, Env          []byte
}

// Capture uploads one sealed JPEG taken a minute into activity's slot.
func (p Pipeline) Capture(t testing.TB, user, activity string, start time.Time, seed byte) Shot {
	t.Helper()
	img := tt.JPEG(t, 64, 48, seed)
	meta := ingest.Screenshot{
		ClientID: fmt.Sprintf("shot-%s-%d-%d", user[3:7], start.Unix(), seed), Org: tt.Acme, Activity: activity,
		TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Screen: 0, Width: 64, Height: 48,
	}
	env := tt.Seal(t, p.App, envelope.Metadata{ID: meta.ClientID, Org: meta.Org, User: user, TakenAt: meta.TakenAt, Screen: meta.Screen}, img)
	status, _, body := tt.Send(p.Handler, tt.ScreenshotRequest(t, p.Token(t, user), meta, env))
	if status != http.StatusOK {
		t.Fatalf("screenshot upload: %d %s", status, body)
	}
	var rec struct {
		ID string `json:"id"`
	}
	json.Unmarshal([]byte(body), &rec)
	r, err := p.App.FindRecordById(schema.Screenshots, rec.ID)
	if err != nil {
		t.Fatalf("uploaded screenshot not stored: %v", err)
	}
	return Shot{Id: rec.ID, ClientID: meta.ClientID, Key: r.GetString("storage_key"), Img: img, Env: env}
}

func (p Pipeline) Raw(t testing.TB, key string) []byte {
	t.Helper()
	rc, err := p.Store.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("raw blob %s: %v", key, err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return b
}

func (p Pipeline) View(t testing.TB, user, id, kind string) (int, http.Header, string) {
	req := httptest.NewRequest(http.MethodGet, "/api/tock/screenshots/"+id+"/"+kind, nil)
	if user != "" {
		req.Header.Set("Authorization", p.Token(t, user))
	}
	return tt.Send(p.Handler, req)
}

func (p Pipeline) BlobCount(t testing.TB) int {
	t.Helper()
	n := 0
	if err := p.Store.List(context.Background(), "", func(blobstore.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func (p Pipeline) BlobExists(t testing.TB, key string) bool {
	_, err := p.Store.Stat(context.Background(), key)
	return err == nil
}
