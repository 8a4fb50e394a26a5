package hooks

import (
	"cmp"
	"database/sql"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// JobSiteVisitsRoute lists the visits of members to one job site:
// GET ?from=YYYY-MM-DD&to=YYYY-MM-DD (days of the organization's time zone).
//
// Visits are never recorded; they are derived from the locations, like
// Hubstaff's geofence entries and exits. Decisions:
//   - a point is inside when its distance to the centre (haversine) is at
//     most the radius;
//   - a point less accurate than the radius can't tell inside from outside,
//     so it is ignored altogether;
//   - a visit starts at the first point inside and ends at the last point
//     inside before a point outside, or before a gap of more than
//     MaxVisitGap between two points (the phone stopped reporting), so a
//     visit never counts time no point was seen in;
//   - only the points the requester may view ("View Locations") are read:
//     a project manager sees the visits their projects' points make.
const JobSiteVisitsRoute = "/api/tock/orgs/{org}/job_sites/{id}/visits"

// MaxVisitGap is the longest silence a visit survives.
const MaxVisitGap = 15 * time.Minute

// MaxVisitDays bounds one listing: every point of the range is read (a
// point outside ends a visit), about 15,000 a day for 30 phones.
const MaxVisitDays = 31

// earthRadius is the mean radius of the Earth (IUGG), in metres.
const earthRadius = 6371008.8

// Visit is one stay of a member at a job site.
type Visit struct {
	User    string    `json:"user"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Seconds int       `json:"seconds"`
	Points  int       `json:"points"`
}

// fix is one location point as visits read it.
type fix struct {
	user     string
	at       time.Time
	lat, lng float64
	accuracy float64
}

// site is a job site's geofence.
type site struct {
	lat, lng, radius float64
}

// distance is the great-circle distance between two points, in metres.
func distance(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

func (s site) contains(f fix) bool { return distance(s.lat, s.lng, f.lat, f.lng) <= s.radius }

// deriveVisits finds the visits in fixes, which must be sorted by user, then time.
func deriveVisits(fixes []fix, s site, maxGap time.Duration) []Visit {
	out := []Visit{}
	var (
		open *Visit
		user string
		last time.Time // the previous usable point of user
	)
	closeVisit := func() {
		if open != nil {
			open.Seconds = int(open.End.Sub(open.Start) / time.Second)
			out = append(out, *open)
			open = nil
		}
	}
	for _, f := range fixes {
		if f.accuracy > s.radius {
			continue
		}
		if f.user != user {
			closeVisit()
			user = f.user
		} else if f.at.Sub(last) > maxGap {
			closeVisit()
		}
		last = f.at
		if !s.contains(f) {
			closeVisit()
			continue
		}
		if open == nil {
			open = &Visit{User: f.user, Start: f.at}
		}
		open.End = f.at
		open.Points++
	}
	closeVisit()
	return out
}

func (s *Server) jobSiteVisits(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	js, err := e.App.FindRecordById(migrations.JobSites, e.Request.PathValue("id"))
	if err != nil || js.GetString("org") != org.Id {
		return notFound()
	}
	sc := z.matrix.Scope(a.actor, perms.ViewLocations, a.settings)
	if sc.Empty() {
		return forbidden(perms.ViewLocations)
	}
	q := e.Request.URL.Query()
	r, err := parseDayRange(q.Get("from"), q.Get("to"), orgLocation(org))
	if err != nil {
		return err
	}
	if r.days() > MaxVisitDays {
		return badRequest("Visits are listed for at most %d days at once.", MaxVisitDays)
	}
	fixes, err := loadFixes(e.App, org.Id, r.bounds[0], r.bounds[len(r.bounds)-1], scopeWhere(sc, a.actor.UserID))
	if err != nil {
		return err
	}
	g := site{lat: js.GetFloat("lat"), lng: js.GetFloat("lng"), radius: js.GetFloat("radius_m")}
	return e.JSON(http.StatusOK, deriveVisits(fixes, g, MaxVisitGap))
}

// loadFixes reads the locations of org recorded in [from, to), narrowed by
// where (on alias a, as scopeWhere writes it), sorted by user then time.
func loadFixes(app core.App, org string, from, to time.Time, where dbx.Expression) ([]fix, error) {
	q := app.DB().Select("a.user", "a.recorded_at", "a.lat", "a.lng", "a.accuracy_m").
		From(migrations.Locations + " a").
		Where(dbx.HashExp{"a.org": org}).
		AndWhere(dbx.NewExp("a.recorded_at >= {:from} AND a.recorded_at < {:to}",
			dbx.Params{"from": from.UTC().Format(slotLayout), "to": to.UTC().Format(slotLayout)}))
	if where != nil {
		q = q.AndWhere(where)
	}
	// Sorted here, not in SQL, and scanned raw: SQLite reads the range by
	// (org, recorded_at) and would sort it in a temporary B-tree, and
	// struct scanning parses every date through reflection; a month of 30
	// phones is 450,000 rows.
	rows, err := q.Rows()
	if err != nil {
		return nil, fmt.Errorf("locations of %s: %w", org, err)
	}
	defer rows.Close()
	var (
		out      []fix
		user, at sql.RawBytes
		users    = map[string]string{}
		lat, lng float64
		accuracy float64
	)
	for rows.Next() {
		if err := rows.Scan(&user, &at, &lat, &lng, &accuracy); err != nil {
			return nil, fmt.Errorf("read location of %s: %w", org, err)
		}
		u, ok := users[string(user)]
		if !ok {
			u = string(user)
			users[u] = u
		}
		t, err := time.Parse(slotLayout, string(at))
		if err != nil {
			return nil, fmt.Errorf("location of %s recorded at %q: %w", org, at, err)
		}
		out = append(out, fix{user: u, at: t, lat: lat, lng: lng, accuracy: accuracy})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("locations of %s: %w", org, err)
	}
	slices.SortFunc(out, func(x, y fix) int { return cmp.Or(strings.Compare(x.user, y.user), x.at.Compare(y.at)) })
	return out, nil
}
