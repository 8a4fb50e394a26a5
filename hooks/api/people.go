package api

// PeopleRoute lists the people of an organization the signed-in person may
// see. The users collection stays self-only, so this is how the web app puts
// names on colleagues' time, screenshots and memberships.
const PeopleRoute = "/api/tock/orgs/{org}/people"

// People is the answer of PeopleRoute: Items in the order a person reads
// their names (Unicode collation), which the web app keeps.
type People struct {
	Items []Person `json:"items"`
}

// Person is one person as the requester may see them: Email, Role and Status
// are empty unless the requester may view the organization's members.
type Person struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Role   string `json:"role"`
	Status string `json:"status"`
}
