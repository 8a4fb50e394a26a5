package api

import (
	"time"
)

// Enrolment: the web app shows a signed-in member a one-time code, and
// `tock agent enrol CODE` exchanges it for the agent's session, so nobody
// types a password into a terminal. A code is bound to the member and the
// organization it was made in, works once, for EnrolTTL, and goes away when
// the membership ends. Whoever may track time in an organization (every
// active member: see tracker in ingest.go) may make a code for themselves,
// and only for themselves.
const (
	EnrolCodesRoute = "/api/tock/orgs/{org}/enrolments"
	EnrolRoute      = "/api/tock/enrol"
)

// EnrolTTL is how long a code works: long enough to install the agent and
// paste it, short enough that one left on a screen or in a chat is soon dead.
const EnrolTTL = 10 * time.Minute

// EnrolCode is the answer to a new code: shown this once.
type EnrolCode struct {
	Code    string    `json:"code"`
	Link    string    `json:"link"` // tock://enrol?server=…&code=…, for an agent that handles the scheme
	Server  string    `json:"server"`
	Expires time.Time `json:"expires"`
}

// EnrolRequest is the agent's exchange.
type EnrolRequest struct {
	Code string `json:"code"`
}

// Enrolled is what the agent stores: the same session `tock agent login` keeps.
type Enrolled struct {
	Token  string     `json:"token"`
	User   EnrolUser  `json:"user"`
	Org    OrgSummary `json:"org"`
	Server string     `json:"server"`
}

// EnrolUser names the person a code signed in.
type EnrolUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}
