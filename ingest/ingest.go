// Package ingest is the agent's upload protocol: the routes and bodies that
// `tock agent` sends and `tock serve` accepts (README: "The agent's routes").
package ingest

import "time"

// Routes of the protocol, relative to the server's URL.
const (
	ActivitiesRoute  = "/api/tock/ingest/activities"
	ScreenshotsRoute = "/api/tock/ingest/screenshots"
)

// Limits of the protocol: the server refuses an upload beyond them with a
// 400 naming the field, and stores nothing of it. Lengths are in characters
// (Unicode code points), as the collections count them.
const (
	// MaxMetaBytes bounds a screenshot upload's meta field.
	MaxMetaBytes = 16 << 10
	// MaxActivityBytes bounds an activity upload's body.
	MaxActivityBytes = 512 << 10
	// MaxApps bounds an activity's distinct apps; entries with the same app,
	// title and URL count once, their seconds added.
	MaxApps = 100
	// MaxAppLen, MaxTitleLen and MaxURLLen bound each app entry's fields.
	MaxAppLen   = 256
	MaxTitleLen = 1024
	MaxURLLen   = 2048
)

// AppSeconds is the time one app had focus within a slot.
type AppSeconds struct {
	App     string `json:"app"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Seconds int    `json:"seconds"`
}

// Activity is one 10-minute slot as the agent reports it. The agent sends a
// slot more than once as it fills; the last report wins.
type Activity struct {
	ClientID        string       `json:"client_id"`
	Org             string       `json:"org"`
	Project         string       `json:"project"`
	Task            string       `json:"task"`
	SlotStart       time.Time    `json:"slot_start"`
	TrackedSeconds  int          `json:"tracked_seconds"`
	KeyboardSeconds int          `json:"keyboard_seconds"`
	MouseSeconds    int          `json:"mouse_seconds"`
	ActiveSeconds   int          `json:"active_seconds"`
	Apps            []AppSeconds `json:"apps"`
	// CaptureErrors counts the slot's captures that failed or came out
	// blank: reported, never uploaded.
	CaptureErrors int `json:"capture_errors"`
}

// Screenshot is the metadata part of a screenshot upload; the envelope
// travels beside it as the multipart file "envelope", and the metadata as the
// multipart field "meta".
type Screenshot struct {
	ClientID string    `json:"client_id"`
	Org      string    `json:"org"`
	Activity string    `json:"activity"` // the activity's client_id
	TakenAt  time.Time `json:"taken_at"` // millisecond precision: the envelope binds it exactly
	Screen   int       `json:"screen"`
	Width    int       `json:"width"`
	Height   int       `json:"height"`
	Blurred  bool      `json:"blurred"`
}

// IsRecordID reports whether s has the form of a record id the server
// accepts in org, project and task: 1-64 of [a-z0-9_]. The agent checks it
// before queueing, so nothing waits in its spool only to be refused.
func IsRecordID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Clipped returns a with its app, title and URL cut to the protocol's
// limits, so a window with a very long title or URL costs the slot nothing
// but the tail of that text (the server refuses a slot beyond the limits).
func (a AppSeconds) Clipped() AppSeconds {
	a.App, a.Title, a.URL = clip(a.App, MaxAppLen), clip(a.Title, MaxTitleLen), clip(a.URL, MaxURLLen)
	return a
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	i := 0
	for at := range s {
		if i == n {
			return s[:at]
		}
		i++
	}
	return s
}
