package hooks

import (
	"fmt"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/migrations"
)

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

func (s *Server) registerMe(app core.App, z *authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.GET(MeRoute, func(re *core.RequestEvent) error { return s.me(re, z) }).
			Bind(apis.RequireAuth(migrations.Users))
		return e.Next()
	})
}

// orgMember returns the requester's roles in the organization the path
// names; a non-member gets the 404 of an organization that doesn't exist.
func (z *authorizer) orgMember(e *core.RequestEvent) (orgActor, *core.Record, error) {
	orgID := e.Request.PathValue("org")
	a, err := z.actor(e.App, e.Auth, orgID)
	if err != nil {
		return a, nil, err
	}
	if !a.member {
		return a, nil, notFound()
	}
	org, err := e.App.FindRecordById(migrations.Organizations, orgID)
	if err != nil {
		return a, nil, fmt.Errorf("find organization %s: %w", orgID, err)
	}
	return a, org, nil
}

func (s *Server) me(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	out := Me{
		Org:          OrgSummary{ID: org.Id, Name: org.GetString("name"), Timezone: org.GetString("timezone")},
		User:         a.actor.UserID,
		Role:         a.actor.OrgRole,
		ProjectRoles: map[string]string{},
		LedTeams:     nonNil(sortedKeys(a.actor.LedTeams)),
		Teams:        nonNil(sortedKeys(a.teams)),
		Features:     map[string]FeatureScope{},
		Modules:      orgModules(org),
	}
	for p, r := range a.actor.ProjectRoles {
		out.ProjectRoles[p] = r
	}
	for _, row := range z.matrix.Rows() {
		sc := z.matrix.Scope(a.actor, row.Feature, a.settings)
		if sc.Empty() {
			continue
		}
		out.Features[string(row.Feature)] = FeatureScope{
			All: sc.All, Self: sc.Self, Limited: sc.Limited,
			Projects: nonNil(sc.Projects), Users: nonNil(sc.Users), Teams: nonNil(sc.Teams),
		}
	}
	return e.JSON(http.StatusOK, out)
}

// nonNil keeps a JSON list a list: the web app never has to test for null.
func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}
