package money

import (
	"cmp"
	"fmt"
	"html"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/audit"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

func (s *Server) createClientInvoice(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	var in api.ClientInvoiceRequest
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send client, period_start, period_end (YYYY-MM-DD) and optionally team as JSON.")
	}
	if in.Team != "" && !reply.IsRecordID(in.Team) {
		return reply.BadRequest("team must be a team's id.")
	}
	if !z.Decide(a, perms.CreateClientInvoices, perms.Target{TeamID: in.Team}).Allowed {
		return reply.Forbidden(perms.CreateClientInvoices)
	}
	if err := gate.FeatureOn(e.App, org.Id, schema.ModuleInvoices); err != nil {
		return err
	}
	if !reply.IsRecordID(in.Client) {
		return reply.BadRequest("client must be a client's id.")
	}
	period, err := parsePeriod(in.PeriodStart, in.PeriodEnd)
	if err != nil {
		return err
	}
	client, err := e.App.FindRecordById(schema.Clients, in.Client)
	if err := reply.LookupFault(err, "client "+in.Client); err != nil {
		return err
	}
	if err != nil || client.GetString(schema.FieldOrg) != org.Id {
		return reply.BadRequest("client must be a client of %s.", org.GetString(schema.FieldName))
	}
	var users []string
	if in.Team != "" {
		team, err := e.App.FindRecordById(schema.Teams, in.Team)
		if err := reply.LookupFault(err, "team "+in.Team); err != nil {
			return err
		}
		if err != nil || team.GetString(schema.FieldOrg) != org.Id {
			return reply.BadRequest("team must be a team of %s.", org.GetString(schema.FieldName))
		}
		if err := e.App.RecordQuery(schema.TeamMembers).Select(schema.FieldUser).
			AndWhere(dbx.HashExp{"team": in.Team}).Column(&users); err != nil {
			return fmt.Errorf("members of team %s: %w", in.Team, err)
		}
		if len(users) == 0 {
			return reply.BadRequest("That team has no members.")
		}
	}
	var projects []string
	if err := e.App.RecordQuery(schema.Projects).Select("id").
		AndWhere(dbx.HashExp{schema.FieldOrg: org.Id, schema.FieldClient: client.Id}).Column(&projects); err != nil {
		return fmt.Errorf("projects of client %s: %w", client.Id, err)
	}
	if len(projects) == 0 {
		return reply.BadRequest("%s has no projects to invoice.", client.GetString(schema.FieldName))
	}
	lines, currency, unpriced, err := pricePayable(e.App, org, period, users, projects, true, cmp.Or(client.GetString("currency"), schema.DefaultCurrency), s.cfg.SlotLen())
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return reply.BadRequest("No billable time for %s in that period (approved time with a bill rate).", client.GetString(schema.FieldName))
	}

	var inv *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		c, err := tx.FindCachedCollectionByNameOrId(schema.ClientInvoices)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.ClientInvoices, err)
		}
		n, err := nextNumber(tx, schema.ClientInvoices, org.Id)
		if err != nil {
			return err
		}
		inv = core.NewRecord(c)
		inv.Set(schema.FieldOrg, org.Id)
		inv.Set("number", n)
		inv.Set(schema.FieldClient, client.Id)
		inv.Set("client_name", client.GetString(schema.FieldName))
		inv.Set("team", in.Team)
		setInvoice(inv, period, lines, currency, e.Auth.Id)
		if err := tx.Save(inv); err != nil {
			return fmt.Errorf("save client invoice: %w", err)
		}
		audit.Log(tx, e.Auth, "create_client_invoice", inv, map[string]any{"number": n, "total_cents": inv.GetInt("total_cents")})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't create the invoice.")
	}
	return e.JSON(http.StatusOK, api.InvoiceResult{Invoice: inv, Unpriced: unpricedOf(unpriced)})
}

func setInvoice(inv *core.Record, period dayPeriod, lines []api.MoneyLine, currency, by string) {
	inv.Set("period_start", period.first)
	inv.Set("period_end", period.last)
	inv.Set(schema.FieldStatus, schema.InvoiceOpen)
	inv.Set("currency", currency)
	inv.Set("lines", lines)
	inv.Set("total_cents", totalOf(lines))
	inv.Set("paid_cents", 0)
	inv.Set("payments", []any{})
	inv.Set("created_by", by)
}

// invoiceFor finds the invoice the path names and checks that the requester
// may act on it with f; someone who may neither act nor view it gets a 404,
// so a refusal never confirms that an invoice exists.
func invoiceFor(z *gate.Authorizer, e *core.RequestEvent, collection string, f perms.Feature, target func(*core.Record) perms.Target) (*core.Record, error) {
	inv, err := e.App.FindRecordById(collection, e.Request.PathValue("id"))
	if err != nil {
		return nil, reply.NotFound()
	}
	a, err := z.Actor(e.App, e.Auth, inv.GetString(schema.FieldOrg))
	if err != nil {
		return nil, err
	}
	if z.Decide(a, f, target(inv)).Allowed {
		return inv, nil
	}
	if !z.CanView(a, z.Policies[collection], inv) {
		return nil, reply.NotFound()
	}
	return nil, reply.Forbidden(f)
}

func teamTarget(r *core.Record) perms.Target { return perms.Target{TeamID: r.GetString("team")} }
func ownerTarget(r *core.Record) perms.Target {
	return perms.Target{OwnerID: r.GetString(schema.FieldUser)}
}

func (s *Server) sendClientInvoice(e *core.RequestEvent, z *gate.Authorizer) error {
	inv, err := invoiceFor(z, e, schema.ClientInvoices, perms.SendClientInvoices, teamTarget)
	if err != nil {
		return err
	}
	client, err := e.App.FindRecordById(schema.Clients, inv.GetString(schema.FieldClient))
	if err := reply.LookupFault(err, "client of invoice "+inv.Id); err != nil {
		return err
	}
	if err != nil {
		return reply.BadRequest("The client of this invoice (%s) was removed: there is no one to send it to.", inv.GetString("client_name"))
	}
	to := client.GetString("email")
	if to == "" {
		return reply.BadRequest("%s has no e-mail address: add one under Clients first.", client.GetString(schema.FieldName))
	}
	org, err := e.App.FindRecordById(schema.Organizations, inv.GetString(schema.FieldOrg))
	if err != nil {
		return fmt.Errorf("find organization of invoice %s: %w", inv.Id, err)
	}
	if err := e.App.NewMailClient().Send(invoiceMail(e.App, org, client, inv)); err != nil {
		e.App.Logger().Warn("invoice e-mail not sent", "invoice", inv.Id, "to", to, "error", err)
		return router.NewApiError(http.StatusBadGateway, "Couldn't send the e-mail: check the mail settings (/_/ → Settings → Mail).", nil)
	}
	if inv.GetString(schema.FieldStatus) == schema.InvoiceOpen {
		inv.Set(schema.FieldStatus, schema.InvoiceSent)
	}
	inv.Set("sent_at", types.NowDateTime())
	inv.Set("sent_to", to)
	if err := e.App.Save(inv); err != nil {
		return fmt.Errorf("mark invoice %s sent: %w", inv.Id, err)
	}
	audit.Log(e.App, e.Auth, "send_client_invoice", inv, map[string]any{"to": to})
	return e.JSON(http.StatusOK, inv)
}

// formatCents writes an amount the way an invoice shows it: 1234.50 USD.
func formatCents(cents int64, currency string) string {
	return fmt.Sprintf("%d.%02d %s", cents/100, cents%100, currency)
}

func invoiceMail(app core.App, org, client, inv *core.Record) *mailer.Message {
	settings := app.Settings()
	var lines []api.MoneyLine
	_ = inv.UnmarshalJSONField("lines", &lines)
	names := projectNames(app, lines)
	people := memberNames(app, lines)
	cur := inv.GetString("currency")
	var text, rows strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&text, "%s, %s: %.2f h x %s = %s\n", names[l.Project], people[l.User], l.Hours, formatCents(l.RateCents, cur), formatCents(l.AmountCents, cur))
		fmt.Fprintf(&rows, "<tr><td>%s</td><td>%s</td><td>%.2f</td><td>%s</td><td>%s</td></tr>", html.EscapeString(names[l.Project]), html.EscapeString(people[l.User]),
			l.Hours, html.EscapeString(formatCents(l.RateCents, cur)), html.EscapeString(formatCents(l.AmountCents, cur)))
	}
	orgName, number := org.GetString(schema.FieldName), inv.GetInt("number")
	period := reply.DateOf(inv, "period_start") + " – " + reply.DateOf(inv, "period_end")
	total := formatCents(int64(inv.GetInt("total_cents")), cur)
	due := formatCents(int64(inv.GetInt("total_cents")-inv.GetInt("paid_cents")), cur)
	return &mailer.Message{
		From:    mail.Address{Name: cmp.Or(settings.Meta.SenderName, orgName), Address: settings.Meta.SenderAddress},
		To:      []mail.Address{{Name: client.GetString(schema.FieldName), Address: client.GetString("email")}},
		Subject: fmt.Sprintf("Invoice %d from %s", number, orgName),
		Text: fmt.Sprintf("Invoice %d from %s to %s\nPeriod: %s\n\n%s\nTotal: %s\nDue: %s\n",
			number, orgName, client.GetString(schema.FieldName), period, text.String(), total, due),
		HTML: fmt.Sprintf(`<h1>Invoice %d</h1><p>From %s to %s, for %s.</p><table><tr><th>Project</th><th>Member</th><th>Hours</th><th>Rate</th><th>Amount</th></tr>%s</table><p>Total: %s<br>Due: %s</p>`,
			number, html.EscapeString(orgName), html.EscapeString(client.GetString(schema.FieldName)), html.EscapeString(period),
			rows.String(), html.EscapeString(total), html.EscapeString(due)),
	}
}

// memberNames names the members of lines, by their name or else their e-mail.
func memberNames(app core.App, lines []api.MoneyLine) map[string]string {
	names := map[string]string{}
	for _, l := range lines {
		if _, ok := names[l.User]; ok {
			continue
		}
		names[l.User] = "A member"
		if u, err := app.FindRecordById(schema.Users, l.User); err == nil {
			names[l.User] = cmp.Or(u.GetString(schema.FieldName), u.Email())
		}
	}
	return names
}

func projectNames(app core.App, lines []api.MoneyLine) map[string]string {
	names := map[string]string{}
	for _, l := range lines {
		if _, ok := names[l.Project]; ok {
			continue
		}
		names[l.Project] = l.Project
		if p, err := app.FindRecordById(schema.Projects, l.Project); err == nil {
			names[l.Project] = p.GetString(schema.FieldName)
		}
	}
	return names
}

func (s *Server) payClientInvoice(e *core.RequestEvent, z *gate.Authorizer) error {
	inv, err := invoiceFor(z, e, schema.ClientInvoices, perms.MarkPaymentOnClientInvoice, teamTarget)
	if err != nil {
		return err
	}
	return markPayment(e, inv, "pay_client_invoice")
}

// markPayment adds a payment to an invoice: partial payments add up, the
// invoice is paid once they reach its total, and paying more is refused.
func markPayment(e *core.RequestEvent, inv *core.Record, action string) error {
	var in api.PaymentRequest
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send amount_cents (a whole number of cents) and optionally paid_at (YYYY-MM-DD) as JSON.")
	}
	paidAt := time.Now().UTC()
	if in.PaidAt != "" {
		var err error
		if paidAt, err = time.Parse(time.DateOnly, in.PaidAt); err != nil {
			return reply.BadRequest("paid_at must be a day as YYYY-MM-DD.")
		}
	}
	if in.AmountCents <= 0 {
		return reply.BadRequest("amount_cents must be a positive whole number of cents.")
	}
	err := e.App.RunInTransaction(func(tx core.App) error {
		// Read again inside the transaction, so two payments marked at once
		// can't both fit the same remainder.
		fresh, err := tx.FindRecordById(inv.Collection().Name, inv.Id)
		if err != nil {
			return fmt.Errorf("read invoice %s: %w", inv.Id, err)
		}
		paid, total := int64(fresh.GetInt("paid_cents")), int64(fresh.GetInt("total_cents"))
		if paid+in.AmountCents > total {
			return reply.BadRequest("That is more than is due: %s remains.", formatCents(total-paid, fresh.GetString("currency")))
		}
		var payments []map[string]any
		_ = fresh.UnmarshalJSONField("payments", &payments)
		payments = append(payments, map[string]any{
			"amount_cents": in.AmountCents, "paid_at": paidAt.Format(time.DateOnly), "by": e.Auth.Id,
		})
		fresh.Set("payments", payments)
		fresh.Set("paid_cents", paid+in.AmountCents)
		if paid+in.AmountCents == total {
			fresh.Set(schema.FieldStatus, schema.InvoicePaid)
			fresh.Set("paid_at", paidAt)
		}
		if err := tx.Save(fresh); err != nil {
			return fmt.Errorf("save payment on %s: %w", inv.Id, err)
		}
		audit.Log(tx, e.Auth, action, fresh, map[string]any{"amount_cents": in.AmountCents, "paid_at": paidAt.Format(time.DateOnly)})
		inv = fresh
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't mark the payment.")
	}
	return e.JSON(http.StatusOK, inv)
}

func (s *Server) createTeamInvoice(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	var in api.TeamInvoiceRequest
	if err := e.BindBody(&in); err != nil {
		return reply.BadRequest("Send period_start, period_end (YYYY-MM-DD) and optionally user as JSON.")
	}
	in.User = cmp.Or(in.User, e.Auth.Id)
	if !reply.IsRecordID(in.User) {
		return reply.BadRequest("user must be a member's id.")
	}
	if !z.Decide(a, perms.CreateTeamInvoices, perms.Target{OwnerID: in.User}).Allowed {
		return reply.Forbidden(perms.CreateTeamInvoices)
	}
	if err := gate.FeatureOn(e.App, org.Id, schema.ModuleInvoices); err != nil {
		return err
	}
	period, err := parsePeriod(in.PeriodStart, in.PeriodEnd)
	if err != nil {
		return err
	}
	member, err := gate.LoadActor(e.App, in.User, org.Id)
	if err != nil {
		return err
	}
	if !member.Member {
		return reply.BadRequest("user must be an active member of the organization.")
	}
	lines, currency, unpriced, err := pricePayable(e.App, org, period, []string{in.User}, nil, false, "", s.cfg.SlotLen())
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return reply.BadRequest("No payable time in that period (approved time with a pay rate).")
	}
	var inv *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		c, err := tx.FindCachedCollectionByNameOrId(schema.TeamInvoices)
		if err != nil {
			return fmt.Errorf("find %s: %w", schema.TeamInvoices, err)
		}
		n, err := nextNumber(tx, schema.TeamInvoices, org.Id)
		if err != nil {
			return err
		}
		inv = core.NewRecord(c)
		inv.Set(schema.FieldOrg, org.Id)
		inv.Set("number", n)
		inv.Set(schema.FieldUser, in.User)
		setInvoice(inv, period, lines, currency, e.Auth.Id)
		if err := tx.Save(inv); err != nil {
			return fmt.Errorf("save team invoice: %w", err)
		}
		audit.Log(tx, e.Auth, "create_team_invoice", inv, map[string]any{"number": n, "total_cents": inv.GetInt("total_cents")})
		return nil
	})
	if err != nil {
		return reply.RequestError(err, "Couldn't create the invoice.")
	}
	return e.JSON(http.StatusOK, api.InvoiceResult{Invoice: inv, Unpriced: unpricedOf(unpriced)})
}

func (s *Server) payTeamInvoice(e *core.RequestEvent, z *gate.Authorizer) error {
	inv, err := invoiceFor(z, e, schema.TeamInvoices, perms.MarkPaymentOnTeamInvoice, ownerTarget)
	if err != nil {
		return err
	}
	return markPayment(e, inv, "pay_team_invoice")
}
