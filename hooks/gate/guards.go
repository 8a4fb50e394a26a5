package gate

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// GuardFunc refuses what the matrix can't express. before is nil on create,
// after is nil on delete.
type GuardFunc func(app core.App, a Actor, d Decider, before, after *core.Record) error

// RefuseRole turns a refused role change into a 403. An unknown role is left
// to the record's validation, whose 400 names the field.
func RefuseRole(d perms.RoleDecision) error {
	if d.Allowed || d.Reason == perms.ReasonUnknownRole {
		return nil
	}
	return router.NewForbiddenError(d.Reason, nil)
}

// activeOrgRole is user's organization role in org, "" unless they are an
// active member: the rank a role change in a project or team must respect.
func activeOrgRole(app core.App, org, user string) (string, error) {
	var m struct {
		Role   string `db:"role"`
		Status string `db:"status"`
	}
	err := app.RecordQuery(schema.Memberships).Select(schema.FieldRole, schema.FieldStatus).
		AndWhere(dbx.HashExp{schema.FieldOrg: org, schema.FieldUser: user}).Limit(1).One(&m)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && m.Status != schema.MemberActive) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("organization role of %s in %s: %w", user, org, err)
	}
	return m.Role, nil
}

// GuardScopedRole applies perms.CanSetRole to the role of a project or team
// membership whenever it is set: on create, or when the role, the person or
// the project/team changes. where names the project or team field, role
// reads the record's role in that scope.
func GuardScopedRole(scope perms.RoleScope, where string, role func(*core.Record) string) GuardFunc {
	return func(app core.App, a Actor, _ Decider, before, after *core.Record) error {
		if after == nil {
			return nil
		}
		same := before != nil && before.GetString(where) == after.GetString(where) &&
			before.GetString(schema.FieldUser) == after.GetString(schema.FieldUser)
		if same && role(before) == role(after) {
			return nil
		}
		from := ""
		if same {
			from = role(before)
		}
		target := after.GetString(schema.FieldUser)
		orgRole, err := activeOrgRole(app, after.GetString(schema.FieldOrg), target)
		if err != nil {
			return err
		}
		return RefuseRole(perms.CanSetRole(a.Actor, perms.RoleChange{
			Scope: scope, Where: after.GetString(where), Target: target,
			TargetOrgRole: orgRole, From: from, To: role(after),
		}))
	}
}
