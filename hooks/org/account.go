package org

import (
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
)

// RegisterAccount checks what a person sets on their own account in the web
// app's profile page: a time zone must be one the server knows, as an
// organization's must.
func registerAccount(app core.App) {
	app.OnRecordValidate(schema.Users).BindFunc(validateAccount)
}

func validateAccount(e *core.RecordEvent) error {
	return reply.ValidateAlso(e, func() validation.Errors {
		tz := e.Record.GetString(schema.UserTimezoneField)
		if _, err := time.LoadLocation(tz); tz != "" && err != nil {
			return validation.Errors{
				schema.UserTimezoneField: validation.NewError("validation_invalid_timezone", "Must be an IANA time zone such as Europe/Berlin."),
			}
		}
		return nil
	})
}
