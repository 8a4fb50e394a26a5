package projects

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func (s *Server) registerProjectCreation(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.POST(api.CreateProjectRoute, func(re *core.RequestEvent) error { return createProject(re, z) }),
	)
}

func createProject(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	var in api.NewProject
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send {\"name\": ..., \"client\": ..., \"team\": ...}.")
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Team != "" && !reply.IsRecordID(in.Team) || in.Client != "" && !reply.IsRecordID(in.Client) {
		return reply.BadRequest("team and client must be record ids.")
	}
	d := z.Decide(a, perms.CreateProjects, perms.Target{TeamID: in.Team})
	if !d.Allowed {
		if in.Team == "" && len(a.Actor.LedTeams) > 0 && z.Decide(a, perms.CreateProjects, perms.Target{TeamID: reply.SortedKeys(a.Actor.LedTeams)[0]}).Allowed {
			return reply.BadRequest("Name one of the teams you lead: the project joins it.")
		}
		return reply.Forbidden(perms.CreateProjects)
	}
	// Linking to a team is Modify Team Projects, which a team lead's grant
	// to create in their team already includes.
	if in.Team != "" && d.Role != perms.RoleTeamLead && !z.Decide(a, perms.ModifyTeamProjects, perms.Target{TeamID: in.Team}).Allowed {
		return reply.Forbidden(perms.ModifyTeamProjects)
	}
	if in.Name == "" || len(in.Name) > 200 {
		return reply.BadRequest("name is required, at most 200 characters.")
	}
	if in.Team != "" {
		n, err := e.App.CountRecords(schema.Teams, dbx.HashExp{"id": in.Team, schema.FieldOrg: org.Id})
		if err != nil {
			return fmt.Errorf("find team %s: %w", in.Team, err)
		}
		if n == 0 {
			return router.NewNotFoundError("The team wasn't found.", nil)
		}
	}

	var project *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		pc, err := tx.FindCachedCollectionByNameOrId(schema.Projects)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.Projects, err)
		}
		project = core.NewRecord(pc)
		project.Set(schema.FieldOrg, org.Id)
		project.Set(schema.FieldName, in.Name)
		project.Set(schema.FieldClient, in.Client)
		if err := tx.Save(project); err != nil {
			return err
		}
		if in.Team == "" {
			return nil
		}
		lc, err := tx.FindCachedCollectionByNameOrId(schema.TeamProjects)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.TeamProjects, err)
		}
		link := core.NewRecord(lc)
		link.Set(schema.FieldOrg, org.Id)
		link.Set("team", in.Team)
		link.Set(schema.FieldProject, project.Id)
		return tx.Save(link)
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't create the project.")
	}
	// Only what the creator gave: budget fields are shown by the matrix alone.
	return e.JSON(http.StatusOK, api.NewProjectCreated{ID: project.Id, Org: org.Id, Name: in.Name, Client: in.Client, Team: in.Team})
}
