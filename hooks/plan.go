package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/migrations"
	"github.com/tock-app/tock/perms"
)

// The plan of a self-hosted appliance: there is no payment provider, so
// "Billing" is the owner's view of what the organization uses and "Change
// Subscription Plan" sets its limits (seat_limit, plan_retention_days).
// "Add/Remove Features" turns whole modules off (feature_* fields).
const BillingRoute = "/api/tock/orgs/{org}/billing"

// Codes in the data of the 409 refusals, so clients can tell them apart.
const (
	CodeSeatLimit  = "seat_limit"
	CodeFeatureOff = "feature_off"
)

// moduleLabel names a module in refusals and in the web app; "" for a name
// that is no module.
func moduleLabel(mod string) string {
	switch mod {
	case migrations.ModuleInvoices:
		return "Invoices"
	case migrations.ModulePayroll:
		return "Payroll"
	case migrations.ModuleTimeOff:
		return "Time off"
	case migrations.ModuleSchedules:
		return "Schedules"
	case migrations.ModuleJobSites:
		return "Job sites"
	case migrations.ModuleWorkOrders:
		return "Work orders"
	case migrations.ModuleIntegrations:
		return "Integrations"
	}
	return ""
}

func isPlanField(name string) bool {
	for _, f := range migrations.PlanFields() {
		if f == name {
			return true
		}
	}
	return false
}

func isFeatureField(name string) bool {
	mod, ok := strings.CutPrefix(name, "feature_")
	return ok && moduleLabel(mod) != ""
}

// moduleOfCollection inverts migrations.ModuleCollections.
func moduleOfCollection() map[string]string {
	out := map[string]string{}
	for mod, names := range migrations.ModuleCollections() {
		for _, n := range names {
			out[n] = mod
		}
	}
	return out
}

func (s *Server) registerPlan(app core.App, z *authorizer) {
	app.OnRecordCreate(migrations.Organizations).BindFunc(modulesOnByDefault)
	app.OnRecordCreate(migrations.Organizations).BindFunc(clampRetention)
	app.OnRecordUpdate(migrations.Organizations).BindFunc(clampRetention)
	app.OnRecordValidate(migrations.Organizations).BindFunc(validatePlan)
	app.OnRecordCreate(migrations.Memberships).BindFunc(enforceSeatLimit)

	// The gate is keyed by collection name: collections of modules that
	// don't exist yet simply never fire it.
	modules := moduleOfCollection()
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	app.OnRecordCreate(names...).BindFunc(func(e *core.RecordEvent) error {
		if err := FeatureOn(e.App, e.Record.GetString("org"), modules[e.Record.Collection().Name]); err != nil {
			return err
		}
		return e.Next()
	})

	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.GET(BillingRoute, func(re *core.RequestEvent) error { return billing(re, z) }).
			Bind(apis.RequireAuth(migrations.Users))
		return e.Next()
	})
}

// modulesOnByDefault turns every module on for a new organization that
// names none: creating one with all modules off is never what anyone means,
// and it keeps organizations made by any path (API, admin UI, tests) alike.
func modulesOnByDefault(e *core.RecordEvent) error {
	for _, mod := range migrations.Modules() {
		if e.Record.GetBool(migrations.FeatureField(mod)) {
			return e.Next()
		}
	}
	for _, mod := range migrations.Modules() {
		e.Record.Set(migrations.FeatureField(mod), true)
	}
	return e.Next()
}

// clampRetention lowers retention_days to a plan's new, shorter maximum:
// the owner changing the plan shouldn't have to edit the setting first.
// Raising retention_days past the plan stays an error (validatePlan).
func clampRetention(e *core.RecordEvent) error {
	limit := e.Record.GetInt("plan_retention_days")
	changed := e.Record.IsNew() || e.Record.Original().GetInt("plan_retention_days") != limit
	if changed && limit > 0 && e.Record.GetInt("retention_days") > limit {
		e.Record.Set("retention_days", limit)
	}
	return e.Next()
}

func validatePlan(e *core.RecordEvent) error {
	return validateAlso(e, func() validation.Errors {
		limit := e.Record.GetInt("plan_retention_days")
		if limit > 0 && e.Record.GetInt("retention_days") > limit {
			return validation.Errors{"retention_days": validation.NewError("validation_plan_retention",
				fmt.Sprintf("The plan keeps screenshots at most %d days.", limit))}
		}
		return nil
	})
}

// seatsUsed counts the memberships that hold a seat: active and invited
// members alike (an invited member was added and may start at any time).
func seatsUsed(app core.App, org string) (int, error) {
	var n int
	err := app.RecordQuery(migrations.Memberships).Select("count(*)").
		AndWhere(dbx.HashExp{"org": org}).
		AndWhere(dbx.In("status", "active", "invited")).Row(&n)
	if err != nil {
		return 0, fmt.Errorf("count seats of %s: %w", org, err)
	}
	return n, nil
}

// enforceSeatLimit refuses a membership beyond the plan's seats, however it
// is made: added over the API or by accepting an invitation. Lowering the
// limit below the seats in use keeps everyone; only newcomers are refused.
// The count and the insert share one transaction, on the single writing
// connection, so two newcomers racing for the last seat can't both get it.
func enforceSeatLimit(e *core.RecordEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		original := e.App
		e.App = tx
		defer func() { e.App = original }()
		if err := seatFree(tx, e.Record.GetString("org")); err != nil {
			return err
		}
		return e.Next()
	})
}

func seatFree(app core.App, orgID string) error {
	org, err := app.FindRecordById(migrations.Organizations, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // being created in this transaction: it has no limit yet
	}
	if err != nil {
		return fmt.Errorf("find organization %s: %w", orgID, err)
	}
	limit := org.GetInt("seat_limit")
	if limit <= 0 {
		return nil
	}
	used, err := seatsUsed(app, orgID)
	if err != nil {
		return err
	}
	if used >= limit {
		msg := fmt.Sprintf("%s has used all %d seats of its plan; an owner can raise the seat limit.", org.GetString("name"), limit)
		return router.NewApiError(http.StatusConflict, msg, map[string]validation.Error{"seats": validation.NewError(CodeSeatLimit, msg)})
	}
	return nil
}

// FeatureOn answers nil when module is on in org, else the 409 (code
// feature_off) to return as is. Custom routes of a module call it before
// creating anything, e.g.
//
//	if err := hooks.FeatureOn(e.App, orgID, migrations.ModulePayroll); err != nil {
//		return err
//	}
//
// Records created in the module's collections are checked by Tock already.
func FeatureOn(app core.App, orgID, module string) error {
	label := moduleLabel(module)
	if label == "" {
		return fmt.Errorf("feature gate: unknown module %q", module)
	}
	org, err := app.FindRecordById(migrations.Organizations, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no organization: the record's own validation answers that
	}
	if err != nil {
		return fmt.Errorf("find organization %s: %w", orgID, err)
	}
	if org.GetBool(migrations.FeatureField(module)) {
		return nil
	}
	msg := fmt.Sprintf("%s is turned off in %s; an owner or manager can turn it on under Organization.", label, org.GetString("name"))
	return router.NewApiError(http.StatusConflict, msg, map[string]validation.Error{"module": validation.NewError(CodeFeatureOff, msg)})
}

// orgModules reports every module's switch.
func orgModules(org *core.Record) map[string]bool {
	out := map[string]bool{}
	for _, mod := range migrations.Modules() {
		out[mod] = org.GetBool(migrations.FeatureField(mod))
	}
	return out
}

// Billing is the answer of BillingRoute.
type Billing struct {
	Plan    Plan            `json:"plan"`
	Seats   Seats           `json:"seats"`
	Members []BillingMember `json:"members"`
	// Screenshots stored now, their encrypted size and the oldest one's time.
	Screenshots      int64           `json:"screenshots"`
	StoredBytes      int64           `json:"stored_bytes"`
	OldestScreenshot *types.DateTime `json:"oldest_screenshot"`
	RetentionDays    int             `json:"retention_days"`
	Modules          map[string]bool `json:"modules"`
}

// Plan holds the limits the owner set; zero is no limit.
type Plan struct {
	SeatLimit         int `json:"seat_limit"`
	PlanRetentionDays int `json:"plan_retention_days"`
}

// Seats says how many are used; Available is -1 without a limit.
type Seats struct {
	Used      int `json:"used"`
	Limit     int `json:"limit"`
	Available int `json:"available"`
}

// BillingMember is one seat.
type BillingMember struct {
	User   string `json:"user"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Role   string `json:"role"`
	Status string `json:"status"`
}

func billing(e *core.RequestEvent, z *authorizer) error {
	a, org, err := z.orgMember(e)
	if err != nil {
		return err
	}
	if !z.decide(a, perms.Billing, perms.Target{}).Allowed {
		return forbidden(perms.Billing)
	}
	out := Billing{
		Plan:          Plan{SeatLimit: org.GetInt("seat_limit"), PlanRetentionDays: org.GetInt("plan_retention_days")},
		Members:       []BillingMember{},
		RetentionDays: org.GetInt("retention_days"),
		Modules:       orgModules(org),
	}
	people, err := orgPeople(e.App, org.Id, nil, true)
	if err != nil {
		return err
	}
	for _, p := range people {
		out.Members = append(out.Members, BillingMember{User: p.ID, Name: p.Name, Email: p.Email, Role: p.Role, Status: p.Status})
		if p.Status == "active" || p.Status == "invited" {
			out.Seats.Used++
		}
	}
	out.Seats.Limit = out.Plan.SeatLimit
	out.Seats.Available = -1
	if out.Seats.Limit > 0 {
		out.Seats.Available = max(0, out.Seats.Limit-out.Seats.Used)
	}

	var row struct {
		Count  int64          `db:"n"`
		Bytes  sql.NullInt64  `db:"bytes"`
		Oldest sql.NullString `db:"oldest"`
	}
	err = e.App.DB().Select("count(*) AS n", "sum([[size]]) AS bytes", "min([[taken_at]]) AS oldest").
		From(migrations.Screenshots).Where(dbx.HashExp{"org": org.Id}).One(&row)
	if err != nil {
		return fmt.Errorf("screenshot usage of %s: %w", org.Id, err)
	}
	out.Screenshots, out.StoredBytes = row.Count, row.Bytes.Int64
	if row.Oldest.Valid && row.Oldest.String != "" {
		if dt, err := types.ParseDateTime(row.Oldest.String); err == nil {
			out.OldestScreenshot = &dt
		}
	}
	return e.JSON(http.StatusOK, out)
}
