package tracking_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

const (
	benchMembers = 100
	benchDays    = 30
	benchSlots   = 48 // 8 hours a day
)

// seedMonth inserts benchMembers people into Acme, each working benchSlots
// slots a day for benchDays days from start (two blocks of four hours with a
// 30-minute gap, so every day holds the seeded policy's break), straight in SQL in one
// transaction: a benchmark's setup, not the path under test.
func seedMonth(b *testing.B, app core.App, start time.Time) int {
	b.Helper()
	n := 0
	err := app.RunInTransaction(func(tx core.App) error {
		now := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
		for m := range benchMembers {
			id := fmt.Sprintf("usrbench%07d", m)
			if _, err := tx.DB().Insert("users", dbx.Params{
				"id": id, "email": id + "@example.test", "name": fmt.Sprintf("Member %03d", m),
				"password": "x", "tokenKey": id, "verified": true, "created": now, "updated": now,
			}).Execute(); err != nil {
				return err
			}
			if _, err := tx.DB().Insert("memberships", dbx.Params{
				"id": fmt.Sprintf("mbrbench%07d", m), "org": tt.Acme, "user": id, "role": "user", "status": "active",
				"created": now, "updated": now,
			}).Execute(); err != nil {
				return err
			}
		}
		q := tx.DB().NewQuery(`INSERT INTO activities
			(id, org, project, task, user, slot_start, tracked_seconds, keyboard_seconds, mouse_seconds, active_seconds, source, client_id, created, updated)
			VALUES ({:id}, {:org}, {:project}, '', {:user}, {:start}, 600, 200, 300, {:active}, 'tracked', {:id}, {:now}, {:now})`).Prepare()
		defer q.Close()
		projects := []string{tt.ProjA, tt.ProjB}
		for m := range benchMembers {
			user := fmt.Sprintf("usrbench%07d", m)
			for d := range benchDays {
				day := start.AddDate(0, 0, d)
				for s := range benchSlots {
					at := day.Add(time.Duration(s) * 10 * time.Minute)
					if s >= benchSlots/2 {
						at = at.Add(30 * time.Minute)
					}
					id := fmt.Sprintf("ab%013d", n)
					if _, err := q.Bind(dbx.Params{
						"id": id, "org": tt.Acme, "project": projects[(m+s/12)%2], "user": user,
						"start": at.UTC().Format("2006-01-02 15:04:05.000Z"), "active": (n * 7) % 600, "now": now,
					}).Execute(); err != nil {
						return err
					}
					n++
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
	return n
}

// BenchmarkMonthReport: the owner's report of a month, grouped by member and
// day, over 100 members × 30 days × 48 slots = 144,000 activities in one
// organization (New York time), as JSON and as CSV, breaks included.
func BenchmarkMonthReport(b *testing.B) {
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		b.Fatal(err)
	}
	app := fx.App(b)
	defer app.Cleanup()
	setTimezone(b, app, "America/New_York")
	seedStart := time.Now()
	n := seedMonth(b, app, time.Date(2026, 6, 1, 13, 0, 0, 0, time.UTC)) // 09:00 in New York
	b.Logf("seeded %d activities in %s", n, time.Since(seedStart).Round(time.Millisecond))

	h := tt.Handler(b, app)
	token := fx.Token(b, tt.Alice)
	var figures []string
	for _, format := range []string{"json", "csv"} {
		b.Run(format, func(b *testing.B) {
			url := api.ReportsRoute + "?from=2026-06-01&to=2026-06-30&group=member,day&format=" + format
			url = strings.Replace(url, "{org}", tt.Acme, 1)
			var total time.Duration
			runs, size := 0, 0
			for b.Loop() {
				t0 := time.Now()
				status, _, body := tt.Send(h, tt.JSONRequest(http.MethodGet, url, "", token))
				total += time.Since(t0)
				runs++
				if status != 200 {
					b.Fatalf("report: %d %.300s", status, body)
				}
				size = len(body)
				// 100 members × 30 days, each day with the seeded policy's
				// 15-minute break (the gap lasts 30).
				if format == "json" && !strings.Contains(body, `"tracked_seconds":86400000,`) {
					b.Fatalf("report misses time: %.300s", body[len(body)-300:])
				}
				if format == "json" && !strings.Contains(body, `"break_seconds":2700000}`) {
					b.Fatalf("report misses breaks: %.300s", body[len(body)-300:])
				}
			}
			ms := float64(total.Microseconds()) / 1000 / float64(runs)
			b.ReportMetric(ms, "ms/report")
			figures = append(figures, fmt.Sprintf("month report (%s, member,day, %d activities, %d bytes): %.1f ms", format, n, size, ms))
		})
	}
	tt.Report(b, "report-bench.txt", strings.Join(figures, "\n"))
}
