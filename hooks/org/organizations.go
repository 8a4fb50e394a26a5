package org

import (
	"fmt"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// OrganizationDefaults are applied to a new organization for every setting the
// request leaves out. Zero is a real value for some of them (no screenshots),
// so the request body decides, not the field's zero value.
func OrganizationDefaults() map[string]any {
	return map[string]any{
		"timezone":                schema.DefaultTimezone,
		"screenshots_per_slot":    schema.DefaultScreenshotsPerSlot,
		"idle_timeout_minutes":    schema.DefaultIdleTimeoutMinutes,
		"retention_days":          schema.DefaultRetentionDays,
		"allow_screenshot_delete": true,
	}
}

func registerOrganizations(app core.App) {
	app.OnRecordCreateRequest(schema.Organizations).BindFunc(createOrganization)
	app.OnRecordValidate(schema.Organizations).BindFunc(validateOrganization)
}

// createOrganization fills in defaults and, in the same transaction as the
// organization itself, makes its creator the first owner: an organization
// never exists without someone who can administer it.
func createOrganization(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	for field, value := range OrganizationDefaults() {
		if _, given := info.Body[field]; !given {
			e.Record.Set(field, value)
		}
	}

	// A superuser creating an organization from the admin UI is not a member of
	// it; they add its first owner membership themselves.
	if e.Auth == nil || e.Auth.Collection().Name != schema.Users {
		return e.Next()
	}
	creator := e.Auth.Id

	if e.Record.Id == "" {
		e.Record.Id = core.GenerateDefaultRandomId()
	}
	return e.App.RunInTransaction(func(txApp core.App) error {
		original := e.App
		e.App = txApp
		defer func() { e.App = original }()

		// The membership goes in first so that the response, built while the
		// organization is saved, is already checked against an owner; should
		// the organization fail to save, the transaction takes both back.
		memberships, err := txApp.FindCollectionByNameOrId(schema.Memberships)
		if err != nil {
			return fmt.Errorf("find memberships: %w", err)
		}
		owner := core.NewRecord(memberships)
		owner.Set(schema.FieldOrg, e.Record.Id)
		owner.Set(schema.FieldUser, creator)
		owner.Set(schema.FieldRole, schema.RoleOwner)
		owner.Set(schema.FieldStatus, schema.MemberActive)
		// Not validated: its organization doesn't exist until e.Next saves it.
		if err := txApp.SaveNoValidate(owner); err != nil {
			return fmt.Errorf("make %s owner of organization %s: %w", creator, e.Record.Id, err)
		}
		return e.Next()
	})
}

func validateOrganization(e *core.RecordEvent) error {
	return reply.ValidateAlso(e, func() validation.Errors {
		tz := e.Record.GetString(schema.FieldTimezone)
		if _, err := time.LoadLocation(tz); tz != "" && err != nil {
			return validation.Errors{
				"timezone": validation.NewError("validation_invalid_timezone", "Must be an IANA time zone such as Europe/Berlin."),
			}
		}
		return nil
	})
}
