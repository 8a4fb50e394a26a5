package hooks_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestAppUsageRetentionResumesFromItsMark: activities are kept for ever, so
// retention must not walk the organization's whole history of slots each
// hour to expire their apps. A run reads only the slots that expired since
// the last one; shortening the retention still deletes everything older at
// once; an app uploaded late (an agent that was offline) for a slot already
// behind the mark goes at the next run; and a run that fails midway moves
// no mark, so the next one finishes its work.
func TestAppUsageRetentionResumesFromItsMark(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	ctx, now, day := context.Background(), hookstest.Slot(), 24*time.Hour
	upload := func(daysAgo int) string {
		t.Helper()
		id := fmt.Sprintf("act-mark-%d", daysAgo)
		if status, body := p.UploadActivity(t, id, now.Add(-time.Duration(daysAgo)*day), []ingest.AppSeconds{{App: "editor", Seconds: 300}}); status != http.StatusOK {
			t.Fatalf("upload %s: %d %.300s", id, status, body)
		}
		return id
	}
	apps := func(clientID string) int {
		t.Helper()
		a, err := p.App.FindFirstRecordByData(schema.Activities, schema.FieldClientID, clientID)
		if err != nil {
			t.Fatal(err)
		}
		return hookstest.Count(t, p.App, schema.AppUsage, schema.FieldActivity+" = {:a}", map[string]any{"a": a.Id})
	}
	run := func(wantApps int) { // -1: any number (the seed's own history goes too)
		t.Helper()
		r, err := p.Server.RunRetention(ctx, p.App, now)
		if err != nil || (wantApps >= 0 && r.AppUsage != wantApps) {
			t.Fatalf("retention: %+v %v, want %d apps deleted", r, err, wantApps)
		}
	}
	// Years of history: more expired slots than one batch reads (no apps left).
	for i := range 1001 {
		start := now.Add(-100*day - time.Duration(i)*10*time.Minute)
		id := fmt.Sprintf("acthist%08d", i)
		if _, err := p.App.DB().Insert(schema.Activities, dbx.Params{"id": id, schema.FieldOrg: tt.Acme, schema.FieldProject: tt.ProjA,
			schema.FieldUser: tt.Carol, schema.FieldSlotStart: start.UTC().Format("2006-01-02 15:04:05.000Z"),
			schema.FieldTrackedSeconds: 600, schema.FieldSource: schema.SourceTracked, schema.FieldClientID: id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	old, month, recent := upload(95), upload(60), upload(10)

	run(-1) // retention is 90 days
	if apps(old) != 0 || apps(month) != 1 || apps(recent) != 1 {
		t.Fatalf("after the first run: %d %d %d apps, want 0 1 1", apps(old), apps(month), apps(recent))
	}
	// The next run reads no slot the first one walked.
	log := captureSQL(t, p.App)
	run(0)
	for _, s := range log.take() {
		if strings.HasPrefix(s, "SELECT") && strings.Contains(s, "{{"+schema.Activities+"}}") {
			t.Fatalf("the second run walked the slots again: %s", s)
		}
	}

	// Shortening the retention expires everything older at once.
	setRetention(t, p, 30)
	run(-1)
	if apps(month) != 0 || apps(recent) != 1 {
		t.Fatalf("after shortening to 30 days: %d %d apps, want 0 1", apps(month), apps(recent))
	}
	// A slot long past the retention, uploaded late, loses its apps next run.
	late := upload(200)
	run(1)
	if apps(late) != 0 || apps(recent) != 1 {
		t.Fatalf("a late upload kept %d apps (recent: %d)", apps(late), apps(recent))
	}

	// A run that fails midway (its deletes abort) leaves the mark where it
	// was; the next run deletes what it didn't, both behind and past the mark.
	// The apps kept so far were uploaded long ago, not since the last run.
	if _, err := p.App.DB().Update(schema.AppUsage, dbx.Params{schema.FieldCreated: "2026-01-01 00:00:00.000Z"}, nil).Execute(); err != nil {
		t.Fatal(err)
	}
	lateAgain := upload(210)
	setRetention(t, p, 5)
	if _, err := p.App.DB().NewQuery("CREATE TRIGGER crash_app_usage BEFORE DELETE ON " + schema.AppUsage +
		" BEGIN SELECT RAISE(ABORT, 'killed'); END").Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Server.RunRetention(ctx, p.App, now); err == nil {
		t.Fatal("a run whose deletes abort succeeded")
	}
	if _, err := p.App.DB().NewQuery("DROP TRIGGER crash_app_usage").Execute(); err != nil {
		t.Fatal(err)
	}
	run(-1)
	if apps(lateAgain) != 0 || apps(recent) != 0 {
		t.Fatalf("after the failed run: %d late and %d recent apps left", apps(lateAgain), apps(recent))
	}
}

// setRetention sets Acme's retention_days in SQL.
func setRetention(t *testing.T, p hookstest.Pipeline, days int) {
	t.Helper()
	if _, err := p.App.DB().Update(schema.Organizations, dbx.Params{schema.FieldRetentionDays: days}, dbx.HashExp{"id": tt.Acme}).Execute(); err != nil {
		t.Fatal(err)
	}
}
