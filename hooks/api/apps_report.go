package api

// AppsReportRoute is the apps and URLs report: GET ?from=YYYY-MM-DD&to=YYYY-MM-DD
// (inclusive local days, as ReportsRoute) &by=app|domain &user=&project=
// (filters) &format=json|csv.
//
// It adds up the seconds the agent recorded for each app (by=app) or each
// web site, the host name of the URL (by=domain), per member and project, for
// the slots starting in the range. "View Apps" decides whose apps are in it,
// "View URLs" whose sites, each narrowed in SQL as the time report is: one's
// own, the assigned projects', the led teams' members', or everyone's.
const AppsReportRoute = "/api/tock/orgs/{org}/reports/apps"

// What an apps report adds up.
const (
	AppsByApp    = "app"
	AppsByDomain = "domain"
)

// AppsReportCSVColumns is the apps report's CSV header, in its fixed order.
var AppsReportCSVColumns = []string{"member_id", "member", "project_id", "project", "kind", "name", "seconds", "hours"}

// AppsReport is the JSON answer of AppsReportRoute.
type AppsReport struct {
	From     string          `json:"from"`
	To       string          `json:"to"`
	Timezone string          `json:"timezone"`
	By       string          `json:"by"`
	Rows     []AppsReportRow `json:"rows"` // most seconds first
	Total    int             `json:"total_seconds"`
}

// AppsReportRow is the time of one app or domain, for one member in one project.
type AppsReportRow struct {
	MemberID  string `json:"member_id"`
	Member    string `json:"member"`
	ProjectID string `json:"project_id"`
	Project   string `json:"project"`
	Name      string `json:"name"` // the app, or the domain
	Seconds   int    `json:"seconds"`
}
