package money

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// maxPeriodDays bounds a period, so one request never reads years of time.
const maxPeriodDays = 366

// workKey is one member's time in one project.
type workKey struct{ user, project string }

// rate is one row of rates.
type rate struct {
	User     string `db:"user"`
	Project  string `db:"project"`
	Pay      int64  `db:"pay_rate_cents"`
	Bill     int64  `db:"bill_rate_cents"`
	Currency string `db:"currency"`
}

func (s *Server) registerMoney(app core.App, z *gate.Authorizer) {
	app.OnRecordValidate(schema.Rates).BindFunc(validateRate)
	reply.ServeSignedIn(app,
		reply.POST(api.ClientInvoicesRoute, func(re *core.RequestEvent) error { return s.createClientInvoice(re, z) }),
		reply.POST(api.ClientInvoiceSendRoute, func(re *core.RequestEvent) error { return s.sendClientInvoice(re, z) }),
		reply.POST(api.ClientInvoicePaymentsRoute, func(re *core.RequestEvent) error { return s.payClientInvoice(re, z) }),
		reply.POST(api.TeamInvoicesRoute, func(re *core.RequestEvent) error { return s.createTeamInvoice(re, z) }),
		reply.POST(api.TeamInvoicePaymentsRoute, func(re *core.RequestEvent) error { return s.payTeamInvoice(re, z) }),
		reply.POST(api.PayrollRoute, func(re *core.RequestEvent) error { return s.runPayroll(re, z) }),
		reply.GET(api.InvoiceClientsRoute, func(re *core.RequestEvent) error { return s.invoiceClients(re, z) }),
	)
}

// validateRate keeps a rate inside its organization: its member belongs to
// it and its project is one of its projects.
func validateRate(e *core.RecordEvent) error {
	return reply.ValidateAlso(e, func() validation.Errors {
		errs := validation.Errors{}
		org := e.Record.GetString(schema.FieldOrg)
		if p := e.Record.GetString(schema.FieldProject); p != "" {
			project, err := e.App.FindRecordById(schema.Projects, p)
			if err != nil || project.GetString(schema.FieldOrg) != org {
				errs["project"] = validation.NewError("validation_project_org", "The project must be one of the organization's.")
			}
		}
		if u := e.Record.GetString(schema.FieldUser); u != "" {
			n, err := e.App.CountRecords(schema.Memberships, dbx.HashExp{schema.FieldOrg: org, schema.FieldUser: u})
			if err != nil || n == 0 {
				errs["user"] = validation.NewError("validation_user_member", "The person must be a member of the organization.")
			}
		}
		if len(errs) == 0 {
			return nil
		}
		return errs
	})
}

// amountCents prices seconds at rateCents an hour, rounded half up to a
// cent. Both are non-negative and bounded by the schema, so the product fits.
func amountCents(seconds, rateCents int64) int64 {
	return (seconds*rateCents + 1800) / 3600
}

func hoursOf(seconds int64) float64 {
	return math.Round(float64(seconds)/36) / 100
}

// rateFor is the rate that prices user's time in project: the project's own
// record, else the member's default one.
func rateFor(rates []rate, user, project string) (rate, bool) {
	var fallback *rate
	for i := range rates {
		r := &rates[i]
		if r.User != user {
			continue
		}
		if r.Project == project && project != "" {
			return *r, true
		}
		if r.Project == "" {
			fallback = r
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return rate{}, false
}

// priceWork prices every member's time per project with their bill (or pay)
// rate. Lines come sorted by member, then project; unpriced lists the time no
// rate prices. Lines in another currency than want (when want is set, else
// than the first line's) make the whole pricing fail: an invoice is in one
// currency.
func priceWork(work map[workKey]int64, rates []rate, bill bool, want string) (lines []api.MoneyLine, currency string, unpriced []workKey, err error) {
	keys := make([]workKey, 0, len(work))
	for k := range work {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b workKey) int {
		return cmp.Or(strings.Compare(a.user, b.user), strings.Compare(a.project, b.project))
	})
	currency = want
	for _, k := range keys {
		secs := work[k]
		if secs <= 0 {
			continue
		}
		r, ok := rateFor(rates, k.user, k.project)
		cents := r.Pay
		if bill {
			cents = r.Bill
		}
		if !ok || cents <= 0 {
			unpriced = append(unpriced, k)
			continue
		}
		cur := cmp.Or(r.Currency, schema.DefaultCurrency)
		if currency == "" {
			currency = cur
		}
		if cur != currency {
			return nil, "", nil, reply.BadRequest("The rate of %s in this period is in %s, not %s: one invoice or payment is in one currency.", k.user, cur, currency)
		}
		lines = append(lines, api.MoneyLine{
			User: k.user, Project: k.project, Seconds: secs, Hours: hoursOf(secs),
			RateCents: cents, AmountCents: amountCents(secs, cents),
		})
	}
	return lines, cmp.Or(currency, schema.DefaultCurrency), unpriced, nil
}

// pricePayable prices the payable work of users on projects (nil: all) in
// period, at bill rates when bill is set and at pay rates otherwise.
func pricePayable(app core.App, org *core.Record, period dayPeriod, users, projects []string, bill bool, want string,
	slotLen time.Duration) ([]api.MoneyLine, string, []workKey, error) {
	work, err := payableWork(app, org, period, users, projects, slotLen)
	if err != nil {
		return nil, "", nil, err
	}
	rates, err := loadRates(app, org.Id)
	if err != nil {
		return nil, "", nil, err
	}
	return priceWork(work, rates, bill, want)
}

func totalOf(lines []api.MoneyLine) int64 {
	var t int64
	for _, l := range lines {
		t += l.AmountCents
	}
	return t
}

// dayPeriod is an inclusive range of days, each a UTC midnight.
type dayPeriod struct{ first, last time.Time }

func (p dayPeriod) holds(day time.Time) bool {
	return !day.Before(p.first) && !day.After(p.last)
}

// parsePeriod reads an inclusive period of days given as YYYY-MM-DD.
func parsePeriod(start, end string) (dayPeriod, error) {
	first, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return dayPeriod{}, reply.BadRequest("period_start must be a day as YYYY-MM-DD.")
	}
	last, err := time.Parse(time.DateOnly, end)
	if err != nil {
		return dayPeriod{}, reply.BadRequest("period_end must be a day as YYYY-MM-DD.")
	}
	if last.Before(first) {
		return dayPeriod{}, reply.BadRequest("period_end must be on or after period_start.")
	}
	if last.Sub(first) >= maxPeriodDays*24*time.Hour {
		return dayPeriod{}, reply.BadRequest("A period may be at most %d days long.", maxPeriodDays)
	}
	return dayPeriod{first: first, last: last}, nil
}

// countable says whether time on day counts: always without approvals,
// else only inside one of the member's approved timesheets.
func countable(day time.Time, approvals bool, approved []dayPeriod) bool {
	if !approvals {
		return true
	}
	for _, p := range approved {
		if p.holds(day) {
			return true
		}
	}
	return false
}

// payableWork adds up the countable seconds of every member and project in
// period, narrowed to users and projects when they are given (nil: all).
func payableWork(app core.App, org *core.Record, period dayPeriod, users, projects []string, slotLen time.Duration) (map[workKey]int64, error) {
	loc := reply.OrgLocation(org)
	var where []dbx.Expression
	if users != nil {
		where = append(where, dbx.In("a.user", reply.AnySlice(users)...))
	}
	if projects != nil {
		where = append(where, dbx.In("a.project", reply.AnySlice(projects)...))
	}
	days, err := ledger.RangeOf(period.first, period.last, loc)
	if err != nil {
		return nil, err
	}
	slots, err := ledger.LoadRangeSlots(app, org.Id, days, slotLen, where...)
	if err != nil {
		return nil, err
	}
	approvals := org.GetBool(schema.FieldTimesheetApprovals)
	var sheets map[string][]dayPeriod
	if approvals {
		if sheets, err = approvedSheets(app, org.Id, period); err != nil {
			return nil, err
		}
	}
	work := map[workKey]int64{}
	for i := range slots {
		sl := &slots[i]
		days.Each(sl, slotLen, func(d int, t api.Totals) {
			if countable(period.first.AddDate(0, 0, d), approvals, sheets[sl.User]) {
				work[workKey{sl.User, sl.Project}] += int64(t.Tracked)
			}
		})
	}
	return work, nil
}

// approvedSheets lists, per member, the approved timesheets overlapping period.
func approvedSheets(app core.App, org string, period dayPeriod) (map[string][]dayPeriod, error) {
	var rows []struct {
		User  string         `db:"user"`
		Start types.DateTime `db:"period_start"`
		End   types.DateTime `db:"period_end"`
	}
	err := app.RecordQuery(schema.Timesheets).Select(schema.FieldUser, "period_start", "period_end").
		AndWhere(dbx.HashExp{schema.FieldOrg: org, schema.FieldStatus: schema.TimesheetApproved}).
		AndWhere(dbx.NewExp("period_start <= {:last} AND period_end >= {:first}", dbx.Params{
			"first": period.first.Format(types.DefaultDateLayout), "last": period.last.Format(types.DefaultDateLayout),
		})).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("approved timesheets of %s: %w", org, err)
	}
	out := map[string][]dayPeriod{}
	for _, r := range rows {
		out[r.User] = append(out[r.User], dayPeriod{first: r.Start.Time().UTC(), last: r.End.Time().UTC()})
	}
	return out, nil
}

func loadRates(app core.App, org string) ([]rate, error) {
	var rs []rate
	err := app.RecordQuery(schema.Rates).Select(schema.FieldUser, schema.FieldProject, "pay_rate_cents", "bill_rate_cents", "currency").
		AndWhere(dbx.HashExp{schema.FieldOrg: org}).All(&rs)
	if err != nil {
		return nil, fmt.Errorf("rates of %s: %w", org, err)
	}
	return rs, nil
}

func unpricedOf(keys []workKey) []api.Unpriced {
	out := make([]api.Unpriced, 0, len(keys))
	for _, k := range keys {
		out = append(out, api.Unpriced{User: k.user, Project: k.project})
	}
	return out
}

// nextNumber is the organization's next invoice number in collection; the
// unique (org, number) index refuses a number taken concurrently.
func nextNumber(app core.App, collection, org string) (int, error) {
	var n struct {
		Max int `db:"max"`
	}
	err := app.DB().Select("COALESCE(MAX(number), 0) AS max").From(collection).
		Where(dbx.HashExp{schema.FieldOrg: org}).One(&n)
	if err != nil {
		return 0, fmt.Errorf("last number of %s in %s: %w", collection, org, err)
	}
	return n.Max + 1, nil
}

func (s *Server) invoiceClients(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	if z.Matrix.Scope(a.Actor, perms.CreateClientInvoices, a.Settings).Empty() &&
		z.Matrix.Scope(a.Actor, perms.ViewClientInvoices, a.Settings).Empty() {
		return reply.Forbidden(perms.ViewClientInvoices)
	}
	out := []api.InvoiceClient{}
	err = e.App.RecordQuery(schema.Clients).
		Select("id", schema.FieldName, "(email != '') AS has_email", "currency").
		AndWhere(dbx.HashExp{schema.FieldOrg: org.Id}).OrderBy("name ASC").All(&out)
	if err != nil {
		return fmt.Errorf("clients of %s: %w", org.Id, err)
	}
	return e.JSON(http.StatusOK, map[string]any{"items": out})
}
