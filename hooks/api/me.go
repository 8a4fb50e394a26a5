package api

// MeRoute tells the signed-in person what they may do in one organization,
// so the web app shows only controls that will work. It is a hint, never a
// grant: every request is still decided on its own.
const MeRoute = "/api/tock/orgs/{org}/me"

// Me is the answer of MeRoute.
type Me struct {
	Org  OrgSummary `json:"org"`
	User string     `json:"user"`
	Role string     `json:"role"`
	// ProjectRoles maps project ids to the person's project role.
	ProjectRoles map[string]string `json:"projectRoles"`
	LedTeams     []string          `json:"ledTeams"`
	Teams        []string          `json:"teams"` // every team the person belongs to, led or not
	// Features holds, per matrix feature label, what the person reaches with
	// it; features that reach nothing are left out.
	Features map[string]FeatureScope `json:"features"`
	// Modules says which modules the organization has on (Add/Remove
	// Features), so the web app hides the pages of those that are off.
	Modules map[string]bool `json:"modules"`
	// Zone is the organization's time zone, as offsets around today.
	Zone Zone `json:"zone"`
}

// OrgSummary names an organization.
type OrgSummary struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
}

// FeatureScope is perms.Scope as JSON, with lists that are never null.
type FeatureScope struct {
	All      bool     `json:"all"`
	Self     bool     `json:"self"`
	Projects []string `json:"projects"`
	Users    []string `json:"users"`
	Teams    []string `json:"teams"`
	Limited  bool     `json:"limited"`
}

// Zone is a time zone's offsets from UTC over a span of time: the web app
// places times in the organization's zone with them rather than with the
// browser's Intl, whose first use costs Chromium 40-60 ms of a page's load
// (it reads its ICU data). Outside the span the web app asks Intl.
type Zone struct {
	Name string `json:"name"`
	From int64  `json:"from"` // the span, in milliseconds since the epoch, From inclusive
	To   int64  `json:"to"`
	// Changes lists each offset, in seconds east of UTC, from the moment
	// (milliseconds since the epoch) it applies; the first from From.
	Changes [][2]int64 `json:"changes"`
}
