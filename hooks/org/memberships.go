package org

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/migrations/schema"
)

// errLastOwner is the answer to a change that would leave an organization without an active owner.
const errLastOwner = "An organization must keep at least one active owner: make someone else an owner first."

func registerMemberships(app core.App) {
	app.OnRecordCreateRequest(schema.Memberships).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Record.GetString(schema.FieldStatus) == "" {
			e.Record.Set(schema.FieldStatus, schema.MemberActive)
		}
		return e.Next()
	})
	app.OnRecordUpdate(schema.Memberships).BindFunc(guardOwnerDemotion)
	app.OnRecordDelete(schema.Memberships).BindFunc(guardOwnerRemoval)
}

func isActiveOwner(r *core.Record) bool {
	return schema.Membership{Record: r}.ActiveOwner()
}

// guardOwnerDemotion refuses to demote or deactivate the last active owner.
func guardOwnerDemotion(e *core.RecordEvent) error {
	before := e.Record.Original()
	if !isActiveOwner(before) || isActiveOwner(e.Record) {
		return e.Next()
	}
	if err := requireAnotherOwner(e.App, before); err != nil {
		return err
	}
	return e.Next()
}

// guardOwnerRemoval refuses to remove the last active owner, unless the whole
// organization is being deleted (its memberships then go by cascade).
func guardOwnerRemoval(e *core.RecordEvent) error {
	if !isActiveOwner(e.Record) {
		return e.Next()
	}
	_, err := e.App.FindRecordById(schema.Organizations, schema.Membership{Record: e.Record}.Org())
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return e.Next()
	case err != nil:
		return fmt.Errorf("find organization of membership %s: %w", e.Record.Id, err)
	}
	if err := requireAnotherOwner(e.App, e.Record); err != nil {
		return err
	}
	return e.Next()
}

func requireAnotherOwner(app core.App, membership *core.Record) error {
	var others int
	err := app.RecordQuery(schema.Memberships).
		Select("count(*)").
		AndWhere(dbx.HashExp{schema.FieldOrg: membership.GetString(schema.FieldOrg), schema.FieldRole: schema.RoleOwner, schema.FieldStatus: schema.MemberActive}).
		AndWhere(dbx.Not(dbx.HashExp{"id": membership.Id})).
		Row(&others)
	if err != nil {
		return fmt.Errorf("count owners of organization %s: %w", membership.GetString(schema.FieldOrg), err)
	}
	if others == 0 {
		return router.NewBadRequestError(errLastOwner, nil)
	}
	return nil
}
