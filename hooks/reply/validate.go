package reply

import (
	"errors"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// ValidateAlso runs PocketBase's field validators and then extra, reporting
// the errors of both together so a client sees every problem in one 400.
func ValidateAlso(e *core.RecordEvent, extra func() validation.Errors) error {
	fieldErr := e.Next()
	var fieldErrs validation.Errors
	if fieldErr != nil && !errors.As(fieldErr, &fieldErrs) {
		return fieldErr
	}
	merged := validation.Errors{}
	for k, v := range fieldErrs {
		merged[k] = v
	}
	for k, v := range extra() {
		if _, seen := merged[k]; !seen {
			merged[k] = v
		}
	}
	if len(merged) == 0 {
		return nil
	}
	return merged
}
