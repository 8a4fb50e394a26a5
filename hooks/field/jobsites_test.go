package field

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/tock-app/tock/hooks/api"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		lat1, lng1, lat2, lng2 float64
		want, tolerance        float64 // metres
	}{
		{"same point", 52.52, 13.405, 52.52, 13.405, 0, 0.001},
		{"one degree of latitude", 0, 0, 1, 0, 111195, 1},
		{"one degree of longitude at the equator", 0, 0, 0, 1, 111195, 1},
		{"one degree of longitude at 60°N is half as long", 60, 0, 60, 1, 55597, 50},
		{"Berlin to Paris", 52.520008, 13.404954, 48.856613, 2.352222, 877460, 1000},
		{"across the antimeridian", 0, 179.9995, 0, -179.9995, 111.2, 0.5},
		{"pole to pole", 90, 0, -90, 0, math.Pi * earthRadius, 1},
		{"antipodes", 0, 0, 0, 180, math.Pi * earthRadius, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := distance(tc.lat1, tc.lng1, tc.lat2, tc.lng2)
			if math.Abs(got-tc.want) > tc.tolerance {
				t.Errorf("distance = %.3f m, want %.3f ± %.3f", got, tc.want, tc.tolerance)
			}
			if back := distance(tc.lat2, tc.lng2, tc.lat1, tc.lng1); math.Abs(back-got) > 1e-6 {
				t.Errorf("not symmetric: %.6f vs %.6f", got, back)
			}
		})
	}
}

// metresNorth moves a latitude by m metres.
func metresNorth(lat, m float64) float64 { return lat + m/earthRadius*180/math.Pi }

func TestDeriveVisits(t *testing.T) {
	s := site{lat: 52.52, lng: 13.405, radius: 100}
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	in := func(user string, min int) fix {
		return fix{user: user, at: at(min), lat: metresNorth(s.lat, 50), lng: s.lng, accuracy: 10}
	}
	out := func(user string, min int) fix {
		return fix{user: user, at: at(min), lat: metresNorth(s.lat, 150), lng: s.lng, accuracy: 10}
	}
	edge := func(user string, min int, m float64) fix {
		return fix{user: user, at: at(min), lat: metresNorth(s.lat, m), lng: s.lng, accuracy: 5}
	}
	vague := func(f fix) fix { f.accuracy = 500; return f }
	visit := func(user string, from, to, points int) api.Visit {
		return api.Visit{User: user, Start: at(from), End: at(to), Seconds: (to - from) * 60, Points: points}
	}
	for _, tc := range []struct {
		name  string
		fixes []fix
		want  []api.Visit
	}{
		{"no points", nil, []api.Visit{}},
		{"never inside", []fix{out("u", 0), out("u", 5)}, []api.Visit{}},
		{"enter, stay, leave", []fix{out("u", 0), in("u", 5), in("u", 10), in("u", 20), out("u", 25)},
			[]api.Visit{visit("u", 5, 20, 3)}},
		{"one point inside is a visit of no length", []fix{out("u", 0), in("u", 5), out("u", 10)},
			[]api.Visit{visit("u", 5, 5, 1)}},
		{"still inside at the end of the points", []fix{in("u", 0), in("u", 14)}, []api.Visit{visit("u", 0, 14, 2)}},
		{"a gap of exactly 15 minutes keeps the visit", []fix{in("u", 0), in("u", 15)}, []api.Visit{visit("u", 0, 15, 2)}},
		{"a gap of more than 15 minutes splits it", []fix{in("u", 0), in("u", 10), in("u", 26)},
			[]api.Visit{visit("u", 0, 10, 2), visit("u", 26, 26, 1)}},
		{"leave and come back", []fix{in("u", 0), out("u", 5), in("u", 10), in("u", 12)},
			[]api.Visit{visit("u", 0, 0, 1), visit("u", 10, 12, 2)}},
		{"on the radius counts as inside", []fix{edge("u", 0, 99.9), edge("u", 1, 100.1)}, []api.Visit{visit("u", 0, 0, 1)}},
		{"a point vaguer than the radius is ignored", []fix{in("u", 0), vague(out("u", 5)), in("u", 10)},
			[]api.Visit{visit("u", 0, 10, 2)}},
		{"a vague point doesn't bridge a gap", []fix{in("u", 0), vague(in("u", 10)), in("u", 20)},
			[]api.Visit{visit("u", 0, 0, 1), visit("u", 20, 20, 1)}},
		{"members apart", []fix{in("a", 0), in("a", 5), in("b", 6), out("b", 8)},
			[]api.Visit{visit("a", 0, 5, 2), visit("b", 6, 6, 1)}},
		{"a member's visit doesn't run into the next member's", []fix{in("a", 0), in("b", 1), in("b", 3)},
			[]api.Visit{visit("a", 0, 0, 1), visit("b", 1, 3, 2)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := deriveVisits(tc.fixes, s, api.MaxVisitGap)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d visits %+v, want %+v", len(got), got, tc.want)
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

// BenchmarkDeriveVisits: a day of 100 members' phones, one point a minute
// for 8 hours, half of them on the site.
func BenchmarkDeriveVisits(b *testing.B) {
	s := site{lat: 52.52, lng: 13.405, radius: 100}
	t0 := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	var fixes []fix
	for u := 0; u < 100; u++ {
		for m := 0; m < 480; m++ {
			north := 50.0
			if (m/60+u)%2 == 1 {
				north = 500
			}
			fixes = append(fixes, fix{user: fmt.Sprintf("u%03d", u), at: t0.Add(time.Duration(m) * time.Minute),
				lat: metresNorth(s.lat, north), lng: s.lng, accuracy: 10})
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if vs := deriveVisits(fixes, s, api.MaxVisitGap); len(vs) != 400 {
			b.Fatalf("%d visits, want 400", len(vs))
		}
	}
	b.ReportMetric(float64(len(fixes)), "points")
}
