//go:build unix

package hooks_test

import (
	"context"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/tock-app/tock/internal/steady"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// BenchmarkSteadyOrphanSweep: the hourly retention run when nothing
// expires, with a blob on local disk for every screenshot of the steady
// state (1.3 million for 100 members), all older than the orphan grace
// period: what the orphan sweep costs every hour. The runs first make one
// whole pass over the store (the first after an upgrade, sized by the
// screenshots stored), reported as pass-s and pass-cpu-s; then each
// measured run checks its share of the next pass (1/24 of the blobs the
// first one found).
func BenchmarkSteadyOrphanSweep(b *testing.B) {
	st := steady.OpenOnLocalDisk(b, nil)
	app, srv, store := st.App, st.Server, st.Store
	t0 := time.Now()
	blobs, err := steady.EveryBlob(app, store)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d blob files written in %v", blobs, time.Since(t0).Round(time.Second))
	now := time.Now().Add(2 * time.Hour) // every blob past the grace period
	run := func() (checked int, elapsed, cpu time.Duration) {
		t0, cpu0 := time.Now(), tt.ProcessCPU()
		report, err := srv.RunRetention(context.Background(), app, now)
		elapsed, cpu = time.Since(t0), tt.ProcessCPU()-cpu0
		if err != nil || report.Screenshots+report.OrphanBlobs != 0 {
			b.Fatalf("retention: %+v %v, want nothing removed", report, err)
		}
		now = now.Add(time.Hour)
		return report.BlobsChecked, elapsed, cpu
	}
	var passWall, passCPU time.Duration
	for checked := 0; checked < blobs; {
		n, elapsed, cpu := run()
		checked += n
		passWall, passCPU = passWall+elapsed, passCPU+cpu
	}
	b.ResetTimer()
	for b.Loop() {
		n, elapsed, cpu := run()
		b.ReportMetric(elapsed.Seconds(), "s/run")
		b.ReportMetric(cpu.Seconds(), "cpu-s/run")
		b.ReportMetric(float64(n), "checked/run")
	}
	b.ReportMetric(passWall.Seconds(), "pass-s")
	b.ReportMetric(passCPU.Seconds(), "pass-cpu-s")
	b.ReportMetric(float64(blobs), "blobs")
}

// BenchmarkSteadyRetentionHourly: the hourly retention run of an
// organization that keeps 30 days of screenshots and apps and, as every
// organization does, all its time: the steady state's other 60 days of slots
// (288,000 for 100 members) are past the cutoff, their apps already expired
// by a first run (untimed). Each measured run comes an hour after the last,
// so about an hour's slots expire: what every hour costs once an
// organization has history older than its retention.
func BenchmarkSteadyRetentionHourly(b *testing.B) {
	st := steady.OpenOnLocalDisk(b, nil)
	app, srv := st.App, st.Server
	if _, err := app.DB().Update(schema.Organizations, dbx.Params{schema.FieldRetentionDays: 30}, dbx.HashExp{"id": steady.Org}).Execute(); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	first, err := srv.RunRetention(context.Background(), app, now)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first run: %+v", first)
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(time.Hour)
		t0, cpu0 := time.Now(), tt.ProcessCPU()
		report, err := srv.RunRetention(context.Background(), app, now)
		elapsed, cpu := time.Since(t0), tt.ProcessCPU()-cpu0
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(elapsed.Seconds()*1000, "ms/run")
		b.ReportMetric(cpu.Seconds()*1000, "cpu-ms/run")
		b.ReportMetric(float64(report.AppUsage), "apps/run")
	}
}
