package pbpublic_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/webhook"
)

// TestIntegrationsAndSummaries: the owner adds a webhook pointing at a
// receiver on loopback in the browser, sees its secret once, creates a
// project in the app and the receiver gets it signed with that secret; the
// delivery log shows it. A user sees no Integrations page (and the server
// refuses them), and chooses their own work summary e-mails.
func TestIntegrationsAndSummaries(t *testing.T) {
	type hit struct {
		header http.Header
		body   []byte
	}
	var mu sync.Mutex
	var hits []hit
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		hits = append(hits, hit{r.Header.Clone(), body})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()

	w := newWorld(t, matrixFixture, "TOCK_WEBHOOKS_ALLOW_PRIVATE=true")
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	// The seed's own webhook points at a name that doesn't resolve.
	if st := tt.API(t, "PATCH", w.srv.URL+"/api/collections/webhooks/records/"+tt.WhkA, alice, map[string]any{"active": false}, nil); st != 200 {
		t.Fatalf("turn the seeded webhook off: %d", st)
	}

	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	open(t, b, w, "integrations")
	b.Do(t, "add a webhook",
		chromedp.SendKeys(chromedp.CSS(`#new-webhook input[name=name]`), "Loopback receiver"),
		chromedp.SendKeys(chromedp.CSS(`#new-webhook input[name=url]`), rcv.URL+"/tock"),
		chromedp.Click(chromedp.CSS(`#new-webhook button[type=submit]`)))
	b.Wait(t, "the secret shown", `document.querySelector("#webhook-secret")?.value.startsWith("whsec_")`)
	secret := bt.Eval[string](t, b, `document.querySelector("#webhook-secret").value`)
	if u := unnamedControls(t, b); len(u) > 0 {
		t.Errorf("controls without an accessible name: %v", u)
	}
	// Shown once: a fresh load of the page doesn't have it.
	open(t, b, w, "integrations")
	b.Wait(t, "the webhook listed", `document.querySelector("#webhooks")?.textContent.includes("Loopback receiver")`)
	if exists(t, b, "#webhook-secret") || strings.Contains(bt.Eval[string](t, b, `document.body.innerHTML`), secret) {
		t.Fatalf("the secret is shown again")
	}

	open(t, b, w, "projects")
	clicked := time.Now()
	b.Do(t, "create a project",
		chromedp.SendKeys(chromedp.CSS(`#new-project input[name=name]`), "Webhook launch"),
		chromedp.Click(chromedp.CSS(`#new-project button[type=submit]`)))
	deadline := time.Now().Add(20 * time.Second)
	var got hit
	for got.body == nil && time.Now().Before(deadline) {
		mu.Lock()
		if len(hits) > 0 {
			got = hits[0]
		}
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	if got.body == nil {
		t.Fatalf("no delivery reached the receiver")
	}
	t.Logf("the receiver had the delivery %v after the click", time.Since(clicked).Round(time.Millisecond))
	ts, _ := strconv.ParseInt(got.header.Get(webhook.HeaderTimestamp), 10, 64)
	var body struct {
		Event string
		Data  struct{ Project struct{ Name string } }
	}
	if err := json.Unmarshal(got.body, &body); err != nil || body.Event != "project.created" || body.Data.Project.Name != "Webhook launch" ||
		got.header.Get(webhook.HeaderEvent) != "project.created" || !webhook.Verify(secret, ts, got.body, got.header.Get(webhook.HeaderSignature)) {
		t.Fatalf("delivery %v %s not signed with the secret shown (%v)", got.header, got.body, err)
	}
	open(t, b, w, "integrations")
	b.Wait(t, "the delivery logged", `document.querySelector("#deliveries")?.textContent.includes("delivered")`)
	b.Shot(t, "integrations.png")

	// A user: no page, no control, and the server refuses.
	carol := w.browser(t, 1280, 900)
	signIn(t, carol, w, tt.Carol+"@example.test", tt.Password)
	if nav := navLinks(t, carol); slices.Contains(nav, "Integrations") || !slices.Contains(nav, "Summaries") {
		t.Fatalf("Carol's navigation: %v", nav)
	}
	open(t, carol, w, "integrations")
	if exists(t, carol, "#new-webhook") || exists(t, carol, "#webhooks") {
		t.Fatalf("Carol sees the integrations page")
	}
	carolToken, _ := w.login(t, tt.Carol+"@example.test", tt.Password)
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/webhooks/records", carolToken,
		map[string]any{"org": tt.Acme, "name": "Mine", "url": rcv.URL, "events": []string{"member.joined"}}, nil); st < 400 || st >= 500 {
		t.Fatalf("Carol's webhook answered %d, want a refusal", st)
	}

	open(t, carol, w, "summaries")
	carol.Do(t, "choose weekly summaries",
		chromedp.SetValue(chromedp.CSS(`#summary-emails`), "weekly"),
		chromedp.Click(chromedp.CSS(`#summary-choice button[type=submit]`)))
	carol.Wait(t, "saved", `document.querySelector("#status").textContent === "Saved."`)
	carol.Shot(t, "summaries.png")
	var m struct {
		SummaryEmails string `json:"summary_emails"`
	}
	tt.API(t, "GET", w.srv.URL+"/api/collections/memberships/records/"+tt.MembershipID(tt.Carol), carolToken, nil, &m)
	if m.SummaryEmails != "weekly" {
		t.Fatalf("Carol's choice on the server: %q", m.SummaryEmails)
	}
}
