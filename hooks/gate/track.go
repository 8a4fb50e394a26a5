package gate

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// MayTrackTo: project members who aren't viewers, members of a team the
// project belongs to, and the organization's owners and managers record time
// on a project; a viewer of it never does.
func MayTrackTo(a Actor, project string) bool {
	switch a.Actor.ProjectRoles[project] {
	case schema.ProjectRoleUser, schema.ProjectRoleManager:
		return true
	case schema.ProjectRoleViewer:
		return false
	}
	return a.TeamProjects[project] || a.Actor.OrgRole == schema.RoleOwner || a.Actor.OrgRole == schema.RoleManager
}

// Tracker returns the requester as a member of org who may track time there.
// The actor comes from the memo of recent uploaders (recentActors): the
// caller must not change it.
func Tracker(e *core.RequestEvent, z *Authorizer, org string) (Actor, error) {
	if !reply.IsPerson(e.Auth) {
		return Actor{}, router.NewUnauthorizedError("Sign in with the agent first.", nil)
	}
	a, err := z.recent.get(e.App, e.Auth.Id, org)
	if err != nil {
		return a, err
	}
	if !a.Member {
		return a, reply.NotFound()
	}
	return a, nil
}
