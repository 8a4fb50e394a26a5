package gate

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/migrations/schema"
)

// ModuleLabel names a module in refusals and in the web app; "" for a name
// that is no module.
func ModuleLabel(mod string) string {
	switch mod {
	case schema.ModuleInvoices:
		return "Invoices"
	case schema.ModulePayroll:
		return "Payroll"
	case schema.ModuleTimeOff:
		return "Time off"
	case schema.ModuleSchedules:
		return "Schedules"
	case schema.ModuleJobSites:
		return "Job sites"
	case schema.ModuleWorkOrders:
		return "Work orders"
	case schema.ModuleIntegrations:
		return "Integrations"
	}
	return ""
}

// FeatureOn answers nil when module is on in org, else the 409 (code
// feature_off) to return as is. Custom routes of a module call it before
// creating anything, e.g.
//
//	if err := gate.FeatureOn(e.App, orgID, schema.ModulePayroll); err != nil {
//		return err
//	}
//
// Records created in the module's collections are checked by Tock already.
func FeatureOn(app core.App, orgID, module string) error {
	label := ModuleLabel(module)
	if label == "" {
		return fmt.Errorf("feature gate: unknown module %q", module)
	}
	org, err := app.FindRecordById(schema.Organizations, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no organization: the record's own validation answers that
	}
	if err != nil {
		return fmt.Errorf("find organization %s: %w", orgID, err)
	}
	if org.GetBool(schema.FeatureField(module)) {
		return nil
	}
	msg := fmt.Sprintf("%s is turned off in %s; an owner or manager can turn it on under Organization.", label, org.GetString(schema.FieldName))
	return router.NewApiError(http.StatusConflict, msg, map[string]validation.Error{"module": validation.NewError(api.CodeFeatureOff, msg)})
}
