package hooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// storedNothing fails unless no activity has client id and no app usage
// hangs off it.
func storedNothing(t *testing.T, p hookstest.Pipeline, id string) {
	t.Helper()
	if n := hookstest.Count(t, p.App, schema.Activities, "client_id = {:c}", map[string]any{"c": id}); n != 0 {
		t.Errorf("a refused activity %s was stored", id)
	}
}

func appUsageOf(t *testing.T, p hookstest.Pipeline, id string) int {
	t.Helper()
	act, err := p.App.FindFirstRecordByData(schema.Activities, "client_id", id)
	if err != nil {
		t.Fatalf("activity %s not stored: %v", id, err)
	}
	return hookstest.Count(t, p.App, schema.AppUsage, "activity = {:a}", map[string]any{"a": act.Id})
}

// TestActivityAppFieldLimits: each app field at its bound is stored whole;
// one character more is a 400 naming the field, and nothing is stored.
func TestActivityAppFieldLimits(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	for i, f := range []struct {
		name string
		max  int
		set  func(*ingest.AppSeconds, string)
	}{
		{"app", ingest.MaxAppLen, func(a *ingest.AppSeconds, v string) { a.App = v }},
		{"title", ingest.MaxTitleLen, func(a *ingest.AppSeconds, v string) { a.Title = v }},
		{"url", ingest.MaxURLLen, func(a *ingest.AppSeconds, v string) { a.URL = v }},
	} {
		for _, n := range []int{f.max, f.max + 1} {
			id := fmt.Sprintf("bound-%s-%d", f.name, n)
			apps := []ingest.AppSeconds{{App: "editor", Seconds: 60}, {App: "editor", Title: "x", Seconds: 60}}
			f.set(&apps[1], strings.Repeat("é", n)) // characters, not bytes
			status, body := p.UploadActivity(t, id, start.Add(-time.Duration(2*i+n-f.max)*10*time.Minute), apps)
			if n == f.max {
				if status != http.StatusOK || appUsageOf(t, p, id) != 2 {
					t.Errorf("%s of %d characters: %d %s", f.name, n, status, body)
				}
				continue
			}
			if want := fmt.Sprintf("apps[1].%s", f.name); status != http.StatusBadRequest || !strings.Contains(body, want) {
				t.Errorf("%s of %d characters: %d %s, want 400 naming %s", f.name, n, status, body, want)
			}
			storedNothing(t, p, id)
		}
	}
}

// TestActivityAppsMergedAndCounted: entries with the same app, title and
// URL are one record with their seconds added; at most 100 distinct entries.
func TestActivityAppsMergedAndCounted(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	distinct := func(n, copies int) []ingest.AppSeconds {
		var apps []ingest.AppSeconds
		for c := 0; c < copies; c++ {
			for i := 0; i < n; i++ {
				apps = append(apps, ingest.AppSeconds{App: fmt.Sprintf("app-%d", i), Title: "t", URL: "https://x.example/", Seconds: 1})
			}
		}
		return apps
	}
	if status, body := p.UploadActivity(t, "apps-at-bound", start, distinct(ingest.MaxApps, 1)); status != http.StatusOK || appUsageOf(t, p, "apps-at-bound") != ingest.MaxApps {
		t.Errorf("%d distinct apps: %d %s", ingest.MaxApps, status, body)
	}
	status, body := p.UploadActivity(t, "apps-beyond", start.Add(-10*time.Minute), distinct(ingest.MaxApps+1, 1))
	if status != http.StatusBadRequest || !strings.Contains(body, `"apps"`) {
		t.Errorf("%d distinct apps: %d %s, want 400 naming apps", ingest.MaxApps+1, status, body)
	}
	storedNothing(t, p, "apps-beyond")

	if status, body := p.UploadActivity(t, "apps-repeated", start.Add(-20*time.Minute), distinct(ingest.MaxApps, 3)); status != http.StatusOK {
		t.Fatalf("%d apps, 3 copies each: %d %s", ingest.MaxApps, status, body)
	}
	if n := appUsageOf(t, p, "apps-repeated"); n != ingest.MaxApps {
		t.Errorf("3 copies of %d apps stored as %d records", ingest.MaxApps, n)
	}
	if n := hookstest.Count(t, p.App, schema.AppUsage, "app = 'app-7' AND seconds = 3", nil); n != 1 {
		t.Errorf("the copies' seconds weren't added up (%d records of 3 s)", n)
	}
}

// TestScreenshotMetaLimit: meta of 16 KB (padded with a field Tock doesn't
// know) is accepted and the unknown field isn't stored; a byte more is a
// 400 naming meta, with neither record nor blob stored.
func TestScreenshotMetaLimit(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	act := p.Track(t, tt.Carol, tt.ProjA, start)
	for _, size := range []int{ingest.MaxMetaBytes, ingest.MaxMetaBytes + 1} {
		meta := ingest.Screenshot{ClientID: fmt.Sprintf("meta-%d", size), Org: tt.Acme, Activity: act,
			TakenAt: start.Add(time.Minute), Width: 64, Height: 48}
		raw, _ := json.Marshal(meta)
		padded := string(raw[:len(raw)-1]) + `,"pad":"` // unknown to Tock
		padded += strings.Repeat("p", size-len(padded)-2) + `"}`
		env := tt.Seal(t, p.App, envelope.Metadata{ID: meta.ClientID, Org: tt.Acme, User: tt.Carol, TakenAt: meta.TakenAt}, tt.JPEG(t, 64, 48, 1))
		status, _, body := tt.Send(p.Handler, tt.RawScreenshotRequest(t, p.Token(t, tt.Carol), padded, env))
		stored := hookstest.Count(t, p.App, schema.Screenshots, "client_id = {:c}", map[string]any{"c": meta.ClientID})
		if size == ingest.MaxMetaBytes {
			if status != http.StatusOK || stored != 1 || strings.Contains(body, "pad") {
				t.Errorf("meta of %d bytes: %d %.300s", size, status, body)
			}
			continue
		}
		if status != http.StatusBadRequest || !strings.Contains(body, `"meta"`) || stored != 0 {
			t.Errorf("meta of %d bytes: %d %s (stored %d), want 400 naming meta", size, status, body, stored)
		}
		var blobs []string
		p.Store.List(context.Background(), "screenshots/", func(i blobstore.Info) error { blobs = append(blobs, i.Key); return nil })
		for _, b := range blobs {
			if strings.Contains(b, meta.ClientID) {
				t.Errorf("a refused screenshot's blob was stored: %s", b)
			}
		}
	}
}

// TestRouteBodyLimits: a body at its route's limit is read (valid JSON
// padded with a field Tock doesn't know, which isn't stored), a byte more is
// a 413 that stores nothing, whether its length is declared or not.
func TestRouteBodyLimits(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	manual := strings.Replace(api.ManualTimeRoute, "{org}", tt.Acme, 1)
	cases := []struct {
		name, url, user string
		limit           int
		body            func(i int) string
		stored          func(i int) int
	}{
		{"activity", ingest.ActivitiesRoute, tt.Carol, ingest.MaxActivityBytes,
			func(i int) string {
				return tt.ActivityBody(ingest.Activity{ClientID: fmt.Sprintf("body-limit-%d", i), Org: tt.Acme, Project: tt.ProjA,
					SlotStart: start.Add(-time.Duration(i) * 10 * time.Minute), TrackedSeconds: 60})
			},
			func(i int) int {
				return hookstest.Count(t, p.App, schema.Activities, "client_id = {:c}", map[string]any{"c": fmt.Sprintf("body-limit-%d", i)})
			}},
		{"manual time (the default limit)", manual, tt.Alice, api.DefaultBodyBytes, func(i int) string {
			from := start.Add(-24*time.Hour - time.Duration(i)*time.Hour)
			return hookstest.ManualBody("", tt.ProjA, from, from.Add(10*time.Minute), "")
		},
			func(int) int { return hookstest.ManualCount(t, p.App, tt.Alice) }},
		{"locations", strings.Replace(api.LocationsRoute, "{org}", tt.Acme, 1), tt.Carol, api.MaxLocationBodyBytes, func(i int) string {
			return hookstest.Batch(hookstest.Point(fmt.Sprintf("loc-limit-%d", i), time.Now().UTC().Add(-time.Minute), 52.5, 13.4, ""))
		},
			func(int) int {
				return hookstest.Count(t, p.App, schema.Locations, "user = {:u}", map[string]any{"u": tt.Carol})
			}},
	}
	i := 0
	for _, tc := range cases {
		for _, extra := range []int{0, 1} {
			for _, declared := range []bool{true, false} {
				i++
				before := tc.stored(i)
				body := tc.body(i)
				body = body[:len(body)-1] + `,"pad":"`
				body += strings.Repeat("p", tc.limit+extra-len(body)-2) + `"}`
				req := tt.JSONRequest(http.MethodPost, tc.url, body, p.Token(t, tc.user))
				if !declared {
					req.ContentLength = -1 // as a chunked body comes
				}
				status, _, out := tt.Send(p.Handler, req)
				after := tc.stored(i)
				switch {
				case extra == 0 && (status != http.StatusOK || after != before+1 || strings.Contains(out, "ppp")):
					t.Errorf("%s, body at the limit (declared %v): %d %.300s", tc.name, declared, status, out)
				case extra == 1 && (status != http.StatusRequestEntityTooLarge || after != before):
					t.Errorf("%s, body a byte over (declared %v): %d %.300s, stored %d→%d", tc.name, declared, status, out, before, after)
				}
			}
		}
	}
}

// TestHolidayPoliciesKeepOnlyKnownKeys: a holiday's keys other than date
// and name are dropped, not stored.
func TestHolidayPoliciesKeepOnlyKnownKeys(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	body := fmt.Sprintf(`{"org":%q,"name":"Holidays","holidays":[{"date":"2026-12-25","name":"Christmas","secret":"not kept"}]}`, tt.Acme)
	status, _, out := tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, hookstest.RecordsURL(schema.HolidayPolicies), body, p.Token(t, tt.Alice)))
	if status != http.StatusOK {
		t.Fatalf("create: %d %s", status, out)
	}
	var rec struct{ ID string }
	json.Unmarshal([]byte(out), &rec)
	r, err := p.App.FindRecordById(schema.HolidayPolicies, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if raw := r.GetString("holidays"); strings.Contains(raw, "secret") || !strings.Contains(raw, "Christmas") {
		t.Errorf("stored holidays: %s", raw)
	}
}

// TestEmailLength: an e-mail field takes 254 characters, not 255.
func TestEmailLength(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	for _, n := range []int{schema.MaxEmailLen, schema.MaxEmailLen + 1} {
		email := strings.Repeat("a", 64) + "@" + strings.Repeat("b", n-64-1-8) + ".example"
		body := fmt.Sprintf(`{"org":%q,"name":"Client %d","email":%q}`, tt.Acme, n, email)
		status, _, out := tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, hookstest.RecordsURL(schema.Clients), body, p.Token(t, tt.Alice)))
		stored := hookstest.Count(t, p.App, schema.Clients, "name = {:n}", map[string]any{"n": fmt.Sprintf("Client %d", n)})
		if n == schema.MaxEmailLen && (status != http.StatusOK || stored != 1) {
			t.Errorf("e-mail of %d characters: %d %s", n, status, out)
		}
		if n > schema.MaxEmailLen && (status != http.StatusBadRequest || !strings.Contains(out, `"email"`) || stored != 0) {
			t.Errorf("e-mail of %d characters: %d %s, want 400 naming email", n, status, out)
		}
	}
}

// TestLargestLocationBatchFits: the route's limit leaves room for the
// largest batch the protocol allows: 500 points with the longest client ids
// and the longest numbers JSON gives a float.
func TestLargestLocationBatchFits(t *testing.T) {
	points := make([]string, schema.MaxLocationBatch)
	for i := range points {
		id := fmt.Sprintf("%0*d", schema.MaxLocationClientID, i)
		points[i] = hookstest.Point(id, time.Now().UTC(), -89.12345678901234, -179.12345678901234, `,"project":"prjacmea0000001"`)
	}
	if n := len(hookstest.Batch(points...)); n > api.MaxLocationBodyBytes {
		t.Errorf("the largest batch is %d bytes, over the route's %d", n, api.MaxLocationBodyBytes)
	}
}

// TestScreenshotRouteBodyLimit: an upload whose whole body (envelope, meta
// and framing, padded with a form field Tock doesn't read) is at the route's
// limit is stored; a byte more is a 413 and stores nothing.
func TestScreenshotRouteBodyLimit(t *testing.T) {
	const envelopeMax = 64 << 10
	p := hookstest.NewPipeline(t, "local", func(c *config.Config) { c.MaxEnvelopeBytes = envelopeMax })
	start := hookstest.Slot()
	act := p.Track(t, tt.Carol, tt.ProjA, start)
	limit := envelopeMax + ingest.MaxMetaBytes + 16<<10 // the route's framing allowance
	for _, extra := range []int{0, 1} {
		meta := ingest.Screenshot{ClientID: fmt.Sprintf("route-limit-%d", extra), Org: tt.Acme, Activity: act,
			TakenAt: start.Add(time.Minute), Width: 64, Height: 48}
		env := tt.Seal(t, p.App, envelope.Metadata{ID: meta.ClientID, Org: tt.Acme, User: tt.Carol, TakenAt: meta.TakenAt}, tt.JPEG(t, 64, 48, 2))
		m, _ := json.Marshal(meta)
		body, contentType := multipartOf(t, string(m), env, 0)
		body, contentType = multipartOf(t, string(m), env, limit+extra-len(body))
		if len(body) != limit+extra {
			t.Fatalf("built a body of %d bytes, want %d", len(body), limit+extra)
		}
		req := httptest.NewRequest(http.MethodPost, ingest.ScreenshotsRoute, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", p.Token(t, tt.Carol))
		status, _, out := tt.Send(p.Handler, req)
		stored := hookstest.Count(t, p.App, schema.Screenshots, "client_id = {:c}", map[string]any{"c": meta.ClientID})
		if extra == 0 && (status != http.StatusOK || stored != 1) {
			t.Errorf("upload at the route's limit: %d %.300s", status, out)
		}
		if extra == 1 && (status != http.StatusRequestEntityTooLarge || stored != 0) {
			t.Errorf("upload a byte over the route's limit: %d %.300s (stored %d)", status, out, stored)
		}
	}
}

// multipartOf is a screenshot upload with a "pad" form field whose value
// grows the body by pad bytes beyond its length without one (pad 0: none).
func multipartOf(t *testing.T, meta string, env []byte, pad int) ([]byte, string) {
	t.Helper()
	build := func(value string) ([]byte, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.SetBoundary("tock-test-boundary")
		w.WriteField("meta", meta)
		f, _ := w.CreateFormFile("envelope", "e.tock")
		f.Write(env)
		if value != "" {
			w.WriteField("pad", value)
		}
		w.Close()
		return b.Bytes(), w.FormDataContentType()
	}
	if pad <= 0 {
		return build("")
	}
	bare, _ := build("")
	framed, _ := build("p")
	return build(strings.Repeat("p", pad-(len(framed)-len(bare))+1))
}
