package migrations

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"github.com/tock-app/tock/migrations/schema"
)

// The organization's plan (seat limit, longest screenshot retention) and its
// module switches. Existing organizations keep every module on.
func init() {
	m.Register(createPlan, dropPlan)
}

func createPlan(app core.App) error {
	orgs, err := app.FindCollectionByNameOrId(schema.Organizations)
	if err != nil {
		return fmt.Errorf("find %s: %w", schema.Organizations, err)
	}
	orgs.Fields.Add(number(schema.FieldSeatLimit, false, 0, schema.MaxSeatLimit))
	orgs.Fields.Add(number(schema.FieldPlanRetentionDays, false, 0, schema.MaxPlanRetentionDays))
	on := dbx.Params{}
	for _, mod := range schema.Modules() {
		orgs.Fields.Add(&core.BoolField{Name: schema.FeatureField(mod)})
		on[schema.FeatureField(mod)] = true
	}
	if err := app.Save(orgs); err != nil {
		return fmt.Errorf("add plan fields to %s: %w", schema.Organizations, err)
	}
	if _, err := app.DB().Update(schema.Organizations, on, nil).Execute(); err != nil {
		return fmt.Errorf("turn every module on for existing organizations: %w", err)
	}
	return applyMatrixRules(app)
}

func dropPlan(app core.App) error {
	orgs, err := app.FindCollectionByNameOrId(schema.Organizations)
	if err != nil {
		return nil // already gone: down migrations must be re-runnable
	}
	for _, f := range schema.PlanFields() {
		orgs.Fields.RemoveByName(f)
	}
	for _, mod := range schema.Modules() {
		orgs.Fields.RemoveByName(schema.FeatureField(mod))
	}
	if err := app.Save(orgs); err != nil {
		return fmt.Errorf("drop plan fields of %s: %w", schema.Organizations, err)
	}
	return nil
}
