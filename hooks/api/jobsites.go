package api

import (
	"time"
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

// Visit is one stay of a member at a job site.
type Visit struct {
	User    string    `json:"user"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Seconds int       `json:"seconds"`
	Points  int       `json:"points"`
}
