package hooks_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
	"github.com/tock-app/tock/migrations"
)

// stores are the two real blob stores every screenshot test runs against.
var stores = []string{"local", "s3"}

// pipeline is one test app with a blob store of the given kind and a raw
// handle on that store, to read what is really stored.
type pipeline struct {
	app     *tests.TestApp
	server  *hooks.Server
	store   blobstore.Store
	handler http.Handler
}

func newPipeline(t testing.TB, kind string, tweak func(*config.Config)) pipeline {
	t.Helper()
	fx, err := matrixFixture()
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
	return pipeline{app: app, server: srv, store: cfg.Store, handler: tt.Handler(t, app)}
}

// slot is a recent, aligned 10-minute slot.
func slot() time.Time { return time.Now().UTC().Truncate(10 * time.Minute).Add(-20 * time.Minute) }

func (p pipeline) token(t testing.TB, user string) string {
	fx, _ := matrixFixture()
	return fx.Token(t, user)
}

// track uploads an activity for user in project at start and returns its client id.
func (p pipeline) track(t testing.TB, user, project string, start time.Time) string {
	t.Helper()
	id := fmt.Sprintf("act-%s-%s-%d", user[3:7], project[3:8], start.Unix())
	status, _, body := tt.Send(p.handler, tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(ingest.Activity{
		ClientID: id, Org: tt.Acme, Project: project, SlotStart: start,
		TrackedSeconds: 600, KeyboardSeconds: 200, MouseSeconds: 300, ActiveSeconds: 420,
		Apps: []ingest.AppSeconds{{App: "browser", Title: "Docs", URL: "https://docs.example/x", Seconds: 400}},
	}), p.token(t, user)))
	if status != http.StatusOK {
		t.Fatalf("activity upload: %d %s", status, body)
	}
	return id
}

type shot struct {
	id, clientID, key string
	img, env          []byte
}

// capture uploads one sealed JPEG taken a minute into activity's slot.
func (p pipeline) capture(t testing.TB, user, activity string, start time.Time, seed byte) shot {
	t.Helper()
	img := tt.JPEG(t, 64, 48, seed)
	meta := ingest.Screenshot{
		ClientID: fmt.Sprintf("shot-%s-%d-%d", user[3:7], start.Unix(), seed), Org: tt.Acme, Activity: activity,
		TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Screen: 0, Width: 64, Height: 48,
	}
	env := tt.Seal(t, p.app, envelope.Metadata{ID: meta.ClientID, Org: meta.Org, User: user, TakenAt: meta.TakenAt, Screen: meta.Screen}, img)
	status, _, body := tt.Send(p.handler, tt.ScreenshotRequest(t, p.token(t, user), meta, env))
	if status != http.StatusOK {
		t.Fatalf("screenshot upload: %d %s", status, body)
	}
	var rec struct {
		ID string `json:"id"`
	}
	json.Unmarshal([]byte(body), &rec)
	r, err := p.app.FindRecordById(migrations.Screenshots, rec.ID)
	if err != nil {
		t.Fatalf("uploaded screenshot not stored: %v", err)
	}
	return shot{id: rec.ID, clientID: meta.ClientID, key: r.GetString("storage_key"), img: img, env: env}
}

func (p pipeline) raw(t testing.TB, key string) []byte {
	t.Helper()
	rc, err := p.store.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("raw blob %s: %v", key, err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return b
}

func (p pipeline) view(t testing.TB, user, id, kind string) (int, http.Header, string) {
	req := httptest.NewRequest(http.MethodGet, "/api/tock/screenshots/"+id+"/"+kind, nil)
	if user != "" {
		req.Header.Set("Authorization", p.token(t, user))
	}
	return tt.Send(p.handler, req)
}

func TestScreenshotStoredOnlyAsCiphertext(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			p := newPipeline(t, kind, nil)
			start := slot()
			act := p.track(t, tt.Carol, tt.ProjA, start)
			s := p.capture(t, tt.Carol, act, start, 1)

			stored := p.raw(t, s.key)
			if !bytes.Equal(stored, s.env) {
				t.Fatalf("stored bytes differ from the uploaded envelope")
			}
			if envelope.HasImageMagic(stored) || bytes.Contains(stored, s.img[:16]) {
				t.Fatalf("the store holds image bytes")
			}
			r, _ := p.app.FindRecordById(migrations.Screenshots, s.id)
			sum := sha256.Sum256(stored)
			if r.GetString("sha256") != hex.EncodeToString(sum[:]) || r.GetInt("size") != len(stored) {
				t.Fatalf("record sha256/size don't describe the ciphertext")
			}

			// Who may see it: the owner, Carol herself, the manager of
			// project A and its viewer; not Walt, not Bob (toggle off), not Dave.
			for _, tc := range []struct {
				user string
				want int
			}{
				{tt.Alice, 200}, {tt.Carol, 200}, {tt.Pam, 200}, {tt.Vic, 200}, {tt.Tess, 200},
				{tt.Walt, 404}, {tt.Bob, 404}, {tt.Dave, 404}, {"", 404},
			} {
				status, h, body := p.view(t, tc.user, s.id, "image")
				if status != tc.want {
					t.Errorf("%s viewing: %d, want %d", tc.user, status, tc.want)
					continue
				}
				if tc.want != 200 {
					if strings.Contains(body, "\xff\xd8") {
						t.Errorf("%s got image bytes with a %d", tc.user, status)
					}
					continue
				}
				if body != string(s.img) {
					t.Errorf("%s got %d bytes, not the original %d", tc.user, len(body), len(s.img))
				}
				if h.Get("Content-Type") != "image/jpeg" || !strings.Contains(h.Get("Cache-Control"), "no-store") ||
					!strings.Contains(h.Get("Cache-Control"), "private") || h.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("headers %v", h)
				}
			}
			status, h, body := p.view(t, tt.Alice, s.id, "thumb")
			if status != 200 || h.Get("Content-Type") != "image/jpeg" || len(body) == 0 || body == string(s.img) {
				t.Fatalf("thumbnail: %d %s, %d bytes", status, h.Get("Content-Type"), len(body))
			}
		})
	}
}

func TestUploadsAreIdempotent(t *testing.T) {
	p := newPipeline(t, "local", nil)
	start := slot()
	act := p.track(t, tt.Carol, tt.ProjA, start)
	first := p.capture(t, tt.Carol, act, start, 2)

	// The agent retries the same upload after a lost answer.
	meta := ingest.Screenshot{ClientID: first.clientID, Org: tt.Acme, Activity: act,
		TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Width: 64, Height: 48}
	status, _, body := tt.Send(p.handler, tt.ScreenshotRequest(t, p.token(t, tt.Carol), meta, first.env))
	if status != 200 || !strings.Contains(body, first.id) {
		t.Fatalf("repeat upload: %d %s", status, body)
	}
	if n := count(t, p.app, migrations.Screenshots, "client_id = {:c}", map[string]any{"c": first.clientID}); n != 1 {
		t.Fatalf("screenshots with that client_id: %d", n)
	}

	// The slot is reported again with more time: updated, not duplicated,
	// and its apps replaced.
	again := p.track(t, tt.Carol, tt.ProjA, start)
	if again != act {
		t.Fatal("client ids differ")
	}
	if n := count(t, p.app, migrations.Activities, "client_id = {:c}", map[string]any{"c": act}); n != 1 {
		t.Fatalf("activities with that client_id: %d", n)
	}
	a, _ := p.app.FindFirstRecordByData(migrations.Activities, "client_id", act)
	if n := count(t, p.app, migrations.AppUsage, "activity = {:a}", map[string]any{"a": a.Id}); n != 1 {
		t.Fatalf("app usage rows after a repeat: %d", n)
	}
}

func TestBadUploadsStoreNothing(t *testing.T) {
	p := newPipeline(t, "local", func(c *config.Config) { c.MaxEnvelopeBytes = 4096 })
	start := slot()
	act := p.track(t, tt.Carol, tt.ProjA, start)
	carol := p.token(t, tt.Carol)
	good := func() (ingest.Screenshot, envelope.Metadata) {
		m := ingest.Screenshot{ClientID: "shot-bad-case-1", Org: tt.Acme, Activity: act,
			TakenAt: start.Add(2 * time.Minute).Truncate(time.Millisecond), Width: 64, Height: 48}
		return m, envelope.Metadata{ID: m.ClientID, Org: m.Org, User: tt.Carol, TakenAt: m.TakenAt, Screen: m.Screen}
	}
	img := tt.JPEG(t, 64, 48, 3)
	foreignKey, _ := envelope.GenerateKeyPair(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))

	shots := []struct {
		name   string
		token  string
		mutate func(*ingest.Screenshot, *envelope.Metadata) []byte // returns the envelope
		want   int
	}{
		{"taken before its slot", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			m.TakenAt, md.TakenAt = start.Add(-time.Second), start.Add(-time.Second)
			return tt.Seal(t, p.app, *md, img)
		}, 400},
		{"taken in the future", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			m.Activity = p.track(t, tt.Carol, tt.ProjA, time.Now().UTC().Truncate(10*time.Minute))
			future := time.Now().Add(time.Hour).Truncate(time.Millisecond)
			m.TakenAt, md.TakenAt = future, future
			return tt.Seal(t, p.app, *md, img)
		}, 400},
		{"sealed for another screen than declared", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			md.Screen = 1
			return tt.Seal(t, p.app, *md, img)
		}, 400},
		{"sealed for a key the organization doesn't have", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			env, _ := envelope.Seal(bytes.NewReader(bytes.Repeat([]byte{9}, 64)), foreignKey.Public, *md, img)
			return env
		}, 400},
		{"truncated envelope", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			return tt.Seal(t, p.app, *md, img)[:40]
		}, 400},
		{"plain JPEG instead of an envelope", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte { return img }, 400},
		{"too large", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			return tt.Seal(t, p.app, *md, make([]byte, 5000))
		}, 413},
		{"no envelope", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte { return nil }, 400},
		{"someone else's activity", p.token(t, tt.Walt), func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			md.User = tt.Walt
			return tt.Seal(t, p.app, *md, img)
		}, 400},
		{"an organization the uploader isn't in", p.token(t, tt.Dave), func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			md.User = tt.Dave
			return tt.Seal(t, p.app, *md, img)
		}, 404},
		{"not signed in", "", func(m *ingest.Screenshot, md *envelope.Metadata) []byte { return tt.Seal(t, p.app, *md, img) }, 401},
		{"microsecond timestamp", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			ts := start.Add(time.Minute + time.Microsecond)
			m.TakenAt, md.TakenAt = ts, ts
			return tt.Seal(t, p.app, *md, img)
		}, 400},
	}
	for _, tc := range shots {
		t.Run("screenshot/"+tc.name, func(t *testing.T) {
			m, md := good()
			env := tc.mutate(&m, &md)
			before := p.blobCount(t)
			status, _, body := tt.Send(p.handler, tt.ScreenshotRequest(t, tc.token, m, env))
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			if n := count(t, p.app, migrations.Screenshots, "client_id = {:c}", map[string]any{"c": m.ClientID}); n != 0 {
				t.Fatal("a record was stored")
			}
			if after := p.blobCount(t); after != before {
				t.Fatalf("blobs went from %d to %d", before, after)
			}
		})
	}

	activities := []struct {
		name string
		user string
		in   ingest.Activity
		want int
	}{
		{"slot not aligned", tt.Carol, ingest.Activity{SlotStart: start.Add(time.Minute), TrackedSeconds: 60}, 400},
		{"slot in the future", tt.Carol, ingest.Activity{SlotStart: start.Add(24 * time.Hour), TrackedSeconds: 60}, 400},
		{"more than a slot", tt.Carol, ingest.Activity{SlotStart: start, TrackedSeconds: 601}, 400},
		{"more keyboard than tracked", tt.Carol, ingest.Activity{SlotStart: start, TrackedSeconds: 60, KeyboardSeconds: 61}, 400},
		{"a viewer never tracks", tt.Vic, ingest.Activity{SlotStart: start, TrackedSeconds: 60}, 403},
		{"a project the uploader isn't on", tt.Carol, ingest.Activity{Project: tt.ProjB, SlotStart: start, TrackedSeconds: 60}, 403},
		{"another organization's project", tt.Carol, ingest.Activity{Project: tt.ProjG, SlotStart: start, TrackedSeconds: 60}, 403},
		{"a task of another project", tt.Carol, ingest.Activity{Task: tt.TaskB, SlotStart: start, TrackedSeconds: 60}, 400},
		{"apps longer than the slot", tt.Carol, ingest.Activity{SlotStart: start, TrackedSeconds: 60,
			Apps: []ingest.AppSeconds{{App: "a", Seconds: 400}, {App: "b", Seconds: 400}}}, 400},
		{"bad client id", tt.Carol, ingest.Activity{ClientID: "x", SlotStart: start, TrackedSeconds: 60}, 400},
		{"negative capture errors", tt.Carol, ingest.Activity{SlotStart: start, TrackedSeconds: 60, CaptureErrors: -1}, 400},
	}
	for _, tc := range activities {
		t.Run("activity/"+tc.name, func(t *testing.T) {
			in := tc.in
			if in.ClientID == "" {
				in.ClientID = "act-bad-case-0001"
			}
			in.Org = tt.Acme
			if in.Project == "" {
				in.Project = tt.ProjA
			}
			before := count(t, p.app, migrations.Activities, "1=1", nil)
			status, _, body := tt.Send(p.handler, tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(in), p.token(t, tc.user)))
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			if after := count(t, p.app, migrations.Activities, "1=1", nil); after != before {
				t.Fatalf("activities went from %d to %d", before, after)
			}
		})
	}
}

func (p pipeline) blobCount(t testing.TB) int {
	t.Helper()
	n := 0
	if err := p.store.List(context.Background(), "", func(blobstore.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func (p pipeline) blobExists(t testing.TB, key string) bool {
	_, err := p.store.Stat(context.Background(), key)
	return err == nil
}

// A slot's unusable captures are reported with it, so the server knows a
// screenshot is missing for a reason.
func TestCaptureErrorsAreStored(t *testing.T) {
	p := newPipeline(t, "local", nil)
	in := ingest.Activity{ClientID: "act-capture-errors", Org: tt.Acme, Project: tt.ProjA, SlotStart: slot(), TrackedSeconds: 600, CaptureErrors: 2}
	status, _, body := tt.Send(p.handler, tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(in), p.token(t, tt.Carol)))
	if status != 200 || !strings.Contains(body, `"capture_errors":2`) {
		t.Fatalf("%d %s", status, body)
	}
}
