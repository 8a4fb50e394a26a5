package field

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

func (s *Server) registerField(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.POST(api.LocationsRoute, func(re *core.RequestEvent) error { return s.uploadLocations(re, z) }),
		reply.GET(api.JobSiteVisitsRoute, func(re *core.RequestEvent) error { return s.jobSiteVisits(re, z) }),
		reply.POST(api.JobStatusRoute, func(re *core.RequestEvent) error { return jobStatus(re, z) }),
	)
	registerFieldIntegrity(app)
	app.Cron().MustAdd("tock_location_retention", "23 * * * *", func() {
		n, err := ExpireLocations(app, time.Now())
		if err != nil {
			app.Logger().Error("location retention failed", slog.Any("error", err))
			return
		}
		app.Logger().Info("location retention done", slog.Int("locations", n))
	})
}

// ExpireLocations deletes, per organization, the location points older than
// its retention_days: where someone was is as private as their screen, so
// it is kept no longer than their screenshots. Nothing references a point,
// so deleting in SQL skips no cascade; batches keep each lock short.
func ExpireLocations(app core.App, now time.Time) (int, error) {
	orgs, err := app.FindAllRecords(schema.Organizations)
	if err != nil {
		return 0, fmt.Errorf("list organizations: %w", err)
	}
	total := 0
	for _, org := range orgs {
		days := org.GetInt(schema.FieldRetentionDays)
		if days <= 0 {
			continue
		}
		cutoff := now.Add(-time.Duration(days) * 24 * time.Hour).UTC()
		n := 0
		for {
			res, err := app.DB().NewQuery(`DELETE FROM {{locations}} WHERE [[id]] IN (
				SELECT id FROM locations WHERE org = {:org} AND recorded_at < {:cutoff} LIMIT {:batch})`).
				Bind(dbx.Params{"org": org.Id, "cutoff": reply.DbDate(cutoff), "batch": config.RetentionBatch}).Execute()
			if err != nil {
				return total, fmt.Errorf("expire locations of %s: %w", org.Id, err)
			}
			done, _ := res.RowsAffected()
			n += int(done)
			if done < config.RetentionBatch {
				break
			}
		}
		total += n
		if n > 0 {
			audit.Log(app, nil, "location_retention", org, map[string]any{"locations": n, "older_than": cutoff.Format(time.RFC3339)})
		}
	}
	return total, nil
}

// checkPoint refuses a point that can't be a reading of a device now.
func (s *Server) checkPoint(p api.LocationPoint, now time.Time) error {
	switch {
	case strings.TrimSpace(p.ClientID) == "" || len(p.ClientID) > schema.MaxLocationClientID:
		return fmt.Errorf("client_id is required, at most %d characters", schema.MaxLocationClientID)
	case p.RecordedAt.IsZero():
		return fmt.Errorf("recorded_at is required, as an RFC 3339 time")
	case p.RecordedAt.After(now.Add(s.cfg.ClockSkew)):
		return fmt.Errorf("recorded_at is in the future")
	case p.Lat == nil || math.IsNaN(*p.Lat) || *p.Lat < -90 || *p.Lat > 90:
		return fmt.Errorf("lat must be between -90 and 90")
	case p.Lng == nil || math.IsNaN(*p.Lng) || *p.Lng < -180 || *p.Lng > 180:
		return fmt.Errorf("lng must be between -180 and 180")
	case !(p.AccuracyM > 0) || p.AccuracyM > schema.MaxLocationAccuracy:
		return fmt.Errorf("accuracy_m must be more than 0 and at most %d metres", schema.MaxLocationAccuracy)
	case p.Project != "" && !reply.IsRecordID(p.Project):
		return fmt.Errorf("project must be a project's id")
	}
	return nil
}

func (s *Server) uploadLocations(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	var in api.LocationBatch
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send {\"points\": [...]} with client_id, recorded_at, lat, lng, accuracy_m and optionally project in each.")
	}
	switch {
	case len(in.Points) == 0:
		return reply.BadRequest("Send at least one point.")
	case len(in.Points) > schema.MaxLocationBatch:
		return reply.BadRequest("Send at most %d points at once.", schema.MaxLocationBatch)
	}
	// As with the agent's slots: no tracking, no locations.
	if err := s.checkTracking(e.App, org, a.Actor.UserID); err != nil {
		return err
	}
	now := time.Now()
	projects := map[string]bool{}
	for i, p := range in.Points {
		if err := s.checkPoint(p, now); err != nil {
			return reply.BadRequest("Point %d: %v.", i, err)
		}
		if p.Project == "" || projects[p.Project] {
			continue
		}
		project, err := e.App.FindRecordById(schema.Projects, p.Project)
		if err := reply.LookupFault(err, "project "+p.Project); err != nil {
			return err
		}
		if err != nil || project.GetString(schema.FieldOrg) != org.Id || !gate.MayTrackTo(a, p.Project) {
			return reply.BadRequest("Point %d: project must be one of the organization's projects you track time to.", i)
		}
		projects[p.Project] = true
	}

	var out api.LocationsStored
	err = e.App.RunInTransaction(func(tx core.App) error {
		c, err := tx.FindCachedCollectionByNameOrId(schema.Locations)
		if err != nil {
			return err
		}
		ids := make([]any, len(in.Points))
		for i, p := range in.Points {
			ids[i] = p.ClientID
		}
		var known []string
		// Inside the transaction: two uploads of one batch can't both store it.
		if err := tx.RecordQuery(schema.Locations).Select(schema.FieldClientID).
			AndWhere(dbx.HashExp{schema.FieldUser: a.Actor.UserID}).AndWhere(dbx.In(schema.FieldClientID, ids...)).Column(&known); err != nil {
			return fmt.Errorf("known locations of %s: %w", a.Actor.UserID, err)
		}
		seen := reply.SetOf(known)
		for _, p := range in.Points {
			if seen[p.ClientID] {
				out.Duplicates++
				continue
			}
			seen[p.ClientID] = true
			r := core.NewRecord(c)
			for k, v := range map[string]any{
				schema.FieldOrg: org.Id, schema.FieldUser: a.Actor.UserID, schema.FieldProject: p.Project, schema.FieldClientID: p.ClientID,
				"recorded_at": p.RecordedAt.UTC(), "lat": *p.Lat, "lng": *p.Lng, "accuracy_m": p.AccuracyM,
			} {
				r.Set(k, v)
			}
			if err := tx.Save(r); err != nil {
				return fmt.Errorf("save location %q: %w", p.ClientID, err)
			}
			out.Stored++
		}
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't store the locations.")
	}
	return e.JSON(http.StatusOK, out)
}
