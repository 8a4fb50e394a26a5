//go:build unix

package hooks_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/hooks/api"
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
	cpu0 := tt.ProcessCPU()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		do(i)
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64((tt.ProcessCPU()-cpu0).Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
}

// getOK sends a GET as the web app does and fails the benchmark on
// anything but a 200.
func getOK(b *testing.B, h http.Handler, url, token string) string {
	_, body, _ := tt.GetOK(b, h, url, token, true)
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
// opens it: one request to the gallery route (slots, screenshots and apps).
func BenchmarkSteadyGallery(b *testing.B) {
	onBoth(b, func(b *testing.B, shape steady.Shape, fx *tt.Fixture) {
		h, token := steadyRouter(b, fx, steady.Member(1))
		latencies(b, func(i int) {
			user, day := memberDay(shape, i)
			if body := getOK(b, h, galleryURL(day, user), token); i == 0 && !strings.Contains(body, `"screenshots":[{`) {
				b.Fatalf("the gallery shows no screenshot: %.300s", body)
			}
		})
	})
}

// BenchmarkSteadyGalleryAll: the all-members gallery of a day as the owner
// opens it: every member's slots, each with its first screenshot.
func BenchmarkSteadyGalleryAll(b *testing.B) {
	onBoth(b, func(b *testing.B, shape steady.Shape, fx *tt.Fixture) {
		h, token := steadyRouter(b, fx, steady.Member(0))
		var json, sent, n int
		latencies(b, func(i int) {
			_, day := memberDay(shape, i)
			_, body, wire := tt.GetOK(b, h, galleryURL(day, api.GalleryAll), token, true)
			if i == 0 && strings.Count(body, `"totals"`) != shape.Members {
				b.Fatalf("the gallery has %d rows, want %d", strings.Count(body, `"totals"`), shape.Members)
			}
			json, sent, n = json+len(body), sent+wire, n+1
		})
		// The JSON's size and what went over the wire, gzipped.
		b.ReportMetric(float64(json)/float64(n)/1000, "json-kB/op")
		b.ReportMetric(float64(sent)/float64(n)/1000, "sent-kB/op")
	})
}

// galleryURL is the gallery route of a day (a local midnight) for user.
func galleryURL(day time.Time, user string) string {
	return strings.Replace(api.GalleryRoute, "{org}", steady.Org, 1) + "?day=" + day.Format("2006-01-02") + "&user=" + user
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
			keys, err := steady.Blobs(app, store, oldest)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := app.DB().Update(schema.Organizations, dbx.Params{"retention_days": 90}, dbx.HashExp{"id": steady.Org}).Execute(); err != nil {
				b.Fatal(err)
			}
			// The cutoff falls in the evening of the oldest day: it goes whole, the next stays.
			now := oldest.Add(90*24*time.Hour + 23*time.Hour)
			b.StartTimer()
			t0, cpu0 := time.Now(), tt.ProcessCPU()
			report, err := srv.RunRetention(context.Background(), app, now)
			elapsed, cpu := time.Since(t0), tt.ProcessCPU()-cpu0
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

// steadyRouter is the fixture's real router, on a copy removed when the
// benchmark ends, and a token of member as the client.
func steadyRouter(b *testing.B, fx *tt.Fixture, member string) (http.Handler, string) {
	app := fx.App(b)
	b.Cleanup(app.Cleanup)
	return tt.Handler(b, app), fx.Token(b, member)
}
