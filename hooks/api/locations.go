package api

import (
	"time"
)

// LocationsRoute takes a batch of the signed-in member's own location
// points, as Hubstaff's mobile app records them while the member tracks
// time: POST {"points":[{client_id, recorded_at, lat, lng, accuracy_m,
// project?}]}. The desktop agent has no GPS and never sends any.
//
// A batch is stored whole or not at all: one bad point refuses it with a
// 400 naming the point (counted from 0). A point whose client_id the member already sent is
// skipped, so a phone may resend a batch whose answer it lost.
const LocationsRoute = "/api/tock/orgs/{org}/locations"

// LocationPoint is one reading of a member's device.
type LocationPoint struct {
	ClientID   string    `json:"client_id"`
	RecordedAt time.Time `json:"recorded_at"`
	// Pointers: 0 is a real latitude, so a missing one must be told apart.
	Lat       *float64 `json:"lat"`
	Lng       *float64 `json:"lng"`
	AccuracyM float64  `json:"accuracy_m"`
	Project   string   `json:"project"`
}

// LocationBatch is the body of POST LocationsRoute.
type LocationBatch struct {
	Points []LocationPoint `json:"points"`
}

// LocationsStored answers an upload: points stored, and points skipped
// because the member had already sent their client_id.
type LocationsStored struct {
	Stored     int `json:"stored"`
	Duplicates int `json:"duplicates"`
}
