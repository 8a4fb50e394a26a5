package screenshots_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// rowsFirst is a local store that, whenever retention deletes blobs, checks
// that none of their screenshot records is still there: a blob goes only
// after its row, or a crash in between would leave a record without its blob.
type rowsFirst struct {
	*blobstore.Local
	app     func() core.App
	batches int
	early   []string // keys deleted while their row was still there
}

func (s *rowsFirst) DeleteAll(ctx context.Context, keys []string) error {
	s.batches++
	for _, k := range keys {
		var n int
		if err := s.app().DB().Select("count(*)").From(schema.Screenshots).Where(dbx.HashExp{"storage_key": k}).Row(&n); err != nil || n > 0 {
			s.early = append(s.early, k)
		}
	}
	return s.Local.DeleteAll(ctx, keys)
}

// TestRetentionBoundaryAndBatches: retention deletes what is older than the
// cutoff, over several batches of screenshots and a slot with more apps than
// one statement deletes, and keeps what is taken at the cutoff or later;
// blobs go after their rows; the hourly sums still match the slots; the
// database's writer is left as it was found.
func TestRetentionBoundaryAndBatches(t *testing.T) {
	var app core.App
	store := &rowsFirst{app: func() core.App { return app }}
	p := hookstest.NewPipeline(t, "local", func(c *config.Config) {
		store.Local = c.Store.(*blobstore.Local)
		c.Store = store
	})
	app = p.App
	now := hookstest.Slot()
	cutoff := now.Add(-time.Duration(schema.DefaultRetentionDays) * 24 * time.Hour)
	oldAct := activityID(t, p, p.Track(t, tt.Carol, tt.ProjA, cutoff.Add(-10*time.Minute)))
	edgeAct := activityID(t, p, p.Track(t, tt.Carol, tt.ProjA, cutoff)) // starts at the cutoff: kept

	// Two batches and one more of expired screenshots, the newest a
	// millisecond before the cutoff; two kept, at the cutoff and after.
	expired := 2*config.RetentionBatch + 1
	var expiredKeys []string
	for i := range expired {
		expiredKeys = append(expiredKeys, insertShot(t, p, oldAct, cutoff.Add(-time.Duration(i+1)*time.Millisecond)))
	}
	kept := []string{insertShot(t, p, edgeAct, cutoff), insertShot(t, p, edgeAct, cutoff.Add(time.Millisecond))}
	// The expired slot has more apps than one statement deletes.
	for i := range config.RetentionBatch + 1 {
		if _, err := p.App.DB().Insert(schema.AppUsage, dbx.Params{"id": fmt.Sprintf("app%012d", i), "org": tt.Acme,
			"project": tt.ProjA, "user": tt.Carol, "activity": oldAct, "app": "editor", "seconds": 1}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	hoursBefore := hourSums(t, p.App)

	report, err := p.Server.RunRetention(context.Background(), p.App, now)
	if err != nil {
		t.Fatal(err)
	}
	if report.Screenshots != expired || report.AppUsage != config.RetentionBatch+2 {
		t.Fatalf("report %+v, want %d screenshots and %d apps", report, expired, config.RetentionBatch+2)
	}
	for _, k := range expiredKeys {
		if p.BlobExists(t, k) {
			t.Fatalf("blob %s of an expired screenshot survived", k)
		}
	}
	for _, k := range kept {
		if hookstest.Count(t, p.App, schema.Screenshots, "storage_key = {:k}", map[string]any{"k": k}) != 1 || !p.BlobExists(t, k) {
			t.Fatalf("screenshot %s, taken at the cutoff or later, or its blob went", k)
		}
	}
	if n := hookstest.Count(t, p.App, schema.AppUsage, "activity = {:a}", map[string]any{"a": oldAct}); n != 0 {
		t.Fatalf("%d apps of the expired slot survived", n)
	}
	if n := hookstest.Count(t, p.App, schema.AppUsage, "activity = {:a}", map[string]any{"a": edgeAct}); n != 1 {
		t.Fatalf("the slot starting at the cutoff has %d apps, want its 1", n)
	}
	if store.batches < 3 || len(store.early) > 0 {
		t.Fatalf("%d blob batches; %d blobs deleted before their rows: %v", store.batches, len(store.early), store.early[:min(3, len(store.early))])
	}
	// The writer checkpoints the log itself again (retention had it leave
	// that to a reader connection).
	var threshold int
	if err := p.App.NonconcurrentDB().NewQuery("PRAGMA wal_autocheckpoint").Row(&threshold); err != nil || threshold != 1000 {
		t.Fatalf("the writer's checkpoint threshold is %d after retention (%v), want 1000", threshold, err)
	}
	// Time records are kept: the slots and their hourly sums are unchanged.
	if after := hourSums(t, p.App); after != hoursBefore {
		t.Fatalf("hourly sums %q, before retention %q", after, hoursBefore)
	}
}

// activityID is the record id of the activity uploaded as clientID.
func activityID(t *testing.T, p hookstest.Pipeline, clientID string) string {
	t.Helper()
	r, err := p.App.FindFirstRecordByData(schema.Activities, "client_id", clientID)
	if err != nil {
		t.Fatal(err)
	}
	return r.Id
}

// insertShot writes a screenshot record of Carol in activity, taken at, with
// a blob, straight in SQL (hundreds are needed), and returns its key.
func insertShot(t *testing.T, p hookstest.Pipeline, activity string, at time.Time) string {
	t.Helper()
	id := fmt.Sprintf("r%014d", at.UnixMilli()%1e14)
	key := "screenshots/" + tt.Acme + "/" + at.Format(time.DateOnly) + "/" + id + ".tock"
	_, err := p.App.DB().Insert(schema.Screenshots, dbx.Params{"id": id, "org": tt.Acme, "project": tt.ProjA, "user": tt.Carol,
		"activity": activity, "taken_at": at.UTC().Format("2006-01-02 15:04:05.000Z"), "storage_key": key, "client_id": id}).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Store.Put(context.Background(), key, strings.NewReader("sealed"), 6); err != nil {
		t.Fatal(err)
	}
	return key
}

// hourSums is every hourly sum of slots next to the same sums counted from
// the slots themselves; they must agree.
func hourSums(t *testing.T, app core.App) string {
	t.Helper()
	var sums, counted string
	err := app.DB().NewQuery(`SELECT COALESCE(group_concat(s, ';'), '') FROM (SELECT hour || ' ' || "user" || ' ' || project || ' ' || task || ' ' || slots || ' ' || tracked AS s
		FROM activity_hours ORDER BY hour, "user", project, task)`).Row(&sums)
	if err == nil {
		err = app.DB().NewQuery(`SELECT COALESCE(group_concat(s, ';'), '') FROM (SELECT h || ' ' || "user" || ' ' || project || ' ' || task || ' ' || count(*) || ' ' || sum(tracked_seconds) AS s
			FROM (SELECT substr(slot_start, 1, 13) AS h, "user", project, task, tracked_seconds FROM activities)
			GROUP BY h, "user", project, task ORDER BY h, "user", project, task)`).Row(&counted)
	}
	if err != nil {
		t.Fatal(err)
	}
	if sums != counted {
		t.Fatalf("hourly sums %q differ from the slots %q", sums, counted)
	}
	return sums
}
