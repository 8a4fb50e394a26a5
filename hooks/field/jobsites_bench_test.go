package field_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// BenchmarkJobSiteVisitsRoute: the owner lists a month of visits to a job
// site while 30 phones each sent a point a minute, 8 hours a day, half of
// every day on the site: the longest listing the route allows.
func BenchmarkJobSiteVisitsRoute(b *testing.B) {
	const phones, days, minutes = 30, api.MaxVisitDays, 480
	fx, err := hookstest.MatrixFixture()
	if err != nil {
		b.Fatal(err)
	}
	app := fx.App(b)
	defer app.Cleanup()
	start := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	err = app.RunInTransaction(func(tx core.App) error {
		q := tx.DB().NewQuery(`INSERT INTO locations (id, org, user, project, client_id, recorded_at, lat, lng, accuracy_m, created)
			VALUES ({:id}, {:org}, {:user}, '', {:id}, {:at}, {:lat}, {:lng}, 10, {:at})`).Prepare()
		defer q.Close()
		n := 0
		for p := range phones {
			for d := range days {
				for m := range minutes {
					lat := tt.SiteALat + 0.0003 // ~33 m north: inside
					if m >= minutes/2 {
						lat = tt.SiteALat + 0.01 // ~1.1 km north: outside
					}
					at := start.AddDate(0, 0, d).Add(time.Duration(m) * time.Minute)
					n++
					if _, err := q.Bind(map[string]any{
						"id": fmt.Sprintf("locbench%07d", n), "org": tt.Acme, "user": fmt.Sprintf("usrbench%07d", p),
						"at": at.Format("2006-01-02 15:04:05.000Z"), "lat": lat, "lng": tt.SiteALng,
					}).Execute(); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	h := tt.Handler(b, app)
	u := strings.NewReplacer("{org}", tt.Acme, "{id}", tt.JobSiteA).Replace(api.JobSiteVisitsRoute) + "?" +
		url.Values{"from": {"2026-10-01"}, "to": {"2026-10-31"}}.Encode()
	token := fx.Token(b, tt.Alice)
	b.ResetTimer()
	for b.Loop() {
		status, _, body := tt.Send(h, tt.JSONRequest("GET", u, "", token))
		if status != 200 || strings.Count(body, `"user":"usrbench`) != phones*days {
			b.Fatalf("%d, %d visits", status, strings.Count(body, `"user":"usrbench`))
		}
	}
	b.ReportMetric(phones*days*minutes, "points")
}
