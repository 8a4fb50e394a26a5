package api

// TransferProjectRoute moves a project with its tasks, time, screenshots and
// app usage to another organization ("Transfer Projects (Same Account)").
const TransferProjectRoute = "/api/tock/projects/{id}/transfer"

// Codes in the data of a transfer's 409 refusals.
const (
	CodeNotMember    = "not_member"
	CodeApprovedTime = "approved_time"
	CodeProjectInUse = "project_in_use"
	CodeNameTaken    = "name_taken"
)

// TransferRequest is the body of TransferProjectRoute.
type TransferRequest struct {
	Org string `json:"org"`
}

// Transferred is the answer of TransferProjectRoute.
type Transferred struct {
	Project      string   `json:"project"`
	From         string   `json:"from"`
	To           string   `json:"to"`
	Tasks        int      `json:"tasks"`
	Activities   int      `json:"activities"`
	Screenshots  int      `json:"screenshots"`
	AppUsage     int      `json:"app_usage"`
	TimeRequests int      `json:"time_requests"`
	MembersMoved []string `json:"members_moved"`
	// MembersDropped are project members who aren't in the target
	// organization: their project membership is removed.
	MembersDropped []string `json:"members_dropped"`
	// TeamLinksRemoved counts links to the source organization's teams.
	TeamLinksRemoved int  `json:"team_links_removed"`
	ClientCleared    bool `json:"client_cleared"`
	// ScreenshotsGone counts records whose blob was already swept: they
	// couldn't be viewed before either and are removed.
	ScreenshotsGone int `json:"screenshots_gone"`
}
