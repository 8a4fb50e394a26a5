package tocktest

import (
	"time"

	"github.com/tock-app/tock/migrations/schema"
)

// Ids of the field seed: a job site, a work order and a job in each
// organization, and location points at the job sites.
const (
	JobSiteA   = "jsacme000000001" // Acme's job site, at SiteALat/SiteALng
	JobSiteG   = "jsglobex0000001"
	WorkOrderA = "woacme000000001" // Acme's work order, for Cli
	WorkOrderG = "woglobex0000001"
	JobA       = "jobacme00000001" // Walt's job at JobSiteA for WorkOrderA
	JobG       = "jobglobex000001" // Dave's job at JobSiteG
)

// Where the seeded job sites are: central Berlin and lower Manhattan.
const (
	SiteALat, SiteALng = 52.520008, 13.404954
	SiteGLat, SiteGLng = 40.712776, -74.005974
	SiteRadius         = 100
)

// LocationID names the seeded location point of user in project ("" for none).
func LocationID(user, project string) string {
	tag := "nopro"
	if project != "" {
		tag = project[3:8]
	}
	return pad("loc" + user[3:7] + tag)
}

// LocationAt is when the seeded point of user in project was recorded:
// Walt's point in project B half an hour after the others, so his two points
// make two visits.
func LocationAt(user, project string) time.Time {
	if user == Walt && project == ProjB {
		return Slot.Add(30 * time.Minute)
	}
	return Slot
}

// seedField adds the field records to the matrix seed: every Acme member
// but Zoe has a point at Acme's job site (Walt one in each of his projects),
// Dave one at Globex's.
func seedField(s *Seeder) {
	s.Create(schema.JobSites, JobSiteA, map[string]any{
		"org": Acme, "name": "Site A", "address": "Alexanderplatz 1, Berlin", "lat": SiteALat, "lng": SiteALng, "radius_m": SiteRadius,
	})
	s.Create(schema.JobSites, JobSiteG, map[string]any{
		"org": Globex, "name": "Site G", "lat": SiteGLat, "lng": SiteGLng, "radius_m": SiteRadius,
	})
	s.Create(schema.WorkOrders, WorkOrderA, map[string]any{"org": Acme, "title": "Fix the boiler", "client": Cli, "status": "open"})
	s.Create(schema.WorkOrders, WorkOrderG, map[string]any{"org": Globex, "title": "Paint the hall", "client": CliG, "status": "open"})
	for _, j := range []struct{ id, org, order, site, user string }{
		{JobA, Acme, WorkOrderA, JobSiteA, Walt}, {JobG, Globex, WorkOrderG, JobSiteG, Dave},
	} {
		s.Create(schema.Jobs, j.id, map[string]any{
			"org": j.org, "work_order": j.order, "job_site": j.site, "assignee": j.user,
			"start": Slot, "end": Slot.Add(2 * time.Hour), "status": "scheduled",
		})
	}
	points := []struct{ user, project string }{
		{Alice, ""}, {Bob, ""}, {Carol, ""}, {Pam, ""}, {Vic, ""}, {Tess, ""}, {Nia, ""},
		{Walt, ProjA}, {Walt, ProjB}, {Dave, ProjG},
	}
	for _, p := range points {
		org, lat, lng := Acme, SiteALat, SiteALng
		if p.project == ProjG {
			org, lat, lng = Globex, SiteGLat, SiteGLng
		}
		id := LocationID(p.user, p.project)
		s.Create(schema.Locations, id, map[string]any{
			"org": org, "user": p.user, "project": p.project, "client_id": id,
			"recorded_at": LocationAt(p.user, p.project), "lat": lat, "lng": lng, "accuracy_m": 10,
		})
	}
}
