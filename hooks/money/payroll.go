package money

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// memberPay is one member's payment: their priced lines added up.
type memberPay struct {
	user      string
	seconds   int64
	rateCents int64 // the one rate of every line, else the effective hourly rate
	amount    int64
	lines     []api.MoneyLine
}

// payByMember groups priced lines (sorted by member) into one payment each.
func payByMember(lines []api.MoneyLine) []memberPay {
	var out []memberPay
	for _, l := range lines {
		if len(out) == 0 || out[len(out)-1].user != l.User {
			out = append(out, memberPay{user: l.User, rateCents: l.RateCents})
		}
		p := &out[len(out)-1]
		p.seconds += l.Seconds
		p.amount += l.AmountCents
		p.lines = append(p.lines, l)
	}
	for i := range out {
		p := &out[i]
		single := !slices.ContainsFunc(p.lines, func(l api.MoneyLine) bool { return l.RateCents != p.rateCents })
		if !single && p.seconds > 0 {
			// Projects at different rates: the rate shown is what the
			// payment comes to per hour, rounded half up.
			p.rateCents = (p.amount*3600 + p.seconds/2) / p.seconds
		}
	}
	return out
}

// runPayroll pays every member's approved time of a period at their pay
// rate: one payroll run and one payment per member with payable time. A
// period that overlaps an earlier run is refused (409), so no time is ever
// paid twice; running the same period again is such an overlap.
func (s *Server) runPayroll(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	if !z.Decide(a, perms.ManagePayroll, perms.Target{}).Allowed {
		return reply.Forbidden(perms.ManagePayroll)
	}
	if err := gate.FeatureOn(e.App, org.Id, schema.ModulePayroll); err != nil {
		return err
	}
	var in api.PayrollRequest
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send period_start and period_end (YYYY-MM-DD) as JSON.")
	}
	period, err := parsePeriod(in.PeriodStart, in.PeriodEnd)
	if err != nil {
		return err
	}
	if err := noOverlappingRun(e.App, org.Id, period); err != nil {
		return err
	}
	lines, currency, unpriced, err := pricePayable(e.App, org, period, nil, nil, false, "", s.cfg.SlotLen())
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return reply.BadRequest("No payable time in that period (approved time with a pay rate).")
	}
	out := api.PayrollResult{Unpriced: unpricedOf(unpriced)}
	err = e.App.RunInTransaction(func(tx core.App) error {
		// Again inside the transaction: a run saved meanwhile must not pay
		// the same time twice.
		if err := noOverlappingRun(tx, org.Id, period); err != nil {
			return err
		}
		runs, err := tx.FindCachedCollectionByNameOrId(schema.PayrollRuns)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.PayrollRuns, err)
		}
		payments, err := tx.FindCachedCollectionByNameOrId(schema.Payments)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.Payments, err)
		}
		run := core.NewRecord(runs)
		run.Set(schema.FieldOrg, org.Id)
		run.Set("period_start", period.first)
		run.Set("period_end", period.last)
		run.Set("total_cents", totalOf(lines))
		run.Set("currency", currency)
		run.Set("created_by", e.Auth.Id)
		if err := tx.Save(run); err != nil {
			return fmt.Errorf("save payroll run: %w", err)
		}
		for _, p := range payByMember(lines) {
			r := core.NewRecord(payments)
			r.Set(schema.FieldOrg, org.Id)
			r.Set("run", run.Id)
			r.Set(schema.FieldUser, p.user)
			r.Set("period_start", period.first)
			r.Set("period_end", period.last)
			r.Set(schema.FieldSeconds, p.seconds)
			r.Set("rate_cents", p.rateCents)
			r.Set("amount_cents", p.amount)
			r.Set("currency", currency)
			r.Set("lines", p.lines)
			if err := tx.Save(r); err != nil {
				return fmt.Errorf("save payment of %s: %w", p.user, err)
			}
			out.Payments = append(out.Payments, r)
		}
		audit.Log(tx, e.Auth, "run_payroll", run, map[string]any{"total_cents": run.GetInt("total_cents"), "payments": len(out.Payments)})
		out.Run = run
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't run payroll.")
	}
	return e.JSON(http.StatusOK, out)
}

// noOverlappingRun answers 409 when a payroll run of org already covers a
// day of period.
func noOverlappingRun(app core.App, org string, period dayPeriod) error {
	var runs []struct {
		Start types.DateTime `db:"period_start"`
		End   types.DateTime `db:"period_end"`
	}
	if err := app.RecordQuery(schema.PayrollRuns).Select("period_start", "period_end").
		AndWhere(dbx.HashExp{schema.FieldOrg: org}).
		AndWhere(dbx.NewExp("period_start <= {:last} AND period_end >= {:first}", dbx.Params{
			"first": period.first.Format(types.DefaultDateLayout), "last": period.last.Format(types.DefaultDateLayout),
		})).Limit(1).All(&runs); err != nil {
		return fmt.Errorf("payroll runs of %s: %w", org, err)
	}
	if len(runs) > 0 {
		return router.NewApiError(http.StatusConflict, fmt.Sprintf("Payroll already ran for %s – %s, which overlaps this period.",
			runs[0].Start.Time().UTC().Format(time.DateOnly), runs[0].End.Time().UTC().Format(time.DateOnly)), nil)
	}
	return nil
}
