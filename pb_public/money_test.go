package pbpublic_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/pocketbase/core"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// smtpSink is a minimal SMTP server on the loopback interface that accepts
// every message and remembers its recipients and text, so a test can see
// what Tock mailed without anything leaving the machine.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	mail []string // "rcpt1,rcpt2\n<data>" per message
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &smtpSink{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 sink")
	var rcpts []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 sink")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			rcpts = append(rcpts, strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<> "))
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.TrimRight(l, "\r\n") == "." {
					break
				}
				data.WriteString(l)
			}
			s.mu.Lock()
			s.mail = append(s.mail, strings.Join(rcpts, ",")+"\n"+data.String())
			s.mu.Unlock()
			rcpts = nil
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *smtpSink) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.mail...)
}

// TestMoneyWorkflow: the owner sets a project bill rate, invoices the
// client for the week of the seeded time, sends the invoice (the client's
// mailbox gets it), marks two partial payments and runs payroll; a member
// sees only their own rate and payment, invoices their own time, and finds
// none of the owner's controls — which the server refuses anyway.
func TestMoneyWorkflow(t *testing.T) {
	sink := newSMTPSink(t)
	host, port, _ := net.SplitHostPort(sink.addr)
	w := newWorld(t, func(t *testing.T) *tt.Fixture {
		f, err := tt.NewFixture(func(app core.App) error {
			if err := tt.Matrix(app); err != nil {
				return err
			}
			s := app.Settings()
			s.SMTP.Enabled, s.SMTP.Host = true, host
			fmt.Sscan(port, &s.SMTP.Port)
			return app.Save(s)
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	})
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	week := func(form string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.CSS(form+` input[name=period_start]`), "2026-11-02"),
			chromedp.SetValue(chromedp.CSS(form+` input[name=period_end]`), "2026-11-08"),
		}
	}

	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	open(t, b, w, "money")
	if u := unnamedControls(t, b); len(u) > 0 {
		t.Errorf("controls without an accessible name: %v", u)
	}
	b.Do(t, "bill Walt's time in A at 90.00",
		chromedp.SetValue(chromedp.CSS(`#rate-form select[name=user]`), tt.Walt),
		chromedp.SetValue(chromedp.CSS(`#rate-form select[name=project]`), tt.ProjA),
		chromedp.SetValue(chromedp.CSS(`#rate-form input[name=pay]`), "30"),
		chromedp.SetValue(chromedp.CSS(`#rate-form input[name=bill]`), "90.00"),
		chromedp.Click(chromedp.CSS(`#rate-form button`)))
	b.Wait(t, "the rate listed", `document.querySelector("#rates")?.textContent.includes("90.00 USD")`)
	if n := w.count(t, alice, "rates", fmt.Sprintf(`user=%q && project=%q && bill_rate_cents=9000 && pay_rate_cents=3000`, tt.Walt, tt.ProjA)); n != 1 {
		t.Fatalf("%d such rates on the server, want 1", n)
	}

	b.Wait(t, "the invoice form", `document.querySelector("#client-invoice-form")`)
	b.Do(t, "invoice the client for the week", append(week("#client-invoice-form"),
		chromedp.SetValue(chromedp.CSS(`#client-invoice-form select[name=client]`), tt.Cli),
		chromedp.SetValue(chromedp.CSS(`#client-invoice-form select[name=team]`), ""),
		chromedp.Click(chromedp.CSS(`#client-invoice-form button`)))...)
	// Five people at 50.00 for 10 minutes (8.33 each) and Walt at 90.00 (15.00).
	b.Wait(t, "invoice 4 listed", `[...document.querySelectorAll("#client-invoices tbody tr")].some(r => r.textContent.includes("56.65 USD"))`)
	if n := w.count(t, alice, "client_invoices", `number=4 && total_cents=5665 && status="open"`); n != 1 {
		t.Fatalf("invoice 4 of 56.65 not on the server")
	}
	b.Do(t, "send it", chromedp.Click(chromedp.CSS(`button[aria-label="Send invoice 4 to the client"]`)))
	b.Wait(t, "sent", `document.querySelector("#status").textContent === "Invoice sent."`)
	if n := w.count(t, alice, "client_invoices", `number=4 && status="sent"`); n != 1 {
		t.Errorf("invoice 4 not marked sent on the server")
	}
	var toClient []string // PocketBase also mails people about sign-ins from new places
	for _, m := range sink.messages() {
		if strings.HasPrefix(m, "billing-"+tt.Cli+"@example.test\n") {
			toClient = append(toClient, m)
		}
	}
	if len(toClient) != 1 || !strings.Contains(toClient[0], "Invoice 4 from Acme") || !strings.Contains(toClient[0], "Total: 56.65 USD") {
		t.Errorf("mail to the client: %q", toClient)
	}
	row := `[...document.querySelectorAll("#client-invoices tbody tr")].find(r => r.textContent.includes("56.65 USD"))`
	b.Wait(t, "the invoice shown as sent", row+`?.querySelector(".status").textContent === "sent"`)

	pay := func(amount, paid string) {
		b.Do(t, "mark "+amount+" paid",
			chromedp.SetValue(chromedp.CSS(`input[aria-label="Amount paid on invoice 4"]`), amount),
			chromedp.Click(chromedp.CSS(`button[aria-label="Mark a payment on invoice 4"]`)))
		b.Wait(t, "paid "+paid+" shown", row+`?.children[5].textContent === "`+paid+`"`)
	}
	pay("20", "20.00 USD")
	if n := w.count(t, alice, "client_invoices", `number=4 && paid_cents=2000 && status="sent"`); n != 1 {
		t.Errorf("the partial payment is not on the server")
	}
	pay("36.65", "56.65 USD")
	if n := w.count(t, alice, "client_invoices", `number=4 && paid_cents=5665 && status="paid"`); n != 1 {
		t.Errorf("invoice 4 not paid on the server")
	}

	b.Do(t, "run payroll for the week", append(week("#payroll-form"), chromedp.Click(chromedp.CSS(`#payroll-form button`)))...)
	b.Wait(t, "payroll ran", `document.querySelector("#status").textContent === "Payroll ran."`)
	b.Wait(t, "the run listed", `document.querySelector("#payroll-runs")?.textContent.includes("2026-11-02 – 2026-11-08")`)
	b.Wait(t, "Walt's payment listed", fmt.Sprintf(`[...document.querySelectorAll("#payments tr[data-user='%s']")].some(r => r.textContent.includes("8.33 USD"))`, tt.Walt))
	if n := w.count(t, alice, "payroll_runs", `period_start="2026-11-02 00:00:00.000Z"`); n != 1 {
		t.Errorf("no payroll run on the server")
	}
	// Walt: 10 minutes in A at 30.00 (5.00) and 10 in B at 20.00 (3.33).
	if n := w.count(t, alice, "payments", fmt.Sprintf(`user=%q && amount_cents=833 && seconds=1200`, tt.Walt)); n != 1 {
		t.Errorf("Walt's payment is not 8.33 for 20 minutes")
	}
	b.Shot(t, "money-owner.png")

	carol := w.browser(t, 1280, 900)
	signIn(t, carol, w, tt.Carol+"@example.test", tt.Password)
	open(t, carol, w, "money")
	carol.Wait(t, "the team invoice form", `document.querySelector("#team-invoice-form")`)
	for _, sel := range []string{"#rate-form", "#client-invoice-form", "#client-invoices", "#payroll-form", "#payroll-runs"} {
		if exists(t, carol, sel) {
			t.Errorf("Carol sees %s", sel)
		}
	}
	if got := bt.Eval[int](t, carol, `document.querySelectorAll("#rates tbody tr").length`); got != 1 {
		t.Errorf("Carol sees %d rates, want her own", got)
	}
	if got := bt.Eval[int](t, carol, `document.querySelectorAll("#payments tbody tr").length`); got != 1 {
		t.Errorf("Carol sees %d payments, want her own", got)
	}
	carol.Do(t, "invoice her own week", append(week("#team-invoice-form"), chromedp.Click(chromedp.CSS(`#team-invoice-form button`)))...)
	carol.Wait(t, "her invoice listed", `[...document.querySelectorAll("#team-invoices tbody tr")].some(r => r.textContent.includes("3.33 USD"))`)
	carolToken, _ := w.login(t, tt.Carol+"@example.test", tt.Password)
	if n := w.count(t, carolToken, "team_invoices", fmt.Sprintf(`user=%q && total_cents=333`, tt.Carol)); n != 1 {
		t.Errorf("Carol's team invoice is not on the server")
	}
	if st := tt.API(t, "POST", w.srv.URL+"/api/tock/orgs/"+tt.Acme+"/payroll", carolToken,
		map[string]string{"period_start": "2026-11-09", "period_end": "2026-11-15"}, nil); st != 403 {
		t.Errorf("Carol running payroll answered %d, want 403", st)
	}
}
