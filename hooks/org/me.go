package org

import (
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

func registerMe(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.GET(api.MeRoute, func(re *core.RequestEvent) error { return me(re, z) }),
	)
}

func me(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	out := api.Me{
		Org:          api.OrgSummary{ID: org.Id, Name: org.GetString(schema.FieldName), Timezone: org.GetString(schema.FieldTimezone)},
		User:         a.Actor.UserID,
		Role:         a.Actor.OrgRole,
		ProjectRoles: map[string]string{},
		LedTeams:     reply.NonNil(reply.SortedKeys(a.Actor.LedTeams)),
		Teams:        reply.NonNil(reply.SortedKeys(a.Teams)),
		Features:     map[string]api.FeatureScope{},
		Modules:      orgModules(org),
		Zone:         reply.ZoneAround(reply.OrgLocation(org), time.Now()),
	}
	for p, r := range a.Actor.ProjectRoles {
		out.ProjectRoles[p] = r
	}
	for _, row := range z.Matrix.Rows() {
		sc := z.Matrix.Scope(a.Actor, row.Feature, a.Settings)
		if sc.Empty() {
			continue
		}
		out.Features[string(row.Feature)] = api.FeatureScope{
			All: sc.All, Self: sc.Self, Limited: sc.Limited,
			Projects: reply.NonNil(sc.Projects), Users: reply.NonNil(sc.Users), Teams: reply.NonNil(sc.Teams),
		}
	}
	return e.JSON(http.StatusOK, out)
}
