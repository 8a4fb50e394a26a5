package api

// CreateProjectRoute creates a project and, when a team is named, links it
// to that team in the same transaction. It is how a team lead creates
// projects ("Create Projects / when enabled"): their grant reaches only
// their own teams, so their project must join one of them at once, which
// the plain collection API, one record per request, can't express.
const CreateProjectRoute = "/api/tock/orgs/{org}/projects"

// NewProject is the body of CreateProjectRoute.
type NewProject struct {
	Name   string `json:"name"`
	Client string `json:"client"`
	Team   string `json:"team"`
}

// NewProjectCreated is the answer of CreateProjectRoute.
type NewProjectCreated struct {
	ID     string `json:"id"`
	Org    string `json:"org"`
	Name   string `json:"name"`
	Client string `json:"client"`
	Team   string `json:"team"`
}
