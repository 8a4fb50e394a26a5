package org

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/migrations/schema"
)

// RegisterUserOrgs keeps users.tock_orgs, which the list rules read, equal to
// the person's active memberships, in the transaction that changes them. The
// field is hidden, so PocketBase itself ignores it in others' requests.
func registerUserOrgs(app core.App) {
	refresh := func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		users := []string{schema.Membership{Record: e.Record}.User()}
		if orig := e.Record.Original(); orig != nil && (schema.Membership{Record: orig}).User() != users[0] {
			users = append(users, schema.Membership{Record: orig}.User())
		}
		for _, u := range users {
			if err := refreshUserOrgs(e.App, u); err != nil {
				return err
			}
		}
		return nil
	}
	app.OnRecordCreate(schema.Memberships).BindFunc(refresh)
	app.OnRecordUpdate(schema.Memberships).BindFunc(refresh)
	app.OnRecordDelete(schema.Memberships).BindFunc(refresh)
}

func refreshUserOrgs(app core.App, userID string) error {
	user, err := app.FindRecordById(schema.Users, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the person is being deleted
	}
	if err != nil {
		return fmt.Errorf("find user %s: %w", userID, err)
	}
	orgs, err := gate.ActiveOrgs(app, userID)
	if err != nil {
		return err
	}
	value := ""
	if len(orgs) > 0 {
		value = "," + strings.Join(orgs, ",") + ","
	}
	if user.GetString(schema.UserOrgsField) == value {
		return nil
	}
	user.Set(schema.UserOrgsField, value)
	if err := app.SaveNoValidate(user); err != nil {
		return fmt.Errorf("refresh organizations of %s: %w", userID, err)
	}
	return nil
}
