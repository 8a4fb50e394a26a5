package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// Work break policies. Breaks themselves are never recorded: Tock derives
// them from the gaps between a member's tracked slots (hooks/breaks.go), so
// a policy changed today also explains yesterday's timesheet.
func init() {
	m.Register(createBreakPolicies, func(app core.App) error {
		return dropCollections(app, schema.BreakPolicies)
	})
}

func createBreakPolicies(app core.App) error {
	orgs, err := app.FindCollectionByNameOrId(schema.Organizations)
	if err != nil {
		return fmt.Errorf("find %s: %w", schema.Organizations, err)
	}
	c := orgScoped(schema.BreakPolicies, orgs)
	c.Fields.Add(text(schema.FieldName, true, 100))
	c.Fields.Add(number("after_minutes", true, 1, schema.MaxBreakAfterMinutes))
	c.Fields.Add(number("break_minutes", true, 1, schema.MaxBreakMinutes))
	c.Fields.Add(&core.BoolField{Name: "paid"})
	timestamps(c)
	if err := save(app, c); err != nil {
		return err
	}
	return applyMatrixRules(app)
}
