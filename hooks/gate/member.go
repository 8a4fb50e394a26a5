package gate

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// OrgMember returns the requester's roles in the organization the path
// names; a non-member gets the 404 of an organization that doesn't exist.
func (z *Authorizer) OrgMember(e *core.RequestEvent) (Actor, *core.Record, error) {
	orgID := e.Request.PathValue("org")
	a, err := z.Actor(e.App, e.Auth, orgID)
	if err != nil {
		return a, nil, err
	}
	if !a.Member {
		return a, nil, reply.NotFound()
	}
	org, err := e.App.FindRecordById(schema.Organizations, orgID)
	if err != nil {
		return a, nil, fmt.Errorf("find organization %s: %w", orgID, err)
	}
	return a, org, nil
}
