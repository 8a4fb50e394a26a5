//go:build unix

package main

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/tock-app/tock/hooks"
	"github.com/tock-app/tock/internal/steady"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// processMeter is this process's processor time, for a server served in it.
type processMeter struct{}

func (processMeter) CPU() (time.Duration, error) { return tt.ProcessCPU(), nil }

// BenchmarkIngestDuringRetention: while one retention run deletes the oldest
// day of the steady-state history (14,400 screenshots for 100 members, with
// their blobs on local disk, and their apps), 8 agents upload 200 KB
// envelopes over loopback HTTP, as in BenchmarkIngest. The app is served in
// this process (httptest), not by a `tock serve` process, because the run's
// clock is set to the evening of that day, so that the day goes whole; its
// cpu-ms/upload therefore counts the agents, the server and the retention
// run. Reports the uploads' rate and p50/p99 latency, and the retention's
// wall time (retention-s) and screenshots deleted. Size the run with
// -benchtime so the uploads last about as long as the retention.
func BenchmarkIngestDuringRetention(b *testing.B) {
	st := steady.OpenOnLocalDisk(b, func(cfg *hooks.Config) {
		// The run's clock is ahead of the uploads' (see below): the sweeps
		// must still take the uploads' fresh files for ones in flight.
		cfg.TempGrace, cfg.OrphanGrace = 48*time.Hour, 48*time.Hour
	})
	shape, app, srv, store := st.Shape, st.App, st.Server, st.Store
	oldest := steady.Day(time.Now(), shape.Days-1)
	if _, err := steady.Blobs(app, store, oldest); err != nil {
		b.Fatal(err)
	}
	if _, err := app.DB().Update(schema.Organizations, dbx.Params{"retention_days": 90}, dbx.HashExp{"id": steady.Org}).Execute(); err != nil {
		b.Fatal(err)
	}
	web := httptest.NewServer(tt.Handler(b, app))
	b.Cleanup(web.Close)
	uploads := agentUploads(b, web.URL, steadyAgent(b, web.URL))

	type result struct {
		took  time.Duration
		shots int
		err   error
	}
	done := make(chan result, 1)
	go func() {
		t0 := time.Now()
		// The cutoff falls in the evening of the oldest day: it goes whole, the next stays.
		report, err := srv.RunRetention(context.Background(), app, oldest.Add(90*24*time.Hour+23*time.Hour))
		done <- result{time.Since(t0), report.Screenshots, err}
	}()
	benchUploads(b, processMeter{}, uploads)
	r := <-done
	if r.err != nil || r.shots != shape.Members*steady.Hours*6*steady.Shots {
		b.Fatalf("retention deleted %d screenshots: %v", r.shots, r.err)
	}
	b.ReportMetric(r.took.Seconds(), "retention-s")
	b.ReportMetric(float64(r.shots), "screenshots")
}
