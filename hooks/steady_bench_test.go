//go:build unix

package hooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/internal/steady"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// The steady-state benchmarks run each request twice: on a fresh database
// (the same members with one day of history) and at steady state (90 days
// of history: 1.3 million screenshots for 100 members, see internal/steady).
// Each reports p50 and p95 latency of the request as the web app sends it.

// onBoth runs bench on the fresh and the steady-state fixture.
func onBoth(b *testing.B, bench func(b *testing.B, shape steady.Shape, fx *tt.Fixture)) {
	shape, dir := steady.Benchmarked()
	for _, s := range []struct {
		name  string
		shape steady.Shape
	}{{"fresh", steady.Shape{Members: shape.Members, Days: 1}}, {"steady", shape}} {
		b.Run(s.name, func(b *testing.B) {
			fx, err := steady.Fixture(s.shape, dir)
			if err != nil {
				b.Fatal(err)
			}
			bench(b, s.shape, fx)
		})
	}
}

// latencies times each call of do over b's loop and reports p50 and p95,
// and the process's processor time per call (user and system), steadier
// than wall time on a busy machine.
func latencies(b *testing.B, do func(i int)) {
	var lat []time.Duration
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		do(i)
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
}

// getOK sends a GET and fails the benchmark on anything but a 200.
func getOK(b *testing.B, h http.Handler, url, token string) string {
	status, _, body := tt.Send(h, tt.JSONRequest(http.MethodGet, url, "", token))
	if status != http.StatusOK {
		b.Fatalf("GET %s: %d %.300s", url, status, body)
	}
	return body
}

// memberDay picks the member and day of request i: members 2.., every day.
func memberDay(shape steady.Shape, i int) (string, time.Time) {
	return steady.Member(2 + i%(shape.Members-2)), steady.Day(time.Now(), (i*7)%shape.Days)
}

// BenchmarkSteadyScreenshotList: a manager's list of one member's screenshots
// of one day, newest first, a page of 30.
func BenchmarkSteadyScreenshotList(b *testing.B) {
	onBoth(b, func(b *testing.B, shape steady.Shape, fx *tt.Fixture) {
		h, token := steadyRouter(b, fx, steady.Member(1))
		latencies(b, func(i int) {
			user, day := memberDay(shape, i)
			getOK(b, h, listURL(schema.Screenshots, fmt.Sprintf(`user = %q && taken_at >= %q && taken_at < %q`,
				user, dbDay(day), dbDay(day.Add(24*time.Hour))), "-taken_at", "30", ""), token)
		})
	})
}

// BenchmarkSteadyGallery: the gallery page of one member's day as a manager
// opens it: its slots, screenshots and apps (three lists).
func BenchmarkSteadyGallery(b *testing.B) {
	onBoth(b, func(b *testing.B, shape steady.Shape, fx *tt.Fixture) {
		h, token := steadyRouter(b, fx, steady.Member(1))
		latencies(b, func(i int) {
			user, day := memberDay(shape, i)
			from, until := dbDay(day), dbDay(day.Add(24*time.Hour))
			body := getOK(b, h, listURL(schema.Activities, fmt.Sprintf(`slot_start >= %q && slot_start < %q && user = %q`, from, until, user), "slot_start", "1000", ""), token)
			getOK(b, h, listURL(schema.Screenshots, fmt.Sprintf(`user = %q && taken_at >= %q && taken_at < %q`, user, from, until), "taken_at", "500", ""), token)
			// The apps of the slots, 40 slots a request, as the page asks.
			var slots struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			}
			json.Unmarshal([]byte(body), &slots)
			for j := 0; j < len(slots.Items); j += 40 {
				var terms []string
				for _, s := range slots.Items[j:min(j+40, len(slots.Items))] {
					terms = append(terms, fmt.Sprintf("activity = %q", s.ID))
				}
				getOK(b, h, listURL(schema.AppUsage, strings.Join(terms, " || "), "-seconds", "1000", "activity,app,title,url,seconds"), token)
			}
		})
	})
}

// BenchmarkSteadyTimesheet: one member's week as the timesheet page reads
// it: the week's slots and its breaks.
func BenchmarkSteadyTimesheet(b *testing.B) {
	onBoth(b, func(b *testing.B, shape steady.Shape, fx *tt.Fixture) {
		h, token := steadyRouter(b, fx, steady.Member(1))
		latencies(b, func(i int) {
			user, day := memberDay(shape, i)
			week := day.AddDate(0, 0, -6)
			getOK(b, h, listURL(schema.Activities, fmt.Sprintf(`slot_start >= %q && slot_start < %q && user = %q`,
				dbDay(week), dbDay(day.Add(24*time.Hour)), user), "slot_start", "1000", ""), token)
			getOK(b, h, "/api/tock/orgs/"+steady.Org+"/breaks?user="+user+"&from="+week.Format("2006-01-02")+"&to="+day.Format("2006-01-02"), token)
		})
	})
}

// BenchmarkSteadyTeamDashboard: the Team dashboard of every member, as the
// owner opens it.
func BenchmarkSteadyTeamDashboard(b *testing.B) {
	onBoth(b, func(b *testing.B, shape steady.Shape, fx *tt.Fixture) {
		h, token := steadyRouter(b, fx, steady.Member(0))
		latencies(b, func(int) { getOK(b, h, "/api/tock/orgs/"+steady.Org+"/dashboard/team", token) })
	})
}

// BenchmarkSteadyMonthReport: the last 30 days of every member, by member and
// day, as JSON, as the owner asks for it.
func BenchmarkSteadyMonthReport(b *testing.B) {
	onBoth(b, func(b *testing.B, shape steady.Shape, fx *tt.Fixture) {
		h, token := steadyRouter(b, fx, steady.Member(0))
		to := steady.Day(time.Now(), 0)
		url := "/api/tock/orgs/" + steady.Org + "/reports?group=member,day&from=" + to.AddDate(0, 0, -29).Format("2006-01-02") + "&to=" + to.Format("2006-01-02")
		latencies(b, func(int) { getOK(b, h, url, token) })
	})
}

// BenchmarkSteadyRetention: one retention run that expires the oldest day
// of history (Hours × 18 screenshots a member, each with a blob on local
// disk, and their app usage), beside the rest of it.
func BenchmarkSteadyRetention(b *testing.B) {
	onBoth(b, func(b *testing.B, shape steady.Shape, fx *tt.Fixture) {
		for b.Loop() {
			b.StopTimer()
			store, err := blobstore.NewLocal(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			cfg := tt.Config()
			cfg.Store = store
			app, srv := fx.AppWith(b, cfg)
			oldest := steady.Day(time.Now(), shape.Days-1)
			keys := oldestBlobs(b, app, store, oldest)
			if _, err := app.DB().Update(schema.Organizations, dbx.Params{"retention_days": 90}, dbx.HashExp{"id": steady.Org}).Execute(); err != nil {
				b.Fatal(err)
			}
			// The cutoff falls in the evening of the oldest day: it goes whole, the next stays.
			now := oldest.Add(90*24*time.Hour + 23*time.Hour)
			b.StartTimer()
			t0, cpu0 := time.Now(), processCPU()
			report, err := srv.RunRetention(context.Background(), app, now)
			elapsed, cpu := time.Since(t0), processCPU()-cpu0
			b.StopTimer()
			if err != nil || report.Screenshots != len(keys) || report.Screenshots != shape.Members*steady.Hours*6*steady.Shots {
				b.Fatalf("retention: %+v %v, want %d screenshots", report, err, len(keys))
			}
			b.ReportMetric(elapsed.Seconds(), "s/day")
			b.ReportMetric(cpu.Seconds(), "cpu-s/day")
			b.ReportMetric(float64(report.Screenshots), "screenshots")
			app.Cleanup()
			b.StartTimer()
		}
	})
}

// oldestBlobs writes a blob for every screenshot of day (setup: plain writes,
// without the store's fsyncs) and returns their keys.
func oldestBlobs(b *testing.B, app interface {
	DB() dbx.Builder
}, store *blobstore.Local, day time.Time) []string {
	var keys []string
	err := app.DB().Select("storage_key").From(schema.Screenshots).
		Where(dbx.NewExp("org = {:org} AND taken_at >= {:from} AND taken_at < {:to}", dbx.Params{"org": steady.Org, "from": dbDay(day), "to": dbDay(day.Add(24 * time.Hour))})).
		Column(&keys)
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range keys {
		path := filepath.Join(store.Dir(), filepath.FromSlash(k))
		os.MkdirAll(filepath.Dir(path), 0o700)
		if err := os.WriteFile(path, []byte("sealed"), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return keys
}

// steadyRouter is the fixture's real router, on a copy removed when the
// benchmark ends, and a token of member as the client.
func steadyRouter(b *testing.B, fx *tt.Fixture, member string) (http.Handler, string) {
	app := fx.App(b)
	b.Cleanup(app.Cleanup)
	return tt.Handler(b, app), fx.Token(b, member)
}

// processCPU is the processor time this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
