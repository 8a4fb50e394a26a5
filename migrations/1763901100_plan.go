package migrations

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Plan limits of a self-hosted appliance: no payment provider, the owner
// sets them. Zero means "no limit" for both.
const (
	MaxSeatLimit         = 100000
	MaxPlanRetentionDays = 3650
)

// Modules an organization can switch off ("Add/Remove Features"). Each is a
// bool organization field named FeatureField(module), on by default.
const (
	ModuleInvoices     = "invoices"
	ModulePayroll      = "payroll"
	ModuleTimeOff      = "time_off"
	ModuleSchedules    = "schedules"
	ModuleJobSites     = "job_sites"
	ModuleWorkOrders   = "work_orders"
	ModuleIntegrations = "integrations"
)

// Modules lists every module an organization can turn off, in display order.
func Modules() []string {
	return []string{ModuleInvoices, ModulePayroll, ModuleTimeOff, ModuleSchedules, ModuleJobSites, ModuleWorkOrders, ModuleIntegrations}
}

// FeatureField names the organization field that turns module on or off.
func FeatureField(module string) string { return "feature_" + module }

// ModuleCollections maps each module to the collections whose records it
// creates; creation there is refused while the module is off. The names are
// fixed ahead of the collections, which other migrations create.
func ModuleCollections() map[string][]string {
	return map[string][]string{
		ModuleInvoices:     {"client_invoices", "team_invoices"},
		ModulePayroll:      {"payroll_runs", "payments"},
		ModuleTimeOff:      {"time_off_policies", "holiday_policies", "time_off_balances", "time_off_requests"},
		ModuleSchedules:    {"schedules"},
		ModuleJobSites:     {"job_sites", "locations"},
		ModuleWorkOrders:   {"work_orders", "jobs"},
		ModuleIntegrations: {"webhooks"},
	}
}

// PlanFields are the organization fields of its plan ("Change Subscription Plan").
func PlanFields() []string { return []string{"seat_limit", "plan_retention_days"} }

// The organization's plan (seat limit, longest screenshot retention) and its
// module switches. Existing organizations keep every module on.
func init() {
	m.Register(createPlan, dropPlan)
}

func createPlan(app core.App) error {
	orgs, err := app.FindCollectionByNameOrId(Organizations)
	if err != nil {
		return fmt.Errorf("find %s: %w", Organizations, err)
	}
	orgs.Fields.Add(number("seat_limit", false, 0, MaxSeatLimit))
	orgs.Fields.Add(number("plan_retention_days", false, 0, MaxPlanRetentionDays))
	on := dbx.Params{}
	for _, mod := range Modules() {
		orgs.Fields.Add(&core.BoolField{Name: FeatureField(mod)})
		on[FeatureField(mod)] = true
	}
	if err := app.Save(orgs); err != nil {
		return fmt.Errorf("add plan fields to %s: %w", Organizations, err)
	}
	if _, err := app.DB().Update(Organizations, on, nil).Execute(); err != nil {
		return fmt.Errorf("turn every module on for existing organizations: %w", err)
	}
	return applyMatrixRules(app)
}

func dropPlan(app core.App) error {
	orgs, err := app.FindCollectionByNameOrId(Organizations)
	if err != nil {
		return nil // already gone: down migrations must be re-runnable
	}
	for _, f := range PlanFields() {
		orgs.Fields.RemoveByName(f)
	}
	for _, mod := range Modules() {
		orgs.Fields.RemoveByName(FeatureField(mod))
	}
	if err := app.Save(orgs); err != nil {
		return fmt.Errorf("drop plan fields of %s: %w", Organizations, err)
	}
	return nil
}
