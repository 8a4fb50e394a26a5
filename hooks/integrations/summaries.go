package integrations

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/gate"
	"github.com/tock-app/tock/hooks/ledger"
	"github.com/tock-app/tock/hooks/reply"
	"github.com/tock-app/tock/migrations/schema"
	"github.com/tock-app/tock/perms"
)

// Work summary schedule: a day's e-mail goes out at the first run after
// summaryHour the next local morning; a week's (Monday to Sunday) on Monday.
const (
	summaryHour        = 7
	summaryTopProjects = 3
	summaryCron        = "*/10 * * * *"
)

// summaryPeriod is the first local midnight of the period holding day and
// the one after its end.
func summaryPeriod(period string, day time.Time, loc *time.Location) (time.Time, time.Time) {
	start := reply.LocalMidnight(day, loc)
	if period == schema.SummaryWeekly {
		start = reply.LocalMidnight(reply.MondayOf(day), loc)
		return start, reply.LocalMidnight(start.AddDate(0, 0, 7), loc)
	}
	return start, reply.LocalMidnight(start.AddDate(0, 0, 1), loc)
}

// lastCompletePeriod is a day of the latest period whose e-mail is due at now.
func lastCompletePeriod(period string, now time.Time, loc *time.Location) time.Time {
	morning := now.In(loc).Add(-summaryHour * time.Hour)
	day := time.Date(morning.Year(), morning.Month(), morning.Day(), 0, 0, 0, 0, time.UTC)
	if period == schema.SummaryWeekly {
		return reply.MondayOf(day).AddDate(0, 0, -7)
	}
	return day.AddDate(0, 0, -1)
}

// buildSummary gathers a's digest of org for the period holding day (a
// date, its clock ignored).
func buildSummary(app core.App, a gate.Actor, org *core.Record, period string, day time.Time, slotLen time.Duration) (api.Summary, error) {
	loc := reply.OrgLocation(org)
	start, end := summaryPeriod(period, day, loc)
	days, err := ledger.RangeOf(start.In(loc), end.In(loc).AddDate(0, 0, -1), loc)
	if err != nil {
		return api.Summary{}, err
	}
	out := api.Summary{
		Org:    api.OrgSummary{ID: org.Id, Name: org.GetString(schema.FieldName), Timezone: org.GetString(schema.FieldTimezone)},
		Period: period, From: start.In(loc).Format(time.DateOnly), To: end.In(loc).AddDate(0, 0, -1).Format(time.DateOnly),
		Timezone: loc.String(), Members: []api.SummaryMember{},
	}
	sc := perms.Default().Scope(a.Actor, perms.ReceiveWorkSummaryEmails, a.Settings)
	if sc.Empty() {
		return out, nil
	}
	slots, err := ledger.LoadRangeSlots(app, org.Id, days, slotLen, ledger.ScopeWhere(sc, a.Actor.UserID))
	if err != nil {
		return out, err
	}
	members := map[string]*api.SummaryMember{}
	projects := map[string]map[string]*api.ProjectTotals{}
	for i := range slots {
		sl := &slots[i]
		days.Each(sl, slotLen, func(_ int, t api.Totals) {
			out.Totals.Plus(t)
			m := members[sl.User]
			if m == nil {
				m = &api.SummaryMember{User: sl.User}
				members[sl.User] = m
				projects[sl.User] = map[string]*api.ProjectTotals{}
			}
			m.Plus(t)
			p := projects[sl.User][sl.Project]
			if p == nil {
				p = &api.ProjectTotals{Project: sl.Project}
				projects[sl.User][sl.Project] = p
			}
			p.Plus(t)
		})
	}
	out.Totals.Finish()
	for id, m := range members {
		m.Finish()
		m.Name = reply.NameOf(app, schema.Users, id)
		top := ledger.SortedProjects(projects[id])
		if len(top) > summaryTopProjects {
			top = top[:summaryTopProjects]
		}
		for _, p := range top {
			m.Projects = append(m.Projects, api.SummaryProject{Project: p.Project, Name: reply.NameOf(app, schema.Projects, p.Project), Totals: p.Totals})
		}
		out.Members = append(out.Members, *m)
	}
	slices.SortFunc(out.Members, func(x, y api.SummaryMember) int {
		if x.Tracked != y.Tracked {
			return y.Tracked - x.Tracked
		}
		return strings.Compare(x.User, y.User)
	})
	return out, nil
}

func (s *Server) registerSummaries(app core.App, z *gate.Authorizer) {
	app.OnRecordUpdateRequest(schema.Memberships).BindFunc(guardSummaryChoice)
	reply.ServeSignedIn(app,
		reply.GET(api.SummaryPreviewRoute, func(re *core.RequestEvent) error { return s.previewSummary(re, z) }),
	)
	app.Cron().MustAdd("tock_summaries", summaryCron, func() {
		sent, err := s.SendSummaries(context.Background(), app, time.Now())
		if err != nil {
			app.Logger().Error("work summaries", slog.Any("error", err))
		}
		if sent > 0 {
			app.Logger().Info("work summaries sent", slog.Int("count", sent))
		}
	})
}

// guardSummaryChoice: each person chooses their own summary e-mails, and
// the record of what was sent is Tock's alone.
func guardSummaryChoice(e *core.RecordRequestEvent) error {
	if reply.IsSuperuser(e.Auth) {
		return e.Next()
	}
	before := e.Record.Original()
	if e.Record.GetString(schema.FieldSummarySent) != before.GetString(schema.FieldSummarySent) {
		return router.NewBadRequestError("summary_sent is Tock's own record of the e-mails it sent.", nil)
	}
	if e.Record.GetString(schema.FieldSummaryEmails) != before.GetString(schema.FieldSummaryEmails) &&
		(e.Auth == nil || before.GetString(schema.FieldUser) != e.Auth.Id) {
		return router.NewForbiddenError("Each person chooses their own work summary e-mails.", nil)
	}
	return e.Next()
}

func (s *Server) previewSummary(e *core.RequestEvent, z *gate.Authorizer) error {
	a, org, err := z.OrgMember(e)
	if err != nil {
		return err
	}
	q := e.Request.URL.Query()
	period := q.Get("period")
	switch period {
	case "":
		period = schema.SummaryDaily
	case schema.SummaryDaily, schema.SummaryWeekly:
	default:
		return router.NewBadRequestError("period must be daily or weekly.", nil)
	}
	loc := reply.OrgLocation(org)
	day := lastCompletePeriod(period, time.Now(), loc)
	if v := q.Get("day"); v != "" {
		if day, err = time.Parse(time.DateOnly, v); err != nil {
			return router.NewBadRequestError("day must be a date as YYYY-MM-DD.", nil)
		}
	}
	if d := z.Decide(a, perms.ReceiveWorkSummaryEmails, perms.Target{OwnerID: a.Actor.UserID}); !d.Allowed {
		return reply.Forbidden(perms.ReceiveWorkSummaryEmails)
	}
	sum, err := buildSummary(e.App, a, org, period, day, s.cfg.SlotLen())
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, sum)
}

// SendSummaries mails every subscribed active member the digest of the
// latest period due at now, once: the period sent is kept on the
// membership, so a second run (or a restart) sends nothing new. It is
// marked after the mail went out: a crash in between may repeat one
// e-mail, never lose one. It returns how many e-mails it sent.
func (s *Server) SendSummaries(ctx context.Context, app core.App, now time.Time) (int, error) {
	if !app.Settings().SMTP.Enabled {
		return 0, nil // nowhere to send them; they go out once SMTP is set up
	}
	var subs []*core.Record
	err := app.RecordQuery(schema.Memberships).
		AndWhere(dbx.HashExp{schema.FieldStatus: schema.MemberActive}).
		AndWhere(dbx.In(schema.FieldSummaryEmails, schema.SummaryDaily, schema.SummaryWeekly)).
		OrderBy("org", "id").All(&subs)
	if err != nil {
		return 0, fmt.Errorf("find summary subscribers: %w", err)
	}
	sent := 0
	for _, m := range subs {
		if ctx.Err() != nil {
			break
		}
		ok, err := s.sendSummary(app, m, now)
		if err != nil {
			app.Logger().Warn("work summary not sent", slog.String("membership", m.Id), slog.Any("error", err))
			continue
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Server) sendSummary(app core.App, m *core.Record, now time.Time) (bool, error) {
	org, err := app.FindRecordById(schema.Organizations, m.GetString(schema.FieldOrg))
	if err != nil {
		return false, fmt.Errorf("find organization: %w", err)
	}
	if org.GetBool(schema.FieldArchived) {
		return false, nil
	}
	period := m.GetString(schema.FieldSummaryEmails)
	day := lastCompletePeriod(period, now, reply.OrgLocation(org))
	key := period + ":" + day.Format(time.DateOnly)
	if m.GetString(schema.FieldSummarySent) == key {
		return false, nil
	}
	a, err := gate.LoadActor(app, m.GetString(schema.FieldUser), org.Id)
	if err != nil {
		return false, err
	}
	sum, err := buildSummary(app, a, org, period, day, s.cfg.SlotLen())
	if err != nil {
		return false, err
	}
	user, err := app.FindRecordById(schema.Users, m.GetString(schema.FieldUser))
	if err != nil {
		return false, fmt.Errorf("find user: %w", err)
	}
	mailed := false
	// An empty digest isn't mailed; its period is still marked as done.
	if len(sum.Members) > 0 {
		if err := app.NewMailClient().Send(summaryMail(app, user, sum)); err != nil {
			return false, fmt.Errorf("send: %w", err)
		}
		mailed = true
	}
	m.Set(schema.FieldSummarySent, key)
	if err := app.Save(m); err != nil {
		return mailed, fmt.Errorf("mark summary %s sent: %w", key, err)
	}
	return mailed, nil
}

// hoursText shows seconds as h:mm.
func hoursText(seconds int) string {
	return fmt.Sprintf("%d:%02d", seconds/3600, seconds%3600/60)
}

func summaryMail(app core.App, user *core.Record, sum api.Summary) *mailer.Message {
	settings := app.Settings()
	when := sum.From
	kind := "Daily"
	if sum.Period == schema.SummaryWeekly {
		kind = "Weekly"
		when = sum.From + " to " + sum.To
	}
	title := fmt.Sprintf("%s work summary for %s: %s", kind, sum.Org.Name, when)
	var text, body strings.Builder
	fmt.Fprintf(&text, "%s\n\nTotal: %s h, activity %.1f%%\n\n", title, hoursText(sum.Totals.Tracked), sum.Totals.ActivityPercent)
	fmt.Fprintf(&body, "<h1>%s</h1><p>Total: %s h, activity %.1f%%</p><table><tr><th>Member</th><th>Hours</th><th>Activity</th><th>Top projects</th></tr>",
		html.EscapeString(title), hoursText(sum.Totals.Tracked), sum.Totals.ActivityPercent)
	for _, m := range sum.Members {
		var tops []string
		for _, p := range m.Projects {
			tops = append(tops, fmt.Sprintf("%s (%s h)", p.Name, hoursText(p.Tracked)))
		}
		name := m.Name
		if name == "" {
			name = m.User
		}
		fmt.Fprintf(&text, "- %s: %s h, activity %.1f%%, top projects: %s\n", name, hoursText(m.Tracked), m.ActivityPercent, strings.Join(tops, ", "))
		fmt.Fprintf(&body, "<tr><td>%s</td><td>%s</td><td>%.1f%%</td><td>%s</td></tr>", html.EscapeString(name),
			hoursText(m.Tracked), m.ActivityPercent, html.EscapeString(strings.Join(tops, ", ")))
	}
	fmt.Fprintf(&text, "\nTimes are in %s. Change or stop these e-mails on your Me page in Tock.\n", sum.Timezone)
	fmt.Fprintf(&body, "</table><p>Times are in %s. Change or stop these e-mails on your Me page in Tock.</p>", html.EscapeString(sum.Timezone))
	return &mailer.Message{
		From:    mail.Address{Name: settings.Meta.SenderName, Address: settings.Meta.SenderAddress},
		To:      []mail.Address{{Name: user.GetString(schema.FieldName), Address: user.Email()}},
		Subject: title,
		Text:    text.String(),
		HTML:    body.String(),
	}
}
