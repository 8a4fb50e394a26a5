package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Limits of a work break policy: a break may start after at most a day of
// work and last at most four hours.
const (
	MaxBreakAfterMinutes = 1440
	MaxBreakMinutes      = 240
)

// Work break policies. Breaks themselves are never recorded: Tock derives
// them from the gaps between a member's tracked slots (hooks/breaks.go), so
// a policy changed today also explains yesterday's timesheet.
func init() {
	m.Register(createBreakPolicies, func(app core.App) error {
		return dropCollections(app, BreakPolicies)
	})
}

func createBreakPolicies(app core.App) error {
	orgs, err := app.FindCollectionByNameOrId(Organizations)
	if err != nil {
		return fmt.Errorf("find %s: %w", Organizations, err)
	}
	c := orgScoped(BreakPolicies, orgs)
	c.Fields.Add(text("name", true, 100))
	c.Fields.Add(number("after_minutes", true, 1, MaxBreakAfterMinutes))
	c.Fields.Add(number("break_minutes", true, 1, MaxBreakMinutes))
	c.Fields.Add(&core.BoolField{Name: "paid"})
	timestamps(c)
	if err := save(app, c); err != nil {
		return err
	}
	return applyMatrixRules(app)
}
