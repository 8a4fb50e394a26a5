package integrations_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func summaryOf(t *testing.T, h http.Handler, user, query string) (int, api.Summary) {
	t.Helper()
	fx, _ := hookstest.MatrixFixture()
	status, out := call(t, h, fx, user, "GET", hookstest.OrgURL(api.SummaryPreviewRoute, tt.Acme)+"?"+query, "")
	var s api.Summary
	if status == 200 {
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("summary: %v: %s", err, out)
		}
	}
	return status, s
}

// lines flattens a summary into "user/project" pairs.
func lines(s api.Summary) map[string]bool {
	out := map[string]bool{}
	for _, m := range s.Members {
		for _, p := range m.Projects {
			out[m.User+"/"+p.Project] = true
		}
	}
	return out
}

func TestSummaryPreviewReachesWhatTheMatrixGives(t *testing.T) {
	_, _, h := webhookApp(t)
	day := "period=daily&day=" + tt.Slot.Format(time.DateOnly)
	walt := []string{tt.Walt + "/" + tt.ProjA, tt.Walt + "/" + tt.ProjB}
	for _, tc := range []struct {
		user      string
		sees, not []string
	}{
		{tt.Alice, append(walt, tt.Carol+"/"+tt.ProjA, tt.Alice+"/"+tt.ProjA), nil},
		{tt.Bob, append(walt, tt.Tess+"/"+tt.ProjA), nil},
		{tt.Carol, []string{tt.Carol + "/" + tt.ProjA}, walt},
		{tt.Pam, []string{tt.Pam + "/" + tt.ProjA, tt.Walt + "/" + tt.ProjA, tt.Carol + "/" + tt.ProjA}, []string{tt.Walt + "/" + tt.ProjB}},
		{tt.Vic, []string{tt.Walt + "/" + tt.ProjA}, []string{tt.Walt + "/" + tt.ProjB}},
		{tt.Tess, append(walt, tt.Tess+"/"+tt.ProjA, tt.Carol+"/"+tt.ProjA), nil}, // led project A and led member Walt
	} {
		status, s := summaryOf(t, h, tc.user, day)
		got := lines(s)
		if status != 200 {
			t.Fatalf("%s: %d", tc.user, status)
		}
		for _, l := range tc.sees {
			if !got[l] {
				t.Errorf("%s's summary lacks %s: %v", tc.user, l, got)
			}
		}
		for _, l := range tc.not {
			if got[l] {
				t.Errorf("%s's summary shows %s", tc.user, l)
			}
		}
		for l := range got {
			if strings.Contains(l, tt.Dave) {
				t.Errorf("%s's summary shows Globex: %s", tc.user, l)
			}
		}
	}
	// Figures: Carol's one seeded slot is 600 s, 500 of them active.
	_, s := summaryOf(t, h, tt.Carol, day)
	if len(s.Members) != 1 || s.Members[0].Tracked != 600 || s.Members[0].ActivityPercent != 83.3 ||
		s.Members[0].Projects[0].Name != "A" || s.From != "2026-11-02" || s.To != "2026-11-02" {
		t.Fatalf("Carol's day: %+v", s)
	}
	// A week holds its days; the next day holds nothing.
	if _, s := summaryOf(t, h, tt.Carol, "period=weekly&day=2026-11-05"); s.From != "2026-11-02" || s.To != "2026-11-08" || s.Totals.Tracked != 600 {
		t.Fatalf("Carol's week: %+v", s)
	}
	if _, s := summaryOf(t, h, tt.Carol, "period=daily&day=2026-11-03"); len(s.Members) != 0 {
		t.Fatalf("Carol's next day: %+v", s)
	}
	for _, q := range []string{"period=hourly", "day=yesterday", "day=2026-13-01"} {
		if status, _ := summaryOf(t, h, tt.Carol, q); status != 400 {
			t.Errorf("%s answered %d, want 400", q, status)
		}
	}
	if status, _ := summaryOf(t, h, tt.Dave, day); status != 404 {
		t.Errorf("a Globex owner previews Acme: %d", status)
	}
}

func TestEachPersonChoosesTheirOwnSummaryEmails(t *testing.T) {
	app, _, h := webhookApp(t)
	fx, _ := hookstest.MatrixFixture()
	patch := func(user, membership, body string) int {
		status, _ := call(t, h, fx, user, "PATCH", "/api/collections/memberships/records/"+membership, body)
		return status
	}
	choice := func(membership string) string {
		r, err := app.FindRecordById(schema.Memberships, membership)
		if err != nil {
			t.Fatal(err)
		}
		return r.GetString("summary_emails")
	}
	for _, u := range []string{tt.Carol, tt.Pam, tt.Vic, tt.Tess, tt.Alice} {
		if status := patch(u, tt.MembershipID(u), `{"summary_emails":"weekly"}`); status != 200 || choice(tt.MembershipID(u)) != "weekly" {
			t.Errorf("%s can't choose their own e-mails: %d", u, status)
		}
	}
	for _, tc := range []struct{ user, membership, body string }{
		{tt.Alice, tt.MembershipID(tt.Walt), `{"summary_emails":"daily"}`}, // not even the owner for someone else
		{tt.Carol, tt.MembershipID(tt.Walt), `{"summary_emails":"daily"}`},
		{tt.Carol, tt.MembershipID(tt.Carol), `{"summary_emails":"hourly"}`}, // not a choice
		{tt.Carol, tt.MembershipID(tt.Carol), `{"summary_emails":"daily","role":"manager"}`},
		{tt.Carol, tt.MembershipID(tt.Carol), `{"summary_sent":"daily:2030-01-01"}`},
	} {
		before := choice(tc.membership)
		if status := patch(tc.user, tc.membership, tc.body); status < 400 || status >= 500 || choice(tc.membership) != before {
			t.Errorf("%s patched %s with %s: %d", tc.user, tc.membership, tc.body, status)
		}
	}
}

// smtpSink is a real SMTP server on loopback that keeps what it receives.
type smtpSink struct {
	mu   sync.Mutex
	msgs []smtpMessage
}

type smtpMessage struct {
	from string
	to   []string
	data string
}

type smtpSession struct {
	sink *smtpSink
	msg  smtpMessage
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{sink: s}, nil }
func (s *smtpSession) Reset()                                   { s.msg = smtpMessage{} }
func (s *smtpSession) Logout() error                            { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.data = string(b)
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, s.msg)
	s.sink.mu.Unlock()
	return nil
}

func (s *smtpSink) messages() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.msgs...)
}

// useSMTPSink starts the sink and points the app's SMTP settings at it. The
// test app swaps every mailer for a recorder; the hook after it puts the
// real SMTP client of those settings back, so mail really goes over SMTP.
func useSMTPSink(t *testing.T, app core.App) *smtpSink {
	sink := &smtpSink{}
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	settings := app.Settings()
	settings.SMTP.Enabled = true
	settings.SMTP.Host = "127.0.0.1"
	settings.SMTP.Port = l.Addr().(*net.TCPAddr).Port
	settings.SMTP.TLS = false
	settings.Meta.SenderAddress = "tock@example.test"
	settings.Meta.SenderName = "Tock"
	if err := app.Save(settings); err != nil {
		t.Fatalf("smtp settings: %v", err)
	}
	app.OnMailerSend().Bind(&hook.Handler[*core.MailerEvent]{
		Func: func(e *core.MailerEvent) error {
			smtpSettings := e.App.Settings().SMTP
			e.Mailer = &mailer.SMTPClient{Host: smtpSettings.Host, Port: smtpSettings.Port, TLS: smtpSettings.TLS}
			return e.Next()
		},
		Priority: -99998, // right after the test app's recorder
	})
	return sink
}

func setSummaryChoice(t *testing.T, app core.App, user, choice string) {
	t.Helper()
	r, err := app.FindRecordById(schema.Memberships, tt.MembershipID(user))
	if err != nil {
		t.Fatal(err)
	}
	r.Set("summary_emails", choice)
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
}

func TestSummaryEmailsGoOutOnceOverSMTP(t *testing.T) {
	app, s, _ := webhookApp(t)
	sink := useSMTPSink(t, app)
	setSummaryChoice(t, app, tt.Carol, schema.SummaryDaily)
	setSummaryChoice(t, app, tt.Pam, schema.SummaryDaily)
	setSummaryChoice(t, app, tt.Alice, schema.SummaryWeekly)
	ctx := context.Background()

	// Before 07:00 on the 3rd, the 2nd's e-mail isn't due yet: the 1st's is, and it's empty.
	if n, err := s.SendSummaries(ctx, app, time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)); err != nil || n != 0 {
		t.Fatalf("early run sent %d (%v)", n, err)
	}
	morning := time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)
	if n, err := s.SendSummaries(ctx, app, morning); err != nil || n != 2 {
		t.Fatalf("morning run sent %d, want Carol's and Pam's days (%v)", n, err)
	}
	msgs := sink.messages()
	if len(msgs) != 2 {
		t.Fatalf("SMTP server received %d messages", len(msgs))
	}
	byRcpt := map[string]smtpMessage{}
	for _, m := range msgs {
		if len(m.to) != 1 || m.from != "tock@example.test" {
			t.Fatalf("envelope from %q to %v", m.from, m.to)
		}
		byRcpt[m.to[0]] = m
	}
	carol, pam := byRcpt[tt.Carol+"@example.test"], byRcpt[tt.Pam+"@example.test"]
	if !strings.Contains(carol.data, "Daily work summary for Acme: 2026-11-02") || !strings.Contains(carol.data, "0:10 h") ||
		strings.Contains(carol.data, tt.Walt) {
		t.Fatalf("Carol's e-mail:\n%s", carol.data)
	}
	if !strings.Contains(pam.data, tt.Walt) || !strings.Contains(pam.data, tt.Carol) {
		t.Fatalf("Pam's e-mail lacks her project's people:\n%s", pam.data)
	}
	// A second run sends nothing again: what was sent is on the memberships, so a restart doesn't either.
	if n, _ := s.SendSummaries(ctx, app, morning.Add(time.Hour)); n != 0 || len(sink.messages()) != 2 {
		t.Fatalf("second run sent %d", n)
	}
	// The week's e-mail goes to Alice on the Monday after it.
	if n, err := s.SendSummaries(ctx, app, time.Date(2026, 11, 9, 7, 30, 0, 0, time.UTC)); err != nil || n != 1 {
		t.Fatalf("Monday run sent %d (%v)", n, err)
	}
	msgs = sink.messages()
	alice := msgs[len(msgs)-1]
	if alice.to[0] != tt.Alice+"@example.test" || !strings.Contains(alice.data, "Weekly work summary for Acme: 2026-11-02 to 2026-11-08") ||
		!strings.Contains(alice.data, tt.Walt) || !strings.Contains(alice.data, tt.Bob) {
		t.Fatalf("Alice's week:\n%s", alice.data)
	}
	// Turning them off stops them.
	setSummaryChoice(t, app, tt.Carol, schema.SummaryOff)
	if n, _ := s.SendSummaries(ctx, app, time.Date(2026, 11, 10, 8, 0, 0, 0, time.UTC)); n != 0 {
		t.Fatalf("sent %d with nothing to report or subscriptions off", n)
	}
}

// TestSummaryDaysAreTheOrganizations: in Kathmandu (UTC+05:45) the 2nd's
// e-mail is due at 07:00 local on the 3rd, i.e. 01:15 UTC, and holds the
// time of the 2nd there.
func TestSummaryDaysAreTheOrganizations(t *testing.T) {
	app, s, h := webhookApp(t)
	sink := useSMTPSink(t, app)
	org, err := app.FindRecordById(schema.Organizations, tt.Acme)
	if err != nil {
		t.Fatal(err)
	}
	org.Set("timezone", "Asia/Kathmandu")
	if err := app.Save(org); err != nil {
		t.Fatal(err)
	}
	hookstest.
		// 20:00 UTC on the 2nd is 01:45 on the 3rd in Kathmandu: not the 2nd's.
		PlantTime(t, app, tt.Carol, tt.ProjA, time.Date(2026, 11, 2, 20, 0, 0, 0, time.UTC), 600, "tracked")
	setSummaryChoice(t, app, tt.Carol, schema.SummaryDaily)
	ctx := context.Background()
	if n, _ := s.SendSummaries(ctx, app, time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC)); n != 0 {
		t.Fatalf("sent %d before 07:00 local", n)
	}
	if n, _ := s.SendSummaries(ctx, app, time.Date(2026, 11, 3, 1, 20, 0, 0, time.UTC)); n != 1 {
		t.Fatalf("sent %d at 07:05 local", n)
	}
	if msgs := sink.messages(); len(msgs) != 1 || !strings.Contains(msgs[0].data, "0:10 h") || !strings.Contains(msgs[0].data, "Asia/Kathmandu") {
		t.Fatalf("Kathmandu's day: %v", msgs)
	}
	if _, sum := summaryOf(t, h, tt.Carol, "period=daily&day=2026-11-03"); sum.Totals.Tracked != 600 {
		t.Fatalf("the 3rd in Kathmandu holds %d s, want the 20:00 UTC slot", sum.Totals.Tracked)
	}
}
