package api

import (
	"time"

	"github.com/pocketbase/pocketbase/tools/types"
)

// Invitation routes. Owners and managers (and team leads, into their own
// teams, when the organization allows it) invite by e-mail; the invitee opens
// the link, signs up or in, and accepts. The token in the link is the only
// credential, as in Hubstaff: whoever holds it may join, once, before it
// expires. Revoking an invitation is deleting its record.
const (
	InvitesRoute      = "/api/tock/orgs/{org}/invites"
	InviteRoute       = "/api/tock/invites/{token}"
	AcceptInviteRoute = "/api/tock/invites/{token}/accept"
)

// InviteTTL is how long an invitation link works.
const InviteTTL = 7 * 24 * time.Hour

// InviteRequest is the body of an invitation.
type InviteRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	Team  string `json:"team"`
}

// Invitation is the answer to a new invitation: the token is shown this
// once, for the inviter to pass on when no e-mail went out.
type Invitation struct {
	ID      string         `json:"id"`
	Email   string         `json:"email"`
	Role    string         `json:"role"`
	Team    string         `json:"team"`
	Expires types.DateTime `json:"expires"`
	Link    string         `json:"link"`
	Token   string         `json:"token"`
	Emailed bool           `json:"emailed"`
}

// InviteInfo is what the holder of a link learns before accepting it.
type InviteInfo struct {
	Org     InviteOrg      `json:"org"`
	Email   string         `json:"email"`
	Role    string         `json:"role"`
	Expires types.DateTime `json:"expires"`
}

// InviteOrg names the organization of an invitation.
type InviteOrg struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Accepted is the answer to an accepted invitation.
type Accepted struct {
	Org string `json:"org"`
}
