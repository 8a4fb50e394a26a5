package org

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func registerPeople(app core.App, z *gate.Authorizer) {
	reply.ServeSignedIn(app,
		reply.GET(api.PeopleRoute, func(re *core.RequestEvent) error { return people(re, z) }),
	)
}

func people(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	// Owners and managers see the whole membership, active or not, with
	// e-mails and roles; everyone else sees names only, of the people they
	// already meet through their projects and teams.
	emails := z.Matrix.Scope(a.Actor, perms.ViewOrganizationMembers, a.Settings).All
	all := emails
	var ids []string
	if !all {
		if ids, all, err = colleagues(e.App, z, a, org.Id); err != nil {
			return err
		}
	}
	rows, err := orgPeople(e.App, org.Id, ids, all)
	if err != nil {
		return err
	}
	items := make([]api.Person, 0, len(rows))
	for _, r := range rows {
		p := api.Person{ID: r.ID, Name: r.Name}
		if emails || r.ID == a.Actor.UserID {
			p.Email, p.Role, p.Status = r.Email, r.Role, r.Status
		}
		if p.Name == "" {
			p.Name = reply.AnonymousName
			if local, _, ok := strings.Cut(p.Email, "@"); ok && local != "" {
				p.Name = local
			}
		}
		items = append(items, p)
	}
	// Names in the order a person reads them, whatever their letters
	// (Émile beside Emma, not after Zoë); the web app keeps this order
	// rather than sort again.
	byName := collate.New(language.Und)
	slices.SortFunc(items, func(x, y api.Person) int {
		return cmp.Or(byName.CompareString(x.Name, y.Name), strings.Compare(x.Name, y.Name), strings.Compare(x.ID, y.ID))
	})
	return e.JSON(http.StatusOK, api.People{Items: items})
}

// colleagues returns the ids of the people a member without "View
// Organization Members" meets: themself, the members of the projects whose
// members they may view, and the members of their teams. everyone reports a
// "View Project Members" grant over the whole organization, or a right to
// add people to a project or a team.
func colleagues(app core.App, z *gate.Authorizer, a gate.Actor, org string) (ids []string, everyone bool, err error) {
	ids = []string{a.Actor.UserID}
	sc := z.Matrix.Scope(a.Actor, perms.ViewProjectMembers, a.Settings)
	if sc.All {
		return nil, true, nil
	}
	// Whoever may add people to a project or a team picks them from the
	// whole organization, as in Hubstaff, so they see every name.
	for _, f := range []perms.Feature{perms.AddProjectMembers, perms.ManageAssignedProjects, perms.ModifyTeamMembers} {
		if !z.Matrix.Scope(a.Actor, f, a.Settings).Empty() {
			return nil, true, nil
		}
	}
	more := func(collection, field string, in []string) error {
		if len(in) == 0 {
			return nil
		}
		var users []string
		err := app.RecordQuery(collection).Select(schema.FieldUser).
			AndWhere(dbx.HashExp{schema.FieldOrg: org}).AndWhere(dbx.In(field, reply.AnySlice(in)...)).Column(&users)
		if err != nil {
			return fmt.Errorf("%s of %s in %s: %w", collection, a.Actor.UserID, org, err)
		}
		ids = append(ids, users...)
		return nil
	}
	if err := more(schema.ProjectMembers, "project", sc.Projects); err != nil {
		return nil, false, err
	}
	if err := more(schema.TeamMembers, "team", reply.SortedKeys(a.Teams)); err != nil {
		return nil, false, err
	}
	slices.Sort(ids)
	return slices.Compact(ids), false, nil
}

type personRow struct {
	ID     string `db:"id"`
	Name   string `db:"name"`
	Email  string `db:"email"`
	Role   string `db:"role"`
	Status string `db:"status"`
}

// orgPeople reads the members of org among ids (all of them when all is
// set): only people with a membership there, so no one from elsewhere
// appears whatever the ids say.
func orgPeople(app core.App, org string, ids []string, all bool) ([]personRow, error) {
	q := app.DB().Select("u.id", "u.name", "u.email", "m.role", "m.status").
		From(schema.Memberships+" m").
		InnerJoin(schema.Users+" u", dbx.NewExp("u.id = m.user")).
		Where(dbx.HashExp{"m.org": org})
	if !all {
		if len(ids) == 0 {
			return nil, nil
		}
		q = q.AndWhere(dbx.In("u.id", reply.AnySlice(ids)...))
	}
	var rows []personRow
	if err := q.All(&rows); err != nil {
		return nil, fmt.Errorf("people of %s: %w", org, err)
	}
	return rows, nil
}
