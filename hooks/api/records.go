package api

// RecordsRoute tells the signed-in member what Tock records about them in
// one organization, who there can see each kind of it and how long it is
// kept. Who can see is worked out from the same matrix, roles and settings
// that decide every request (perms.Scope of each member), so the page can't
// promise more privacy than the server gives.
const RecordsRoute = "/api/tock/orgs/{org}/me/records"

// Records is the answer of RecordsRoute.
type Records struct {
	Org           OrgSummary   `json:"org"`
	RetentionDays int          `json:"retention_days"` // 0: screenshots and apps are kept until deleted
	Kinds         []RecordKind `json:"kinds"`
}

// RecordKind is one kind of data about the member.
type RecordKind struct {
	Kind     string   `json:"kind"` // screenshots, activity, apps, urls, locations
	Title    string   `json:"title"`
	Feature  string   `json:"feature"` // the matrix row that decides who sees it
	Recorded string   `json:"recorded"`
	Kept     string   `json:"kept"`
	Stored   int      `json:"stored"` // records of this kind about the member now
	Viewers  []Viewer `json:"viewers"`
}

// Viewer is a member who can see a kind of the member's data, and how far.
type Viewer struct {
	User string `json:"user"`
	Name string `json:"name"`
	Role string `json:"role"`
	// Reach is "all" (everyone's), "own" (the member themselves), "team"
	// (as lead of a team the member is in) or "projects" (the member's work
	// in Projects, which they manage or view).
	Reach    string   `json:"reach"`
	Projects []string `json:"projects"`
}
