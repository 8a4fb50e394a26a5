package screenshots_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestOrphanSweepInSlices: each hourly run checks only its share of the
// blob store, resuming where the last one stopped (its place kept in the
// database, so a restart resumes it too), and one pass removes every orphan,
// whatever its organization or day, while the blobs of committed screenshots
// stay, and so does a young blob (an upload in flight) until a later pass
// finds it old.
func TestOrphanSweepInSlices(t *testing.T) {
	for _, kind := range hookstest.Stores {
		t.Run(kind, func(t *testing.T) {
			p := hookstest.NewPipeline(t, kind, func(c *config.Config) { c.OrphanSweepMin = 2 })
			ctx := context.Background()
			start := hookstest.Slot()
			act := p.Track(t, tt.Carol, tt.ProjA, start)
			var committed []string
			for i := range 3 {
				committed = append(committed, p.Capture(t, tt.Carol, act, start, byte(40+i)).Key)
			}
			var orphans []string
			for _, org := range []string{tt.Acme, tt.Globex, "orgdeleted00001"} {
				for _, day := range []string{"2026-01-01", start.Format(time.DateOnly)} {
					orphans = append(orphans, "screenshots/"+org+"/"+day+"/orphan-"+org[3:8]+".tock")
				}
			}
			for _, k := range orphans {
				if err := p.Store.Put(ctx, k, strings.NewReader("sealed"), 6); err != nil {
					t.Fatal(err)
				}
			}
			blobs := len(committed) + len(orphans) // 9: a pass is five runs of two

			later := time.Now().Add(2 * time.Hour) // every blob past the grace period
			removed := 0
			for run := 1; run <= 5; run++ {
				r, err := p.Server.RunRetention(ctx, p.App, later)
				if err != nil {
					t.Fatal(err)
				}
				if r.BlobsChecked > 2 || (run < 5 && r.BlobsChecked != 2) {
					t.Fatalf("run %d checked %d blobs, want its share of 2", run, r.BlobsChecked)
				}
				removed += r.OrphanBlobs
				if run == 1 {
					if left := countExisting(t, p, orphans); left == 0 {
						t.Fatal("the first run swept the whole store")
					}
					if n := hookstest.Count(t, p.App, schema.JobMarks, schema.FieldMark+" LIKE '%\"after\":\"screenshots/%'", nil); n != 1 {
						t.Fatalf("the sweep's place isn't in the database: %d marks", n)
					}
				}
			}
			if removed != len(orphans) || countExisting(t, p, orphans) != 0 {
				t.Fatalf("one pass removed %d of %d orphans", removed, len(orphans))
			}
			if n := countExisting(t, p, committed); n != len(committed) {
				t.Fatalf("the sweep removed %d blobs of committed screenshots", len(committed)-n)
			}
			if p.BlobCount(t) != blobs-len(orphans) {
				t.Fatalf("%d blobs left, want %d", p.BlobCount(t), blobs-len(orphans))
			}

			// A blob written just now, whose record isn't committed yet, outlives a
			// whole pass at the present time; the pass after the grace period takes it.
			young := "screenshots/" + tt.Acme + "/" + start.Format(time.DateOnly) + "/in-flight.tock"
			if err := p.Store.Put(ctx, young, strings.NewReader("sealed"), 6); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if r, err := p.Server.RunRetention(ctx, p.App, time.Now()); err != nil || r.OrphanBlobs != 0 {
					t.Fatalf("a pass now: %+v %v, want nothing removed", r, err)
				}
			}
			if !p.BlobExists(t, young) {
				t.Fatal("an upload in flight was swept")
			}
			removed = 0
			for range 3 {
				r, err := p.Server.RunRetention(ctx, p.App, later)
				if err != nil {
					t.Fatal(err)
				}
				removed += r.OrphanBlobs
			}
			if removed != 1 || p.BlobExists(t, young) || countExisting(t, p, committed) != len(committed) {
				t.Fatalf("the next pass removed %d, young blob left: %v", removed, p.BlobExists(t, young))
			}
		})
	}
}

// TestFirstSweepPassTakesADay: before any pass has ended (a new server, or
// one just upgraded with a million blobs stored), a run's share comes from
// the screenshots stored, not from the minimum share, which would stretch
// the first pass over weeks. (The screenshots stored are read as the
// largest rowid, which never falls below their count.)
func TestFirstSweepPassTakesADay(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", func(c *config.Config) { c.OrphanSweepMin, c.OrphanSweepRuns = 1, 2 })
	start := hookstest.Slot()
	act := p.Track(t, tt.Carol, tt.ProjA, start)
	for i := range 6 {
		p.Capture(t, tt.Carol, act, start, byte(60+i))
	}
	var stored int
	if err := p.App.DB().NewQuery("SELECT MAX(rowid) FROM screenshots").Row(&stored); err != nil {
		t.Fatal(err)
	}
	blobs := p.BlobCount(t)
	r, err := p.Server.RunRetention(context.Background(), p.App, time.Now().Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := (stored + 1) / 2; r.BlobsChecked != min(want, blobs) || want < 3 {
		t.Fatalf("the first run checked %d blobs, want half of the %d screenshots stored", r.BlobsChecked, stored)
	}
}

// countExisting says how many of keys have a blob.
func countExisting(t *testing.T, p hookstest.Pipeline, keys []string) int {
	n := 0
	for _, k := range keys {
		if p.BlobExists(t, k) {
			n++
		}
	}
	return n
}
