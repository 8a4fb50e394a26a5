package field_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/field"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestUploadLocations: a member's batch is validated whole, stored for them
// alone, idempotent on client_id, and refused while their tracking is off.
func TestUploadLocations(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	route := hookstest.OrgURL(api.LocationsRoute, tt.Acme)
	now := time.Now().UTC().Truncate(time.Millisecond)
	ok := func(id string) string { return hookstest.Point(id, now.Add(-time.Minute), 52.5, 13.4, "") }
	many := make([]string, schema.MaxLocationBatch+1)
	for i := range many {
		many[i] = ok(fmt.Sprintf("p%d", i))
	}
	for _, tc := range []struct {
		name, user, body string
		status           int
		content          string
	}{
		{"not JSON", tt.Carol, `{"points":`, 400, "Send {"},
		{"no points", tt.Carol, hookstest.Batch(), 400, "at least one point"},
		{"too many points", tt.Carol, hookstest.Batch(many...), 400, "at most 500 points"},
		{"latitude beyond the pole", tt.Carol, hookstest.Batch(ok("a"), hookstest.Point("b", now, 90.5, 0, "")), 400, "Point 1: lat must be between -90 and 90"},
		{"longitude beyond the antimeridian", tt.Carol, hookstest.Batch(hookstest.Point("b", now, 0, -180.01, "")), 400, "lng must be between -180 and 180"},
		{"no latitude", tt.Carol, hookstest.Batch(`{"client_id":"x","recorded_at":"` + now.Format(time.RFC3339) + `","lng":1,"accuracy_m":5}`), 400, "lat must be"},
		{"no accuracy", tt.Carol, hookstest.Batch(`{"client_id":"x","recorded_at":"` + now.Format(time.RFC3339) + `","lat":1,"lng":1,"accuracy_m":0}`), 400, "accuracy_m must be more than 0"},
		{"in the future", tt.Carol, hookstest.Batch(hookstest.Point("f", now.Add(time.Hour), 1, 1, "")), 400, "recorded_at is in the future"},
		{"no client id", tt.Carol, hookstest.Batch(hookstest.Point("", now, 1, 1, "")), 400, "client_id is required"},
		{"no time", tt.Carol, hookstest.Batch(`{"client_id":"x","lat":1,"lng":1,"accuracy_m":5}`), 400, "recorded_at is required"},
		{"another organization's project", tt.Carol, hookstest.Batch(hookstest.Point("g", now, 1, 1, `,"project":"`+tt.ProjG+`"`)), 400, "project must be one of"},
		{"a project the member doesn't track to", tt.Carol, hookstest.Batch(hookstest.Point("g", now, 1, 1, `,"project":"`+tt.ProjB+`"`)), 400, "project must be one of"},
		{"a project viewer doesn't track to it", tt.Vic, hookstest.Batch(hookstest.Point("g", now, 1, 1, `,"project":"`+tt.ProjA+`"`)), 400, "project must be one of"},
		{"not a member", tt.Dave, hookstest.Batch(ok("d")), 404, ""},
		{"the equator and the prime meridian", tt.Carol, hookstest.Batch(hookstest.Point("zero", now, 0, 0, "")), 200, `"stored":1`},
		{"in an assigned project", tt.Carol, hookstest.Batch(hookstest.Point("a1", now, 1, 1, `,"project":"`+tt.ProjA+`"`), ok("a2")), 200, `"stored":2,"duplicates":0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := factory(t)
			defer app.Cleanup()
			before := hookstest.Count(t, app, schema.Locations, "id != ''", nil)
			own := hookstest.Count(t, app, schema.Locations, "user = {:u}", map[string]any{"u": tc.user})
			status, body := tt.Do(t, app, "POST", route, tc.body, fx.Token(t, tc.user))
			if status != tc.status || !strings.Contains(body, tc.content) {
				t.Fatalf("got %d %.300s, want %d with %q", status, body, tc.status, tc.content)
			}
			stored := hookstest.Count(t, app, schema.Locations, "id != ''", nil) - before
			if tc.status != 200 && stored != 0 {
				t.Fatalf("a refused batch stored %d points", stored)
			}
			if tc.status == 200 && hookstest.Count(t, app, schema.Locations, "user = {:u}", map[string]any{"u": tc.user})-own != stored {
				t.Fatalf("points stored for someone other than the uploader")
			}
		})
	}

	t.Run("idempotent on client_id", func(t *testing.T) {
		app := factory(t)
		defer app.Cleanup()
		h := tt.Handler(t, app)
		tok := fx.Token(t, tt.Carol)
		for i, tc := range []struct{ body, want string }{
			{hookstest.Batch(ok("c1"), ok("c2"), ok("c3")), `{"stored":3,"duplicates":0}`},
			{hookstest.Batch(ok("c1"), ok("c2"), ok("c3")), `{"stored":0,"duplicates":3}`},
			{hookstest.Batch(ok("c3"), ok("c4"), ok("c4")), `{"stored":1,"duplicates":2}`},
		} {
			if status, _, body := tt.Send(h, tt.JSONRequest("POST", route, tc.body, tok)); status != 200 || strings.TrimSpace(body) != tc.want {
				t.Fatalf("upload %d: %d %s, want %s", i, status, body, tc.want)
			}
		}
		if n := hookstest.Count(t, app, schema.Locations, "user = {:u} AND client_id LIKE 'c%'", map[string]any{"u": tt.Carol}); n != 4 {
			t.Fatalf("stored %d points, want 4", n)
		}
		// Another member may use the same client ids: they are per device.
		if status, _, body := tt.Send(h, tt.JSONRequest("POST", route, hookstest.Batch(ok("c1")), fx.Token(t, tt.Walt))); status != 200 || !strings.Contains(body, `"stored":1`) {
			t.Fatalf("Walt's c1: %d %s", status, body)
		}
	})

	t.Run("tracking turned off", func(t *testing.T) {
		app := factory(t)
		defer app.Cleanup()
		hookstest.SetFields(t, app, schema.Memberships, tt.MembershipID(tt.Carol), map[string]any{"tracking_enabled": false})
		status, body := tt.Do(t, app, "POST", route, hookstest.Batch(ok("off")), fx.Token(t, tt.Carol))
		if status != 403 || !strings.Contains(body, `"code":"tracking_off"`) {
			t.Fatalf("got %d %s, want 403 tracking_off", status, body)
		}
		if n := hookstest.Count(t, app, schema.Locations, "client_id = 'off'", nil); n != 0 {
			t.Fatalf("stored %d points with tracking off", n)
		}
	})

	t.Run("signed out", func(t *testing.T) {
		app := factory(t)
		defer app.Cleanup()
		if status, _ := tt.Do(t, app, "POST", route, hookstest.Batch(ok("x")), ""); status != 401 {
			t.Fatalf("anonymous upload answered %d, want 401", status)
		}
	})

	t.Run("only the route writes locations", func(t *testing.T) {
		app := factory(t)
		defer app.Cleanup()
		own := tt.LocationID(tt.Alice, "")
		h := tt.Handler(t, app)
		for _, req := range []struct{ method, url, body string }{
			{"POST", hookstest.RecordsURL(schema.Locations), fmt.Sprintf(`{"org":%q,"user":%q,"client_id":"api","recorded_at":"2026-11-02 09:00:00.000Z","lat":1,"lng":1,"accuracy_m":5}`, tt.Acme, tt.Alice)},
			{"PATCH", hookstest.RecordsURL(schema.Locations) + "/" + own, `{"lat":10}`},
			{"DELETE", hookstest.RecordsURL(schema.Locations) + "/" + own, ""},
		} {
			if status, _, body := tt.Send(h, tt.JSONRequest(req.method, req.url, req.body, fx.Token(t, tt.Alice))); status < 400 || status >= 500 {
				t.Fatalf("%s by the owner answered %d %.200s, want a 4xx", req.method, status, body)
			}
		}
		r, err := app.FindRecordById(schema.Locations, own)
		if err != nil || r.GetFloat("lat") != tt.SiteALat {
			t.Fatalf("the point changed: %v %v", r, err)
		}
		if hookstest.Count(t, app, schema.Locations, "client_id = 'api'", nil) != 0 {
			t.Fatal("the API created a location")
		}
	})
}

// TestJobSiteVisits: uploaded points become visits, shown to those who may
// view the member's locations.
func TestJobSiteVisits(t *testing.T) {
	fx, factory := hookstest.Seeded(t)
	app := factory(t)
	defer app.Cleanup()
	h := tt.Handler(t, app)
	// Walt arrives at site A at 07:00 UTC the day after the seed, stays
	// 20 minutes, leaves; then comes back for one reading.
	day := tt.Slot.AddDate(0, 0, 1)
	arrive := time.Date(day.Year(), day.Month(), day.Day(), 7, 0, 0, 0, time.UTC)
	north := func(m float64) float64 { return tt.SiteALat + m/6371008.8*180/3.141592653589793 }
	var pts []string
	for i, m := range []struct {
		min   int
		north float64
	}{{0, 500}, {5, 40}, {10, 60}, {25, 20}, {30, 300}, {40, 10}} {
		pts = append(pts, hookstest.Point(fmt.Sprintf("w%d", i), arrive.Add(time.Duration(m.min)*time.Minute), north(m.north), tt.SiteALng, ""))
	}
	if status, _, body := tt.Send(h, tt.JSONRequest("POST", hookstest.OrgURL(api.LocationsRoute, tt.Acme), hookstest.Batch(pts...), fx.Token(t, tt.Walt))); status != 200 {
		t.Fatalf("upload: %d %s", status, body)
	}
	d := day.Format(time.DateOnly)
	visitsURL := func(org, site, from, to string) string {
		return strings.NewReplacer("{org}", org, "{id}", site).Replace(api.JobSiteVisitsRoute) + "?" + url.Values{"from": {from}, "to": {to}}.Encode()
	}
	for _, tc := range []struct {
		name, user, url string
		status          int
		want            []api.Visit
	}{
		{"the owner sees both visits", tt.Alice, visitsURL(tt.Acme, tt.JobSiteA, d, d), 200, []api.Visit{
			{User: tt.Walt, Start: arrive.Add(5 * time.Minute), End: arrive.Add(25 * time.Minute), Seconds: 1200, Points: 3},
			{User: tt.Walt, Start: arrive.Add(40 * time.Minute), End: arrive.Add(40 * time.Minute), Seconds: 0, Points: 1},
		}},
		{"his team lead too", tt.Tess, visitsURL(tt.Acme, tt.JobSiteA, d, d), 200, []api.Visit{
			{User: tt.Walt, Start: arrive.Add(5 * time.Minute), End: arrive.Add(25 * time.Minute), Seconds: 1200, Points: 3},
			{User: tt.Walt, Start: arrive.Add(40 * time.Minute), End: arrive.Add(40 * time.Minute), Seconds: 0, Points: 1},
		}},
		{"a colleague sees only their own (none)", tt.Carol, visitsURL(tt.Acme, tt.JobSiteA, d, d), 200, []api.Visit{}},
		{"Walt sees his own", tt.Walt, visitsURL(tt.Acme, tt.JobSiteA, d, d), 200, []api.Visit{
			{User: tt.Walt, Start: arrive.Add(5 * time.Minute), End: arrive.Add(25 * time.Minute), Seconds: 1200, Points: 3},
			{User: tt.Walt, Start: arrive.Add(40 * time.Minute), End: arrive.Add(40 * time.Minute), Seconds: 0, Points: 1},
		}},
		{"points without a project aren't a project manager's", tt.Pam, visitsURL(tt.Acme, tt.JobSiteA, d, d), 200, []api.Visit{}},
		{"another day", tt.Alice, visitsURL(tt.Acme, tt.JobSiteA, "2026-11-05", "2026-11-06"), 200, []api.Visit{}},
		{"another organization's site", tt.Alice, visitsURL(tt.Acme, tt.JobSiteG, d, d), 404, nil},
		{"no such site", tt.Alice, visitsURL(tt.Acme, "jsnosuchsite001", d, d), 404, nil},
		{"not a member", tt.Dave, visitsURL(tt.Acme, tt.JobSiteA, d, d), 404, nil},
		{"no days", tt.Alice, visitsURL(tt.Acme, tt.JobSiteA, "", ""), 400, nil},
		{"days backwards", tt.Alice, visitsURL(tt.Acme, tt.JobSiteA, d, "2026-11-01"), 400, nil},
		{"more than a month", tt.Alice, visitsURL(tt.Acme, tt.JobSiteA, "2026-10-01", "2026-11-01"), 400, nil},
		{"a month", tt.Alice, visitsURL(tt.Acme, tt.JobSiteA, "2026-10-02", "2026-11-01"), 200, []api.Visit{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := tt.Send(h, tt.JSONRequest("GET", tc.url, "", fx.Token(t, tc.user)))
			if status != tc.status {
				t.Fatalf("got %d %.300s, want %d", status, body, tc.status)
			}
			if tc.want == nil {
				return
			}
			var got []api.Visit
			if err := json.Unmarshal([]byte(body), &got); err != nil || got == nil {
				t.Fatalf("visits %q: %v", body, err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.User != w.User || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) || g.Seconds != w.Seconds || g.Points != w.Points {
					t.Errorf("visit %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

// TestExpireLocations: points older than the organization's retention go,
// in batches; younger ones and those of an organization keeping them stay.
func TestExpireLocations(t *testing.T) {
	_, factory := hookstest.Seeded(t)
	app := factory(t)
	defer app.Cleanup()
	now := tt.Slot.Add(91 * 24 * time.Hour)
	hookstest. // the seed's points are 91 days old
			SetFields(t, app, schema.Organizations, tt.Globex, map[string]any{"retention_days": 365})
	c, err := app.FindCollectionByNameOrId(schema.Locations)
	if err != nil {
		t.Fatal(err)
	}
	// Enough old points of Carol's for more than one batch, and a young one.
	err = app.RunInTransaction(func(tx core.App) error {
		for i := 0; i <= 600; i++ {
			at := tt.Slot.Add(time.Duration(i) * time.Second)
			if i == 600 {
				at = now.Add(-time.Hour)
			}
			r := core.NewRecord(c)
			for k, v := range map[string]any{"org": tt.Acme, "user": tt.Carol, "client_id": fmt.Sprintf("old-%d", i),
				"recorded_at": at, "lat": 1, "lng": 1, "accuracy_m": 5} {
				r.Set(k, v)
			}
			if err := tx.Save(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	acme := hookstest.Count(t, app, schema.Locations, "org = {:o}", map[string]any{"o": tt.Acme})
	n, err := field.ExpireLocations(app, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != acme-1 {
		t.Fatalf("expired %d points, want %d", n, acme-1)
	}
	if left := hookstest.Count(t, app, schema.Locations, "org = {:o}", map[string]any{"o": tt.Acme}); left != 1 {
		t.Fatalf("%d Acme points left, want the young one", left)
	}
	if left := hookstest.Count(t, app, schema.Locations, "org = {:o}", map[string]any{"o": tt.Globex}); left != 1 {
		t.Fatalf("%d Globex points left, want 1 (it keeps them a year)", left)
	}
	if hookstest.AuditCount(t, app, "location_retention") != 1 {
		t.Fatal("the expiry wasn't audited once, for Acme")
	}
}
