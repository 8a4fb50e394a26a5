package org

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func isPlanField(name string) bool {
	for _, f := range schema.PlanFields() {
		if f == name {
			return true
		}
	}
	return false
}

func isFeatureField(name string) bool {
	mod, ok := strings.CutPrefix(name, "feature_")
	return ok && gate.ModuleLabel(mod) != ""
}

// moduleOfCollection inverts schema.ModuleCollections.
func moduleOfCollection() map[string]string {
	out := map[string]string{}
	for mod, names := range schema.ModuleCollections() {
		for _, n := range names {
			out[n] = mod
		}
	}
	return out
}

func registerPlan(app core.App, z *gate.Authorizer) {
	app.OnRecordCreate(schema.Organizations).BindFunc(modulesOnByDefault)
	app.OnRecordCreate(schema.Organizations).BindFunc(clampRetention)
	app.OnRecordUpdate(schema.Organizations).BindFunc(clampRetention)
	app.OnRecordValidate(schema.Organizations).BindFunc(validatePlan)
	app.OnRecordCreate(schema.Memberships).BindFunc(enforceSeatLimit)

	// The gate is keyed by collection name: collections of modules that
	// don't exist yet simply never fire it.
	modules := moduleOfCollection()
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	app.OnRecordCreate(names...).BindFunc(func(e *core.RecordEvent) error {
		if err := gate.FeatureOn(e.App, e.Record.GetString(schema.FieldOrg), modules[e.Record.Collection().Name]); err != nil {
			return err
		}
		return e.Next()
	})

	reply.ServeSignedIn(app,
		reply.GET(api.BillingRoute, func(re *core.RequestEvent) error { return billing(re, z) }),
	)
}

// modulesOnByDefault turns every module on for a new organization that
// names none: creating one with all modules off is never what anyone means,
// and it keeps organizations made by any path (API, admin UI, tests) alike.
func modulesOnByDefault(e *core.RecordEvent) error {
	for _, mod := range schema.Modules() {
		if e.Record.GetBool(schema.FeatureField(mod)) {
			return e.Next()
		}
	}
	for _, mod := range schema.Modules() {
		e.Record.Set(schema.FeatureField(mod), true)
	}
	return e.Next()
}

// clampRetention lowers retention_days to a plan's new, shorter maximum:
// the owner changing the plan shouldn't have to edit the setting first.
// Raising retention_days past the plan stays an error (validatePlan).
func clampRetention(e *core.RecordEvent) error {
	limit := e.Record.GetInt(schema.FieldPlanRetentionDays)
	changed := e.Record.IsNew() || e.Record.Original().GetInt(schema.FieldPlanRetentionDays) != limit
	if changed && limit > 0 && e.Record.GetInt(schema.FieldRetentionDays) > limit {
		e.Record.Set(schema.FieldRetentionDays, limit)
	}
	return e.Next()
}

func validatePlan(e *core.RecordEvent) error {
	return reply.ValidateAlso(e, func() validation.Errors {
		limit := e.Record.GetInt(schema.FieldPlanRetentionDays)
		if limit > 0 && e.Record.GetInt(schema.FieldRetentionDays) > limit {
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
	err := app.RecordQuery(schema.Memberships).Select("count(*)").
		AndWhere(dbx.HashExp{schema.FieldOrg: org}).
		AndWhere(dbx.In(schema.FieldStatus, schema.MemberActive, schema.MemberInvited)).Row(&n)
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
		if err := seatFree(tx, e.Record.GetString(schema.FieldOrg)); err != nil {
			return err
		}
		return e.Next()
	})
}

func seatFree(app core.App, orgID string) error {
	org, err := app.FindRecordById(schema.Organizations, orgID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // being created in this transaction: it has no limit yet
	}
	if err != nil {
		return fmt.Errorf("find organization %s: %w", orgID, err)
	}
	limit := org.GetInt(schema.FieldSeatLimit)
	if limit <= 0 {
		return nil
	}
	used, err := seatsUsed(app, orgID)
	if err != nil {
		return err
	}
	if used >= limit {
		msg := fmt.Sprintf("%s has used all %d seats of its plan; an owner can raise the seat limit.", org.GetString(schema.FieldName), limit)
		return router.NewApiError(http.StatusConflict, msg, map[string]validation.Error{"seats": validation.NewError(api.CodeSeatLimit, msg)})
	}
	return nil
}

// orgModules reports every module's switch.
func orgModules(org *core.Record) map[string]bool {
	out := map[string]bool{}
	for _, mod := range schema.Modules() {
		out[mod] = org.GetBool(schema.FeatureField(mod))
	}
	return out
}

func billing(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	if !z.Decide(a, perms.Billing, perms.Target{}).Allowed {
		return reply.Forbidden(perms.Billing)
	}
	out := api.Billing{
		Plan:          api.Plan{SeatLimit: org.GetInt(schema.FieldSeatLimit), PlanRetentionDays: org.GetInt(schema.FieldPlanRetentionDays)},
		Members:       []api.BillingMember{},
		RetentionDays: org.GetInt(schema.FieldRetentionDays),
		Modules:       orgModules(org),
	}
	people, err := orgPeople(e.App, org.Id, nil, true)
	if err != nil {
		return err
	}
	for _, p := range people {
		out.Members = append(out.Members, api.BillingMember{User: p.ID, Name: p.Name, Email: p.Email, Role: p.Role, Status: p.Status})
		if p.Status == schema.MemberActive || p.Status == schema.MemberInvited {
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
		From(schema.Screenshots).Where(dbx.HashExp{schema.FieldOrg: org.Id}).One(&row)
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
