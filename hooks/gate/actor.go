package gate

import (
	"database/sql"
	"fmt"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Actor is what perms needs to decide for one person in one organization.
type Actor struct {
	Actor        perms.Actor
	Settings     perms.Settings
	Org          *core.Record    // the organization as read with the roles; nil when there is none
	Member       bool            // an active membership: without it nothing is allowed
	Teams        map[string]bool // teams the person belongs to, led or not
	TeamProjects map[string]bool // the projects of those teams
}

// orgSettings reads an organization's toggles straight from its record.
type orgSettings struct{ org *core.Record }

func (s orgSettings) Enabled(name string) bool { return s.org.GetBool(name) }

// LoadActor reads a person's roles in org: membership, project roles and the
// teams they lead with those teams' projects and members.
func LoadActor(app core.App, userID, orgID string) (Actor, error) {
	a := Actor{Actor: perms.Actor{UserID: userID}}
	org, err := app.FindRecordById(schema.Organizations, orgID)
	if err != nil {
		return a, nil // no such organization: a non-member of nothing
	}
	a.Org = org
	a.Settings = orgSettings{org: org}

	var membership struct {
		Role   string `db:"role"`
		Status string `db:"status"`
	}
	err = app.RecordQuery(schema.Memberships).Select(schema.FieldRole, schema.FieldStatus).
		AndWhere(dbx.HashExp{schema.FieldOrg: orgID, schema.FieldUser: userID}).Limit(1).One(&membership)
	if err != nil || membership.Status != schema.MemberActive {
		return a, nil
	}
	a.Member = true
	a.Actor.OrgRole = membership.Role

	var projectRoles []struct {
		Project string `db:"project"`
		Role    string `db:"role"`
	}
	if err := app.RecordQuery(schema.ProjectMembers).Select(schema.FieldProject, schema.FieldRole).
		AndWhere(dbx.HashExp{schema.FieldOrg: orgID, schema.FieldUser: userID}).All(&projectRoles); err != nil {
		return a, fmt.Errorf("project roles of %s in %s: %w", userID, orgID, err)
	}
	a.Actor.ProjectRoles = make(map[string]string, len(projectRoles))
	for _, p := range projectRoles {
		a.Actor.ProjectRoles[p.Project] = p.Role
	}

	// Teams and their projects in one query: a team without projects comes
	// back once, with a NULL project.
	var teams []struct {
		Team    string         `db:"team"`
		IsLead  bool           `db:"is_lead"`
		Project sql.NullString `db:"project"`
	}
	if err := app.DB().Select("tm.team AS team", "tm.is_lead AS is_lead", "tp.project AS project").
		From(schema.TeamMembers+" tm").
		LeftJoin(schema.TeamProjects+" tp", dbx.NewExp("tp.team = tm.team")).
		Where(dbx.HashExp{"tm.org": orgID, "tm.user": userID}).All(&teams); err != nil {
		return a, fmt.Errorf("teams of %s in %s: %w", userID, orgID, err)
	}
	a.Teams = make(map[string]bool, len(teams))
	a.TeamProjects = map[string]bool{}
	led, ledProjects := map[string]bool{}, map[string]bool{}
	for _, t := range teams {
		a.Teams[t.Team] = true
		if t.Project.Valid {
			a.TeamProjects[t.Project.String] = true
		}
		if t.IsLead {
			led[t.Team] = true
			if t.Project.Valid {
				ledProjects[t.Project.String] = true
			}
		}
	}
	if len(led) == 0 {
		return a, nil
	}
	a.Actor.LedTeams = led
	a.Actor.LedProjects = ledProjects

	var members []string
	if err := app.RecordQuery(schema.TeamMembers).Select(schema.FieldUser).
		AndWhere(dbx.In("team", reply.AnySlice(reply.SortedKeys(led))...)).Column(&members); err != nil {
		return a, fmt.Errorf("members of teams led by %s: %w", userID, err)
	}
	a.Actor.LedMembers = reply.SetOf(members)
	return a, nil
}

// ActiveOrgs returns the organizations where userID holds an active membership.
func ActiveOrgs(app core.App, userID string) ([]string, error) {
	var orgs []string
	err := app.RecordQuery(schema.Memberships).Select(schema.FieldOrg).
		AndWhere(dbx.HashExp{schema.FieldUser: userID, schema.FieldStatus: schema.MemberActive}).Column(&orgs)
	if err != nil {
		return nil, fmt.Errorf("organizations of %s: %w", userID, err)
	}
	return orgs, nil
}

// actorCache keeps the actors loaded during one request, so a list of a
// hundred records costs one actor load per organization, not per record.
type actorCache struct {
	mu     sync.Mutex
	actors map[string]Actor
}

func (c *actorCache) get(app core.App, userID, orgID string) (Actor, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.actors[orgID]; ok {
		return a, nil
	}
	a, err := LoadActor(app, userID, orgID)
	if err != nil {
		return a, err
	}
	if c.actors == nil {
		c.actors = map[string]Actor{}
	}
	c.actors[orgID] = a
	return a, nil
}
