package screenshots_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// part is one part of a hand-built multipart upload.
type part struct {
	name, file string
	body       []byte
}

func multipartUpload(token string, parts ...part) *http.Request {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, p := range parts {
		var dst interface{ Write([]byte) (int, error) }
		if p.file != "" {
			dst, _ = w.CreateFormFile(p.name, p.file)
		} else {
			dst, _ = w.CreateFormField(p.name)
		}
		dst.Write(p.body)
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPost, ingest.ScreenshotsRoute, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", token)
	return req
}

// TestScreenshotUploadParts: the upload is read as a stream of parts, in any
// order; a part twice, an oversized meta or a body that isn't multipart is
// refused and stores nothing.
func TestScreenshotUploadParts(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	act := p.Track(t, tt.Carol, tt.ProjA, start)
	token := p.Token(t, tt.Carol)
	upload := func(id string) (part, part) {
		m := ingest.Screenshot{ClientID: id, Org: tt.Acme, Activity: act, TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Width: 64, Height: 48}
		meta, _ := json.Marshal(m)
		env := tt.Seal(t, p.App, envelope.Metadata{ID: id, Org: tt.Acme, User: tt.Carol, TakenAt: m.TakenAt}, tt.JPEG(t, 64, 48, 5))
		return part{name: "meta", body: meta}, part{name: "envelope", file: id + ".tock", body: env}
	}
	meta, env := upload("shot-parts-00001")
	cases := []struct {
		name  string
		id    string
		req   *http.Request
		want  int
		saved bool
	}{
		{"envelope before meta", "shot-parts-00001", multipartUpload(token, env, meta), 200, true},
		{"meta twice", "shot-parts-00002", func() *http.Request { m, e := upload("shot-parts-00002"); return multipartUpload(token, m, m, e) }(), 400, false},
		{"envelope twice", "shot-parts-00003", func() *http.Request { m, e := upload("shot-parts-00003"); return multipartUpload(token, m, e, e) }(), 400, false},
		{"meta over its 16 KB", "shot-parts-00004", func() *http.Request {
			m, e := upload("shot-parts-00004")
			m.body = append(m.body[:len(m.body)-1], []byte(`,"pad":"`+strings.Repeat("x", ingest.MaxMetaBytes)+`"}`)...)
			return multipartUpload(token, m, e)
		}(), 400, false},
		{"no meta", "shot-parts-00005", func() *http.Request { _, e := upload("shot-parts-00005"); return multipartUpload(token, e) }(), 400, false},
		{"not multipart", "shot-parts-00006", tt.JSONRequest(http.MethodPost, ingest.ScreenshotsRoute, `{"meta":{}}`, token), 400, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := p.BlobCount(t)
			status, _, body := tt.Send(p.Handler, tc.req)
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			n := hookstest.Count(t, p.App, schema.Screenshots, "client_id = {:c}", map[string]any{"c": tc.id})
			if after := p.BlobCount(t); (n == 1) != tc.saved || (after > before) != tc.saved {
				t.Fatalf("saved %d records, blobs %d -> %d; want saved=%v", n, before, after, tc.saved)
			}
		})
	}
}

// TestRemovedKeyStopsVerifying: unwrapped keys are cached in memory, and a
// change to an organization's keys drops them at once: once a key's record
// is deleted, an upload sealed for it is refused even though the key was
// cached a moment before; after a rotation, both the new key and the older
// one still verify.
func TestRemovedKeyStopsVerifying(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	act := p.Track(t, tt.Carol, tt.ProjA, start)
	p.Capture(t, tt.Carol, act, start, 1) // caches the key
	rotate := tt.JSONRequest(http.MethodPost, "/api/tock/orgs/"+tt.Acme+"/keys/rotate", "", p.Token(t, tt.Alice))
	oldKey := tt.OrgPublicKey(t, p.App, tt.Acme)
	if status, _, body := tt.Send(p.Handler, rotate); status != http.StatusOK {
		t.Fatalf("rotate: %d %s", status, body)
	}
	p.Capture(t, tt.Carol, act, start, 2) // the new key
	upload := func(seed byte, pub [32]byte) int {
		id := fmt.Sprintf("shot-oldkey-%04d", seed)
		m := ingest.Screenshot{ClientID: id, Org: tt.Acme, Activity: act, TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Width: 64, Height: 48}
		env, err := envelope.Seal(bytes.NewReader(bytes.Repeat([]byte{seed}, 64)), pub,
			envelope.Metadata{ID: id, Org: tt.Acme, User: tt.Carol, TakenAt: m.TakenAt}, tt.JPEG(t, 64, 48, seed))
		if err != nil {
			t.Fatal(err)
		}
		status, _, _ := tt.Send(p.Handler, tt.ScreenshotRequest(t, p.Token(t, tt.Carol), m, env))
		return status
	}
	if status := upload(3, oldKey); status != http.StatusOK {
		t.Fatalf("an envelope for the older key: %d, want 200", status)
	}
	old, err := p.App.FindFirstRecordByData(schema.OrgKeys, "key_id", envelope.KeyID(oldKey))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.App.Delete(old); err != nil {
		t.Fatal(err)
	}
	if status := upload(4, oldKey); status != http.StatusBadRequest {
		t.Fatalf("an envelope for a deleted key: %d, want 400", status)
	}
}
