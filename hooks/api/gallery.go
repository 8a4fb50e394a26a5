package api

// GalleryRoute is the screenshot grid of one day: GET ?day=YYYY-MM-DD (a
// local day in the organization's time zone) &user=<member id>|all.
//
// For one member it answers the day's slots, each with its screenshots and
// its apps (most seconds first); for all, one row per member with slots that
// day, each slot with its first screenshot only. Everything in it is what the
// records lists of activities, screenshots and app_usage would show the same
// requester ("View Timesheets", "View Screenshots", "View Apps", and "View
// URLs" for an app's URL), so a member outside the requester's reach reads
// as a day with nothing.
const GalleryRoute = "/api/tock/orgs/{org}/gallery"

// GalleryAll asks GalleryRoute for every member's day.
const GalleryAll = "all"

// Gallery is the JSON answer of GalleryRoute.
type Gallery struct {
	Day      string `json:"day"`
	Timezone string `json:"timezone"`
	From     string `json:"from"`  // the instant the day starts, as records store dates
	Until    string `json:"until"` // the instant the next day starts
	User     string `json:"user"`  // the member asked for, or "all"
	// Slots are the member's slots by start (one member only).
	Slots []GallerySlot `json:"slots"`
	// Members are the rows of the all-members day, by member id (all only).
	Members []GalleryMember `json:"members"`
}

// GallerySlot is one activity, with the fields of its record the page reads.
type GallerySlot struct {
	ID          string        `json:"id"`
	User        string        `json:"user"`
	Project     string        `json:"project"`
	Task        string        `json:"task"`
	SlotStart   string        `json:"slot_start"`
	Tracked     int           `json:"tracked_seconds"`
	Active      int           `json:"active_seconds"`
	Source      string        `json:"source"`
	Screenshots []GalleryShot `json:"screenshots"` // by time taken; the first only for all
	Apps        []GalleryApp  `json:"apps"`        // most seconds first; none for all
}

// GalleryShot is one screenshot's record as the page shows it.
type GalleryShot struct {
	ID       string `json:"id"`
	User     string `json:"user"`
	Project  string `json:"project"`
	Activity string `json:"activity"`
	TakenAt  string `json:"taken_at"`
	Screen   int    `json:"screen"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Blurred  bool   `json:"blurred"`
}

// GalleryApp is one app of a slot; URL is empty for a requester "View URLs"
// doesn't give it to.
type GalleryApp struct {
	App     string `json:"app"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Seconds int    `json:"seconds"`
}

// GalleryMember is one member's row of the all-members day.
type GalleryMember struct {
	User   string        `json:"user"`
	Totals Totals        `json:"totals"` // the sums of Slots
	Slots  []GallerySlot `json:"slots"`
}
