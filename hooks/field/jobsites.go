package field

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

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// earthRadius is the mean radius of the Earth (IUGG), in metres.
const earthRadius = 6371008.8

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
func deriveVisits(fixes []fix, s site, maxGap time.Duration) []api.Visit {
	out := []api.Visit{}
	var (
		open *api.Visit
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
			open = &api.Visit{User: f.user, Start: f.at}
		}
		open.End = f.at
		open.Points++
	}
	closeVisit()
	return out
}

func (s *Server) jobSiteVisits(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	js, err := e.App.FindRecordById(schema.JobSites, e.Request.PathValue("id"))
	if err != nil || js.GetString(schema.FieldOrg) != org.Id {
		return reply.NotFound()
	}
	sc := z.Matrix.Scope(a.Actor, perms.ViewLocations, a.Settings)
	if sc.Empty() {
		return reply.Forbidden(perms.ViewLocations)
	}
	q := e.Request.URL.Query()
	r, err := ledger.ParseDayRange(q.Get("from"), q.Get("to"), reply.OrgLocation(org))
	if err != nil {
		return err
	}
	if r.Days() > api.MaxVisitDays {
		return reply.BadRequest("Visits are listed for at most %d days at once.", api.MaxVisitDays)
	}
	fixes, err := loadFixes(e.App, org.Id, r.Bounds[0], r.Bounds[len(r.Bounds)-1], ledger.ScopeWhere(sc, a.Actor.UserID))
	if err != nil {
		return err
	}
	g := site{lat: js.GetFloat("lat"), lng: js.GetFloat("lng"), radius: js.GetFloat("radius_m")}
	return e.JSON(http.StatusOK, deriveVisits(fixes, g, api.MaxVisitGap))
}

// loadFixes reads the locations of org recorded in [from, to), narrowed by
// where (on alias a, as scopeWhere writes it), sorted by user then time.
func loadFixes(app core.App, org string, from, to time.Time, where dbx.Expression) ([]fix, error) {
	q := app.DB().Select("a.user", "a.recorded_at", "a.lat", "a.lng", "a.accuracy_m").
		From(schema.Locations + " a").
		Where(dbx.HashExp{"a.org": org}).
		AndWhere(dbx.NewExp("a.recorded_at >= {:from} AND a.recorded_at < {:to}",
			dbx.Params{"from": from.UTC().Format(reply.SlotLayout), "to": to.UTC().Format(reply.SlotLayout)}))
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
		t, err := time.Parse(reply.SlotLayout, string(at))
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
