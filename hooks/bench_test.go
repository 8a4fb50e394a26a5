package hooks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/blobstore"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// seedScreenshots inserts n screenshot records for Acme in one transaction,
// spread over 5 people and 200 days, straight in SQL: a benchmark's setup,
// not the path under test.
func seedScreenshots(b *testing.B, app core.App, n int, start time.Time, every time.Duration) {
	b.Helper()
	people := []string{tt.Walt, tt.Carol, tt.Pam, tt.Tess, tt.Alice}
	act := tt.DataID("act", tt.Walt, tt.ProjA)
	err := app.RunInTransaction(func(tx core.App) error {
		q := tx.DB().NewQuery(`INSERT INTO screenshots
			(id, org, project, task, user, activity, taken_at, screen, width, height, blurred, size, sha256, key_id, storage_key, client_id, created, updated)
			VALUES ({:id}, {:org}, {:project}, '', {:user}, {:act}, {:taken}, 0, 1920, 1080, 0, 200000, {:sha}, 'k', {:key}, {:cid}, {:now}, {:now})`).Prepare()
		defer q.Close()
		now := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
		sha := strings.Repeat("0", 64)
		for i := 0; i < n; i++ {
			taken := start.Add(time.Duration(i) * every).UTC()
			id := fmt.Sprintf("bs%013d", i)
			_, err := q.Bind(dbx.Params{
				"id": id, "org": tt.Acme, "project": tt.ProjA, "user": people[i%len(people)], "act": act,
				"taken": taken.Format("2006-01-02 15:04:05.000Z"), "sha": sha,
				"key": "screenshots/" + tt.Acme + "/" + taken.Format("2006-01-02") + "/" + id + ".tock", "cid": id, "now": now,
			}).Execute()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
}

// BenchmarkManagerScreenshotList: the gallery's request — one person's
// screenshots of one day, newest first, a page of 30 — by an organization
// manager (screenshots enabled for managers) over 1,000,000 records.
// Reports p50/p95 latency.
func BenchmarkManagerScreenshotList(b *testing.B) {
	fx, err := matrixFixture()
	if err != nil {
		b.Fatal(err)
	}
	app := fx.App(b)
	defer app.Cleanup()
	setToggles(b, app, true)
	const total = 1_000_000
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	seedStart := time.Now()
	seedScreenshots(b, app, total, start, 17*time.Second) // ~197 days
	b.Logf("seeded %d screenshots in %s", total, time.Since(seedStart).Round(time.Millisecond))

	h := tt.Handler(b, app)
	token := fx.Token(b, tt.Bob)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		day := start.Add(time.Duration(i%190) * 24 * time.Hour)
		filter := fmt.Sprintf(`user = %q && taken_at >= %q && taken_at < %q`, tt.Walt,
			day.Format("2006-01-02 15:04:05.000Z"), day.Add(24*time.Hour).Format("2006-01-02 15:04:05.000Z"))
		req := tt.JSONRequest(http.MethodGet, "/api/collections/screenshots/records?perPage=30&sort=-taken_at&filter="+url.QueryEscape(filter), "", token)
		t0 := time.Now()
		status, _, body := tt.Send(h, req)
		lat = append(lat, time.Since(t0))
		if status != 200 || !strings.Contains(body, `"user":"`+tt.Walt+`"`) {
			b.Fatalf("list: %d %.300s", status, body)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
}

// BenchmarkRetention: one retention run over 100,000 expired screenshots,
// each with a blob on local disk: records, blobs and the orphan sweep.
func BenchmarkRetention(b *testing.B) {
	const total = 100_000
	for b.Loop() {
		b.StopTimer()
		p := newPipeline(b, "local", nil)
		start := time.Now().Add(-200 * 24 * time.Hour).Truncate(time.Hour)
		seedScreenshots(b, p.app, total, start, time.Second)
		var keys []string
		if err := p.app.DB().NewQuery("SELECT storage_key FROM screenshots WHERE id LIKE 'bs%'").Column(&keys); err != nil {
			b.Fatal(err)
		}
		// Setup only: plain writes, without the store's two fsyncs per blob.
		dir := p.store.(*blobstore.Local).Dir()
		for _, k := range keys {
			path := filepath.Join(dir, filepath.FromSlash(k))
			os.MkdirAll(filepath.Dir(path), 0o700)
			if err := os.WriteFile(path, []byte("sealed"), 0o600); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("seeded %d records, %d blobs", count(b, p.app, "screenshots", "id LIKE 'bs%'", nil), len(keys))
		b.StartTimer()
		t0 := time.Now()
		report, err := p.server.RunRetention(context.Background(), p.app, time.Now())
		elapsed := time.Since(t0)
		b.StopTimer()
		if err != nil || report.Screenshots != total {
			b.Fatalf("retention: %+v %v", report, err)
		}
		if n := p.blobCount(b); n != 0 {
			b.Fatalf("%d blobs left", n)
		}
		b.ReportMetric(elapsed.Seconds(), "s/100k")
		b.StartTimer()
	}
}
