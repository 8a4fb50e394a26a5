package timeoff

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// accrualInput is everything a balance is computed from.
type accrualInput struct {
	accrual        string
	rate           float64 // hours per hour worked, or per year
	maxHours       float64 // 0: no cap
	start, now     time.Time
	workedSeconds  int64 // time worked in [start, now)
	adjustment     float64
	approved, pend float64
}

// hundredths rounds hours to the hundredth, half away from zero, once per
// figure so that the parts shown add up to what is stored.
func hundredths(h float64) float64 {
	return math.Round(h*100) / 100
}

const daysPerYear = 365

// computeBalance is the arithmetic of the balance; see the package comment
// above TimeOffBalancesRoute.
func computeBalance(in accrualInput) api.Balance {
	var accrued float64
	switch in.accrual {
	case schema.AccrualPerHourWorked:
		accrued = in.rate * float64(in.workedSeconds) / 3600
	case schema.AccrualYearly:
		if in.now.After(in.start) {
			days := math.Floor(in.now.Sub(in.start).Hours() / 24)
			accrued = in.rate * days / daysPerYear
		}
	}
	b := api.Balance{
		Accrual:    in.accrual,
		Adjustment: hundredths(in.adjustment),
		Accrued:    hundredths(accrued),
		Used:       hundredths(in.approved),
		Pending:    hundredths(in.pend),
	}
	earned := b.Adjustment + b.Accrued
	if in.maxHours > 0 && earned > in.maxHours {
		earned, b.Capped = in.maxHours, true
	}
	b.Balance = hundredths(earned - b.Used)
	b.Available = hundredths(b.Balance - b.Pending)
	return b
}

func (s *Server) registerTimeOff(app core.App, z *gate.Authorizer) {
	for _, name := range []string{schema.TimeOffPolicies, schema.HolidayPolicies, schema.TimeOffBalances,
		schema.TimeOffRequests, schema.Schedules} {
		app.OnRecordValidate(name).BindFunc(func(e *core.RecordEvent) error {
			return reply.ValidateAlso(e, func() validation.Errors { return checkTimeOffRecord(e.App, e.Record) })
		})
	}
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		auth := apis.RequireAuth(schema.Users)
		e.Router.GET(api.TimeOffBalancesRoute, func(re *core.RequestEvent) error { return s.timeOffBalances(re, z) }).Bind(auth)
		e.Router.POST(api.TimeOffRequestsRoute, func(re *core.RequestEvent) error { return s.requestTimeOff(re, z) }).Bind(auth)
		e.Router.POST(api.ApproveTimeOffRoute, func(re *core.RequestEvent) error { return s.decideTimeOff(re, z, schema.TimeOffApproved) }).Bind(auth)
		e.Router.POST(api.DenyTimeOffRoute, func(re *core.RequestEvent) error { return s.decideTimeOff(re, z, schema.TimeOffDenied) }).Bind(auth)
		e.Router.POST(api.CancelTimeOffRoute, func(re *core.RequestEvent) error { return s.decideTimeOff(re, z, schema.TimeOffCancelled) }).Bind(auth)
		s.routeSchedules(e, z)
		return e.Next()
	})
}

// Policies maps the time off and schedule collections onto the
// matrix (see policies); requests change only through the routes above.
func Policies() gate.Policies {
	return gate.Policies{
		schema.TimeOffPolicies: {
			Create: gate.Always(perms.AddTimeOffPolicies),
			Update: gate.ByChangedField(nil, perms.AddTimeOffPolicies),
			Delete: gate.AlwaysDelete(perms.AddTimeOffPolicies),
		},
		schema.HolidayPolicies: {
			Create: gate.Always(perms.AddHolidayPolicies),
			Update: gate.ByChangedField(nil, perms.AddHolidayPolicies),
			Delete: gate.AlwaysDelete(perms.AddHolidayPolicies),
		},
		schema.TimeOffBalances: {
			Create: gate.Always(perms.EditTimeOffBalances),
			Update: gate.ByChangedField(nil, perms.EditTimeOffBalances),
			Delete: gate.AlwaysDelete(perms.EditTimeOffBalances),
		},
		schema.Schedules: {
			Create: gate.Always(perms.AddSchedules),
			Update: gate.ByChangedField(nil, perms.ModifySchedules),
			Delete: gate.AlwaysDelete(perms.ModifySchedules),
		},
	}
}

// parseHolidays reads a holiday policy's list, refusing what isn't a list
// of distinct, named days.
func parseHolidays(raw []byte) ([]api.Holiday, error) {
	var hs []api.Holiday
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if err := json.Unmarshal(raw, &hs); err != nil {
		return nil, fmt.Errorf("must be a list of {\"date\":\"YYYY-MM-DD\",\"name\":\"...\"}")
	}
	if len(hs) > schema.MaxHolidaysPerPolicy {
		return nil, fmt.Errorf("may hold at most %d days", schema.MaxHolidaysPerPolicy)
	}
	seen := map[string]bool{}
	for _, h := range hs {
		if _, err := time.Parse(time.DateOnly, h.Date); err != nil {
			return nil, fmt.Errorf("%q is not a day as YYYY-MM-DD", h.Date)
		}
		if name := strings.TrimSpace(h.Name); name == "" || len(name) > 100 {
			return nil, fmt.Errorf("the holiday of %s needs a name of at most 100 characters", h.Date)
		}
		if seen[h.Date] {
			return nil, fmt.Errorf("%s is listed twice", h.Date)
		}
		seen[h.Date] = true
	}
	return hs, nil
}

// checkTimeOffRecord is the integrity of the time off and schedule records:
// links inside the organization, members who belong to it, fields that can't
// move a record to someone else, and each collection's own rules.
func checkTimeOffRecord(app core.App, r *core.Record) validation.Errors {
	name := r.Collection().Name
	var links []gate.Link
	var memberFields []string
	switch name {
	case schema.TimeOffPolicies, schema.HolidayPolicies:
		memberFields = []string{"members"}
	case schema.TimeOffBalances, schema.TimeOffRequests:
		links, memberFields = []gate.Link{{Field: "policy"}}, []string{"user"}
	case schema.Schedules:
		links, memberFields = []gate.Link{{Field: "project"}}, []string{"user"}
	}
	errs := gate.CheckIntegrity(app, r, gate.Checked{}, links, memberFields)
	if errs == nil {
		errs = validation.Errors{}
	}
	if !r.IsNew() && (name == schema.TimeOffBalances || name == schema.TimeOffRequests) {
		for _, f := range []string{"user", "policy"} {
			if r.Original().GetString(f) != r.GetString(f) {
				errs[f] = validation.NewError("validation_immutable", "Can't be changed once set.")
			}
		}
	}
	switch name {
	case schema.HolidayPolicies:
		raw, _ := json.Marshal(r.Get("holidays"))
		if hs, err := parseHolidays(raw); err != nil {
			errs["holidays"] = validation.NewError("validation_holidays", "Holidays "+err.Error()+".")
		} else if hs != nil {
			r.Set("holidays", hs) // as parsed: keys other than date and name aren't kept
		}
	case schema.TimeOffPolicies:
		if r.GetString("accrual") != schema.AccrualNone && r.GetFloat("accrual_rate") <= 0 {
			errs["accrual_rate"] = validation.NewError("validation_accrual_rate", "An accruing policy needs a rate above 0.")
		}
	case schema.TimeOffRequests:
		if end, start := r.GetDateTime("end"), r.GetDateTime("start"); !end.IsZero() && end.Time().Before(start.Time()) {
			errs["end"] = validation.NewError("validation_end", "The time off can't end before it starts.")
		}
	case schema.Schedules:
		for k, v := range checkShift(r) {
			errs[k] = v
		}
		if project := r.GetString(schema.FieldProject); project != "" && errs["project"] == nil && errs["user"] == nil {
			if member, err := gate.LoadActor(app, r.GetString(schema.FieldUser), r.GetString(schema.FieldOrg)); err == nil && !gate.MayTrackTo(member, project) {
				errs["project"] = validation.NewError("validation_shift_project", "That member doesn't work on this project.")
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// policyApplies says whether a policy (time off or holidays) covers user.
func policyApplies(p *core.Record, user string) bool {
	return p.GetBool("all_members") || slices.Contains(p.GetStringSlice("members"), user)
}

// approverOf is the decision to approve or deny user's time off: a grant
// broader than self, and never one's own unless one is an owner.
func approverOf(z *gate.Authorizer, a gate.Actor, user string) bool {
	d := z.Decide(a, perms.ApproveRequestTimeOffRequests, perms.Target{OwnerID: user})
	if !d.Allowed || d.Cell == perms.CellSelf {
		return false
	}
	return user != a.Actor.UserID || a.Actor.OrgRole == schema.RoleOwner
}

// mayReadBalances: one's own always; others' for those who edit balances or
// approve the member's requests.
func mayReadBalances(z *gate.Authorizer, a gate.Actor, user string) bool {
	return user == a.Actor.UserID ||
		z.Decide(a, perms.EditTimeOffBalances, perms.Target{OwnerID: user}).Allowed ||
		approverOf(z, a, user)
}

// accrualStart is when a policy starts earning: its starts_on day, else its creation.
func accrualStart(p *core.Record) time.Time {
	if d := p.GetDateTime("starts_on"); !d.IsZero() {
		return d.Time()
	}
	return p.GetDateTime(schema.FieldCreated).Time()
}

// balancesOf computes user's balance on every policy of org that covers them.
func balancesOf(app core.App, org, user string, now time.Time) ([]api.Balance, error) {
	policies, err := app.FindAllRecords(schema.TimeOffPolicies, dbx.HashExp{schema.FieldOrg: org})
	if err != nil {
		return nil, fmt.Errorf("time off policies of %s: %w", org, err)
	}
	slices.SortFunc(policies, func(x, y *core.Record) int {
		return strings.Compare(x.GetString(schema.FieldName), y.GetString(schema.FieldName))
	})
	out := []api.Balance{}
	for _, p := range policies {
		if !policyApplies(p, user) {
			continue
		}
		b, err := balanceOn(app, p, user, now)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// balanceOn computes user's balance on policy p at now.
func balanceOn(app core.App, p *core.Record, user string, now time.Time) (api.Balance, error) {
	in := accrualInput{
		accrual: p.GetString("accrual"), rate: p.GetFloat("accrual_rate"), maxHours: p.GetFloat("max_balance_hours"),
		start: accrualStart(p), now: now,
	}
	var recordID string
	if bal, err := app.FindFirstRecordByFilter(schema.TimeOffBalances, "policy = {:p} && user = {:u}",
		dbx.Params{"p": p.Id, "u": user}); err == nil {
		in.adjustment, recordID = bal.GetFloat("adjustment_hours"), bal.Id
	}
	if in.accrual == schema.AccrualPerHourWorked && now.After(in.start) {
		var worked struct {
			Seconds int64 `db:"s"`
		}
		err := app.DB().Select("COALESCE(SUM(tracked_seconds), 0) AS s").From(schema.Activities).
			Where(dbx.HashExp{schema.FieldOrg: p.GetString(schema.FieldOrg), schema.FieldUser: user}).
			AndWhere(dbx.NewExp("slot_start >= {:from} AND slot_start < {:to}", dbx.Params{
				"from": in.start.UTC().Format(reply.SlotLayout), "to": now.UTC().Format(reply.SlotLayout),
			})).One(&worked)
		if err != nil {
			return api.Balance{}, fmt.Errorf("time worked by %s for policy %s: %w", user, p.Id, err)
		}
		in.workedSeconds = worked.Seconds
	}
	var sums []struct {
		Status string  `db:"status"`
		Hours  float64 `db:"h"`
	}
	err := app.DB().Select(schema.FieldStatus, "COALESCE(SUM(hours), 0) AS h").From(schema.TimeOffRequests).
		Where(dbx.HashExp{"policy": p.Id, schema.FieldUser: user}).
		AndWhere(dbx.In(schema.FieldStatus, schema.TimeOffApproved, schema.TimeOffPending)).
		GroupBy("status").All(&sums)
	if err != nil {
		return api.Balance{}, fmt.Errorf("time off taken by %s on policy %s: %w", user, p.Id, err)
	}
	for _, s := range sums {
		if s.Status == schema.TimeOffApproved {
			in.approved = s.Hours
		} else {
			in.pend = s.Hours
		}
	}
	b := computeBalance(in)
	b.User, b.Policy, b.PolicyName, b.Paid, b.BalanceRecord = user, p.Id, p.GetString(schema.FieldName), p.GetBool("paid"), recordID
	return b, nil
}

func (s *Server) timeOffBalances(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	user := e.Request.URL.Query().Get("user")
	if user == "" {
		user = a.Actor.UserID
	}
	if !reply.IsRecordID(user) {
		return reply.BadRequest("user must be a member's id.")
	}
	if !mayReadBalances(z, a, user) {
		return reply.Forbidden(perms.EditTimeOffBalances)
	}
	member, err := gate.LoadActor(e.App, user, org.Id)
	if err != nil {
		return err
	}
	if !member.Member {
		return reply.BadRequest("user must be an active member of the organization.")
	}
	bs, err := balancesOf(e.App, org.Id, user, time.Now())
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, api.Balances{User: user, Balances: bs})
}

// dayInstant stores a local day the way time off and timesheets do:
// midnight UTC of that date.
func dayInstant(day string) (time.Time, error) {
	return time.Parse(time.DateOnly, day)
}

func (s *Server) requestTimeOff(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	var in api.TimeOffRequest
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send policy, start and end (YYYY-MM-DD), hours and optionally user and reason as JSON.")
	}
	if in.User == "" {
		in.User = a.Actor.UserID
	}
	if !reply.IsRecordID(in.User) || !reply.IsRecordID(in.Policy) {
		return reply.BadRequest("user and policy must be record ids.")
	}
	if !z.Decide(a, perms.ApproveRequestTimeOffRequests, perms.Target{OwnerID: in.User}).Allowed {
		return reply.Forbidden(perms.ApproveRequestTimeOffRequests)
	}
	start, errS := dayInstant(in.Start)
	end, errE := dayInstant(in.End)
	in.Reason = strings.TrimSpace(in.Reason)
	days := int(end.Sub(start).Hours()/24) + 1
	switch {
	case errS != nil || errE != nil:
		return reply.BadRequest("start and end are required days, as YYYY-MM-DD.")
	case end.Before(start):
		return reply.BadRequest("The time off can't end before it starts.")
	case days > ledger.MaxReportDays:
		return reply.BadRequest("One request may span at most %d days.", ledger.MaxReportDays)
	case math.IsNaN(in.Hours) || in.Hours <= 0:
		return reply.BadRequest("hours must be more than 0.")
	case in.Hours > float64(24*days):
		return reply.BadRequest("%d day(s) hold at most %d hours.", days, 24*days)
	case len(in.Reason) > schema.MaxTimeOffTextLength:
		return reply.BadRequest("The reason may be at most %d characters.", schema.MaxTimeOffTextLength)
	}
	in.Hours = hundredths(in.Hours)

	var saved *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		policy, err := tx.FindRecordById(schema.TimeOffPolicies, in.Policy)
		if err := reply.LookupFault(err, "time off policy "+in.Policy); err != nil {
			return err
		}
		if err != nil || policy.GetString(schema.FieldOrg) != org.Id {
			return reply.BadRequest("policy must be one of the organization's time off policies.")
		}
		if !policyApplies(policy, in.User) {
			return reply.BadRequest("The policy %q doesn't apply to this member.", policy.GetString(schema.FieldName))
		}
		member, err := gate.LoadActor(tx, in.User, org.Id)
		if err != nil {
			return err
		}
		if !member.Member {
			return reply.BadRequest("user must be an active member of the organization.")
		}
		if err := noOverlap(tx, org.Id, in.User, start, end, ""); err != nil {
			return err
		}
		b, err := balanceOn(tx, policy, in.User, time.Now())
		if err != nil {
			return err
		}
		if in.Hours > b.Available {
			return reply.BadRequest("%.2f hours exceed the balance: %.2f hours are available on %q.", in.Hours, b.Available, policy.GetString(schema.FieldName))
		}
		c, err := tx.FindCachedCollectionByNameOrId(schema.TimeOffRequests)
		if err != nil {
			return err
		}
		saved = core.NewRecord(c)
		for k, v := range map[string]any{
			schema.FieldOrg: org.Id, schema.FieldUser: in.User, "policy": policy.Id, "start": start, "end": end, "hours": in.Hours,
			"reason": in.Reason, schema.FieldStatus: schema.TimeOffPending, "requested_by": e.Auth.Id,
		} {
			saved.Set(k, v)
		}
		if err := tx.Save(saved); err != nil {
			return err
		}
		audit.Log(tx, e.Auth, "request_time_off", saved, map[string]any{"hours": in.Hours, "start": in.Start, "end": in.End})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't save the time off request.")
	}
	return e.JSON(http.StatusCreated, saved)
}

// noOverlap refuses time off that overlaps another pending or approved
// request of the same member (other than except, the request itself).
func noOverlap(app core.App, org, user string, start, end time.Time, except string) error {
	var clash []struct {
		Start string `db:"start"`
		End   string `db:"end"`
	}
	err := app.DB().Select("start", "end").From(schema.TimeOffRequests).
		Where(dbx.HashExp{schema.FieldOrg: org, schema.FieldUser: user}).
		AndWhere(dbx.In(schema.FieldStatus, schema.TimeOffPending, schema.TimeOffApproved)).
		AndWhere(dbx.NewExp("start <= {:end} AND end >= {:start} AND id != {:except}", dbx.Params{
			"start": start.Format(reply.SlotLayout), "end": end.Format(reply.SlotLayout), "except": except,
		})).Limit(1).All(&clash)
	if err != nil {
		return fmt.Errorf("time off of %s overlapping %s..%s: %w", user, start, end, err)
	}
	if len(clash) > 0 {
		return reply.BadRequest("It overlaps time off already requested from %s to %s.", clash[0].Start[:10], clash[0].End[:10])
	}
	return nil
}

// decideTimeOff approves, denies or cancels a pending request. Approvers
// approve and deny (approverOf); the member or whoever filed the request
// cancels it while it is pending.
func (s *Server) decideTimeOff(e *core.RequestEvent, z *gate.Authorizer, to string) error {
	req, err := e.App.FindRecordById(schema.TimeOffRequests, e.Request.PathValue("id"))
	if err != nil {
		return reply.NotFound()
	}
	a, err := z.Actor(e.App, e.Auth, req.GetString(schema.FieldOrg))
	if err != nil {
		return err
	}
	if !z.CanView(a, z.Policies[schema.TimeOffRequests], req) {
		return reply.NotFound()
	}
	user := req.GetString(schema.FieldUser)
	if to == schema.TimeOffCancelled {
		if user != a.Actor.UserID && req.GetString("requested_by") != a.Actor.UserID {
			return router.NewForbiddenError("Only the member or whoever filed the request may cancel it.", nil)
		}
	} else if !approverOf(z, a, user) {
		if user == a.Actor.UserID {
			return router.NewForbiddenError("Someone else must decide on your own time off.", nil)
		}
		return reply.Forbidden(perms.ApproveRequestTimeOffRequests)
	}
	var in api.TimeOffDecision
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send the note, if any, as JSON.")
	}
	in.Note = strings.TrimSpace(in.Note)
	if len(in.Note) > schema.MaxTimeOffTextLength {
		return reply.BadRequest("The note may be at most %d characters.", schema.MaxTimeOffTextLength)
	}
	err = e.App.RunInTransaction(func(tx core.App) error {
		fresh, err := tx.FindRecordById(schema.TimeOffRequests, req.Id)
		if err != nil {
			return fmt.Errorf("reread time off request: %w", err)
		}
		req = fresh
		if st := req.GetString(schema.FieldStatus); st != schema.TimeOffPending {
			return reply.BadRequest("This request is already %s.", st)
		}
		if to == schema.TimeOffApproved {
			// The balance may have shrunk since the request (an adjustment
			// edited down): approving never takes a member below zero.
			policy, err := tx.FindRecordById(schema.TimeOffPolicies, req.GetString("policy"))
			if err != nil {
				return fmt.Errorf("policy of time off request %s: %w", req.Id, err)
			}
			b, err := balanceOn(tx, policy, user, time.Now())
			if err != nil {
				return err
			}
			if hours := req.GetFloat("hours"); hours > b.Balance {
				return reply.BadRequest("%.2f hours exceed the balance of %.2f hours: adjust the balance first.", hours, b.Balance)
			}
		}
		req.Set(schema.FieldStatus, to)
		if to != schema.TimeOffCancelled {
			req.Set("decided_by", e.Auth.Id)
			req.Set("decision_note", in.Note)
		}
		if err := tx.Save(req); err != nil {
			return err
		}
		audit.Log(tx, e.Auth, map[string]string{
			schema.TimeOffApproved: "approve_time_off", schema.TimeOffDenied: "deny_time_off",
			schema.TimeOffCancelled: "cancel_time_off",
		}[to], req, map[string]any{"note": in.Note, "hours": req.GetFloat("hours")})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't update the time off request.")
	}
	return e.JSON(http.StatusOK, req)
}
