package hooks

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

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

func (s *Server) registerProjectCreation(app core.App, z *authorizer) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.POST(CreateProjectRoute, func(re *core.RequestEvent) error { return createProject(re, z) }).
			Bind(apis.RequireAuth(migrations.Users))
		return e.Next()
	})
}

func createProject(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	var in NewProject
	if err := e.BindBody(&in); err != nil {
		return badRequest("Send {\"name\": ..., \"client\": ..., \"team\": ...}.")
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Team != "" && !isRecordID(in.Team) || in.Client != "" && !isRecordID(in.Client) {
		return badRequest("team and client must be record ids.")
	}
	d := z.decide(a, perms.CreateProjects, perms.Target{TeamID: in.Team})
	if !d.Allowed {
		if in.Team == "" && len(a.actor.LedTeams) > 0 && z.decide(a, perms.CreateProjects, perms.Target{TeamID: sortedKeys(a.actor.LedTeams)[0]}).Allowed {
			return badRequest("Name one of the teams you lead: the project joins it.")
		}
		return forbidden(perms.CreateProjects)
	}
	// Linking to a team is Modify Team Projects, which a team lead's grant
	// to create in their team already includes.
	if in.Team != "" && d.Role != perms.RoleTeamLead && !z.decide(a, perms.ModifyTeamProjects, perms.Target{TeamID: in.Team}).Allowed {
		return forbidden(perms.ModifyTeamProjects)
	}
	if in.Name == "" || len(in.Name) > 200 {
		return badRequest("name is required, at most 200 characters.")
	}
	if in.Team != "" {
		n, err := e.App.CountRecords(migrations.Teams, dbx.HashExp{"id": in.Team, "org": org.Id})
		if err != nil {
			return fmt.Errorf("find team %s: %w", in.Team, err)
		}
		if n == 0 {
			return router.NewNotFoundError("The team wasn't found.", nil)
		}
	}

	var project *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		pc, err := tx.FindCachedCollectionByNameOrId(migrations.Projects)
		if err != nil {
			return fmt.Errorf("find %s: %w", migrations.Projects, err)
		}
		project = core.NewRecord(pc)
		project.Set("org", org.Id)
		project.Set("name", in.Name)
		project.Set("client", in.Client)
		if err := tx.Save(project); err != nil {
			return err
		}
		if in.Team == "" {
			return nil
		}
		lc, err := tx.FindCachedCollectionByNameOrId(migrations.TeamProjects)
		if err != nil {
			return fmt.Errorf("find %s: %w", migrations.TeamProjects, err)
		}
		link := core.NewRecord(lc)
		link.Set("org", org.Id)
		link.Set("team", in.Team)
		link.Set("project", project.Id)
		return tx.Save(link)
	})
	if err != nil {
		return requestError(err, "Couldn't create the project.")
	}
	// Only what the creator gave: budget fields are shown by the matrix alone.
	return e.JSON(http.StatusOK, NewProjectCreated{ID: project.Id, Org: org.Id, Name: in.Name, Client: in.Client, Team: in.Team})
}

// NewProjectCreated is the answer of CreateProjectRoute.
type NewProjectCreated struct {
	ID     string `json:"id"`
	Org    string `json:"org"`
	Name   string `json:"name"`
	Client string `json:"client"`
	Team   string `json:"team"`
}
