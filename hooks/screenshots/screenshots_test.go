package screenshots_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func TestScreenshotStoredOnlyAsCiphertext(t *testing.T) {
	for _, kind := range hookstest.Stores {
		t.Run(kind, func(t *testing.T) {
			p := hookstest.NewPipeline(t, kind, nil)
			start := hookstest.Slot()
			act := p.Track(t, tt.Carol, tt.ProjA, start)
			s := p.Capture(t, tt.Carol, act, start, 1)

			stored := p.Raw(t, s.Key)
			if !bytes.Equal(stored, s.Env) {
				t.Fatalf("stored bytes differ from the uploaded envelope")
			}
			if envelope.HasImageMagic(stored) || bytes.Contains(stored, s.Img[:16]) {
				t.Fatalf("the store holds image bytes")
			}
			r, _ := p.App.FindRecordById(schema.Screenshots, s.Id)
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
				status, h, body := p.View(t, tc.user, s.Id, "image")
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
				if body != string(s.Img) {
					t.Errorf("%s got %d bytes, not the original %d", tc.user, len(body), len(s.Img))
				}
				if h.Get("Content-Type") != "image/jpeg" || !strings.Contains(h.Get("Cache-Control"), "no-store") ||
					!strings.Contains(h.Get("Cache-Control"), "private") || h.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("headers %v", h)
				}
			}
			status, h, body := p.View(t, tt.Alice, s.Id, "thumb")
			if status != 200 || h.Get("Content-Type") != "image/jpeg" || len(body) == 0 || body == string(s.Img) {
				t.Fatalf("thumbnail: %d %s, %d bytes", status, h.Get("Content-Type"), len(body))
			}
		})
	}
}

func TestUploadsAreIdempotent(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	act := p.Track(t, tt.Carol, tt.ProjA, start)
	first := p.Capture(t, tt.Carol, act, start, 2)

	// The agent retries the same upload after a lost answer.
	meta := ingest.Screenshot{ClientID: first.ClientID, Org: tt.Acme, Activity: act,
		TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Width: 64, Height: 48}
	status, _, body := tt.Send(p.Handler, tt.ScreenshotRequest(t, p.Token(t, tt.Carol), meta, first.Env))
	if status != 200 || !strings.Contains(body, first.Id) {
		t.Fatalf("repeat upload: %d %s", status, body)
	}
	if n := hookstest.Count(t, p.App, schema.Screenshots, "client_id = {:c}", map[string]any{"c": first.ClientID}); n != 1 {
		t.Fatalf("screenshots with that client_id: %d", n)
	}

	// The slot is reported again with more time: updated, not duplicated,
	// and its apps replaced.
	again := p.Track(t, tt.Carol, tt.ProjA, start)
	if again != act {
		t.Fatal("client ids differ")
	}
	if n := hookstest.Count(t, p.App, schema.Activities, "client_id = {:c}", map[string]any{"c": act}); n != 1 {
		t.Fatalf("activities with that client_id: %d", n)
	}
	a, _ := p.App.FindFirstRecordByData(schema.Activities, "client_id", act)
	if n := hookstest.Count(t, p.App, schema.AppUsage, "activity = {:a}", map[string]any{"a": a.Id}); n != 1 {
		t.Fatalf("app usage rows after a repeat: %d", n)
	}
}

func TestBadUploadsStoreNothing(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", func(c *config.Config) { c.MaxEnvelopeBytes = 4096 })
	start := hookstest.Slot()
	act := p.Track(t, tt.Carol, tt.ProjA, start)
	carol := p.Token(t, tt.Carol)
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
			return tt.Seal(t, p.App, *md, img)
		}, 400},
		{"taken in the future", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			m.Activity = p.Track(t, tt.Carol, tt.ProjA, time.Now().UTC().Truncate(10*time.Minute))
			future := time.Now().Add(time.Hour).Truncate(time.Millisecond)
			m.TakenAt, md.TakenAt = future, future
			return tt.Seal(t, p.App, *md, img)
		}, 400},
		{"sealed for another screen than declared", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			md.Screen = 1
			return tt.Seal(t, p.App, *md, img)
		}, 400},
		{"sealed for a key the organization doesn't have", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			env, _ := envelope.Seal(bytes.NewReader(bytes.Repeat([]byte{9}, 64)), foreignKey.Public, *md, img)
			return env
		}, 400},
		{"truncated envelope", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			return tt.Seal(t, p.App, *md, img)[:40]
		}, 400},
		{"plain JPEG instead of an envelope", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte { return img }, 400},
		{"too large", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			return tt.Seal(t, p.App, *md, make([]byte, 5000))
		}, 413},
		{"no envelope", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte { return nil }, 400},
		{"someone else's activity", p.Token(t, tt.Walt), func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			md.User = tt.Walt
			return tt.Seal(t, p.App, *md, img)
		}, 400},
		{"an organization the uploader isn't in", p.Token(t, tt.Dave), func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			md.User = tt.Dave
			return tt.Seal(t, p.App, *md, img)
		}, 404},
		{"not signed in", "", func(m *ingest.Screenshot, md *envelope.Metadata) []byte { return tt.Seal(t, p.App, *md, img) }, 401},
		{"microsecond timestamp", carol, func(m *ingest.Screenshot, md *envelope.Metadata) []byte {
			ts := start.Add(time.Minute + time.Microsecond)
			m.TakenAt, md.TakenAt = ts, ts
			return tt.Seal(t, p.App, *md, img)
		}, 400},
	}
	for _, tc := range shots {
		t.Run("screenshot/"+tc.name, func(t *testing.T) {
			m, md := good()
			env := tc.mutate(&m, &md)
			before := p.BlobCount(t)
			status, _, body := tt.Send(p.Handler, tt.ScreenshotRequest(t, tc.token, m, env))
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			if n := hookstest.Count(t, p.App, schema.Screenshots, "client_id = {:c}", map[string]any{"c": m.ClientID}); n != 0 {
				t.Fatal("a record was stored")
			}
			if after := p.BlobCount(t); after != before {
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
			before := hookstest.Count(t, p.App, schema.Activities, "1=1", nil)
			status, _, body := tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(in), p.Token(t, tc.user)))
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			if after := hookstest.Count(t, p.App, schema.Activities, "1=1", nil); after != before {
				t.Fatalf("activities went from %d to %d", before, after)
			}
		})
	}
}

// A slot's unusable captures are reported with it, so the server knows a
// screenshot is missing for a reason.
func TestCaptureErrorsAreStored(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	in := ingest.Activity{ClientID: "act-capture-errors", Org: tt.Acme, Project: tt.ProjA, SlotStart: hookstest.Slot(), TrackedSeconds: 600, CaptureErrors: 2}
	status, _, body := tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, ingest.ActivitiesRoute, tt.ActivityBody(in), p.Token(t, tt.Carol)))
	if status != 200 || !strings.Contains(body, `"capture_errors":2`) {
		t.Fatalf("%d %s", status, body)
	}
}

// TestUploadSeesRoleChangesAtOnce: the ingest routes keep an uploader's roles
// between uploads, yet a member demoted to viewer of the project, restored,
// or removed from the organization is answered by their very next upload.
func TestUploadSeesRoleChangesAtOnce(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	act := p.Track(t, tt.Walt, tt.ProjA, start)
	token := p.Token(t, tt.Walt)
	upload := func(seed byte) int {
		meta := ingest.Screenshot{ClientID: "shot-roles-" + string('a'+rune(seed)) + "-0001", Org: tt.Acme, Activity: act,
			TakenAt: start.Add(time.Duration(seed) * time.Second).Truncate(time.Millisecond), Width: 64, Height: 48}
		env := tt.Seal(t, p.App, envelope.Metadata{ID: meta.ClientID, Org: meta.Org, User: tt.Walt, TakenAt: meta.TakenAt}, tt.JPEG(t, 64, 48, seed))
		status, _, _ := tt.Send(p.Handler, tt.ScreenshotRequest(t, token, meta, env))
		return status
	}
	pm := tt.ProjectMemberID(tt.Walt, tt.ProjA)
	steps := []struct {
		what   string
		change func()
		want   int
	}{
		{"a member of project A", func() {}, http.StatusOK},
		{"demoted to viewer of project A", func() { hookstest.SetFields(t, p.App, schema.ProjectMembers, pm, map[string]any{"role": "viewer"}) }, http.StatusForbidden},
		{"restored to user of project A", func() { hookstest.SetFields(t, p.App, schema.ProjectMembers, pm, map[string]any{"role": "user"}) }, http.StatusOK},
		{"removed from the organization", func() {
			r, err := p.App.FindRecordById(schema.Memberships, tt.MembershipID(tt.Walt))
			if err != nil {
				t.Fatal(err)
			}
			if err := p.App.Delete(r); err != nil {
				t.Fatal(err)
			}
		}, http.StatusNotFound},
	}
	for i, s := range steps {
		s.change()
		if got := upload(byte(i + 1)); got != s.want {
			t.Fatalf("%s: upload answered %d, want %d", s.what, got, s.want)
		}
	}
}

// TestClientIDOfAnotherUploaderRefused: an upload reusing the client_id of
// someone else's stored screenshot is refused, and that screenshot's blob is
// left as it was (the blob's key derives from the client_id).
func TestClientIDOfAnotherUploaderRefused(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	carols := p.Capture(t, tt.Carol, p.Track(t, tt.Carol, tt.ProjA, start), start, 3)
	walts := p.Track(t, tt.Walt, tt.ProjA, start)
	meta := ingest.Screenshot{ClientID: carols.ClientID, Org: tt.Acme, Activity: walts,
		TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Width: 64, Height: 48}
	env := tt.Seal(t, p.App, envelope.Metadata{ID: meta.ClientID, Org: meta.Org, User: tt.Walt, TakenAt: meta.TakenAt}, tt.JPEG(t, 64, 48, 9))
	if status, _, body := tt.Send(p.Handler, tt.ScreenshotRequest(t, p.Token(t, tt.Walt), meta, env)); status != http.StatusBadRequest {
		t.Fatalf("upload reusing Carol's client_id: %d %s, want 400", status, body)
	}
	if !bytes.Equal(p.Raw(t, carols.Key), carols.Env) {
		t.Fatal("Carol's blob changed")
	}
}

// TestScreenshotIDsFollowUploadOrder: the server names each stored
// screenshot with a record id that sorts after every earlier one, in
// PocketBase's id format, so an installation's millions of rows take each
// new one at the end of the id index rather than on a random page of it.
func TestScreenshotIDsFollowUploadOrder(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	act := p.Track(t, tt.Carol, tt.ProjA, start)
	format := regexp.MustCompile(`^[a-z0-9]{15}$`)
	prev := ""
	for seed := byte(1); seed <= 8; seed++ {
		id := p.Capture(t, tt.Carol, act, start, seed).Id
		if !format.MatchString(id) {
			t.Fatalf("record id %q isn't 15 characters of [a-z0-9]", id)
		}
		if id <= prev {
			t.Fatalf("record id %q of upload %d sorts before %q of the upload before it", id, seed, prev)
		}
		prev = id
	}
}
