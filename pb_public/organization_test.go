package pbpublic_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestOrganizationPage: the owner sets the plan, turns a module off and
// moves a project (with an encrypted screenshot) to the other organization
// she owns, each checked on the server; a plain user sees none of those
// controls, is refused by the server, and leaves the organization.
func TestOrganizationPage(t *testing.T) {
	w := newWorld(t, matrixFixture)
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	walt, _ := w.login(t, tt.Walt+"@example.test", tt.Password)
	carol, _ := w.login(t, tt.Carol+"@example.test", tt.Password)
	w.track(t, walt, tt.Walt, tt.Acme, tt.ProjB, slot(1), 1)
	var shots struct {
		Items []struct{ ID string }
	}
	// The seed's own screenshot in B has no real envelope (key "k1").
	tt.API(t, "GET", w.srv.URL+"/api/collections/screenshots/records?filter="+
		url.QueryEscape(fmt.Sprintf(`project="%s" && key_id!="k1"`, tt.ProjB)), alice, nil, &shots)
	if len(shots.Items) != 1 {
		t.Fatalf("Walt's uploaded screenshot in B: %v", shots.Items)
	}

	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	open(t, b, w, "organization")
	b.Wait(t, "billing", `document.querySelector("#seats-used")?.textContent.startsWith("9")`)
	if u := unnamedControls(t, b); len(u) > 0 {
		t.Errorf("controls without an accessible name: %v", u)
	}
	b.Do(t, "set nine seats",
		chromedp.SetValue(chromedp.CSS(`#plan input[name=seat_limit]`), "9"),
		chromedp.Click(chromedp.CSS(`#plan button`)))
	b.Wait(t, "the plan saved", `document.querySelector("#seats-used")?.textContent === "9 of 9"`)
	b.Do(t, "turn payroll off",
		chromedp.Click(chromedp.CSS(`#features input[name=feature_payroll]`)),
		chromedp.Click(chromedp.CSS(`#features button`)))
	b.Wait(t, "saved", `document.querySelector("#status")?.textContent === "Features saved."`)
	var org struct {
		SeatLimit      int  `json:"seat_limit"`
		FeaturePayroll bool `json:"feature_payroll"`
		FeatureInvoice bool `json:"feature_invoices"`
	}
	tt.API(t, "GET", w.srv.URL+"/api/collections/organizations/records/"+tt.Acme, alice, nil, &org)
	if org.SeatLimit != 9 || org.FeaturePayroll || !org.FeatureInvoice {
		t.Errorf("on the server: %+v", org)
	}
	// The seat limit holds: no tenth member.
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/memberships/records", alice,
		map[string]any{"org": tt.Acme, "user": tt.Erin, "role": "user"}, nil); st != 409 {
		t.Errorf("a tenth member past nine seats: %d", st)
	}
	b.Shot(t, "organization-owner.png")
	// The app follows the switch: Money keeps its invoices, loses payroll.
	open(t, b, w, "money")
	b.Wait(t, "the invoices", `document.querySelector("#client-invoice-form")`)
	if exists(t, b, "#payroll-form") {
		t.Error("payroll is switched off, yet the Money page offers to run it")
	}

	open(t, b, w, "projects/"+tt.ProjB)
	b.Wait(t, "the transfer form", `document.querySelector("#transfer-project select[name=org]")`)
	b.Do(t, "move B to Initech",
		chromedp.SetValue(chromedp.CSS(`#transfer-project select[name=org]`), tt.Initech),
		chromedp.Click(chromedp.CSS(`#transfer-project button`)))
	b.Wait(t, "moved", `document.querySelector("#status")?.textContent.startsWith("Project moved")`)
	var proj struct{ Org string }
	tt.API(t, "GET", w.srv.URL+"/api/collections/projects/records/"+tt.ProjB, alice, nil, &proj)
	if proj.Org != tt.Initech {
		t.Fatalf("project B is in %q on the server", proj.Org)
	}
	// The screenshot, re-sealed for Initech, still opens.
	if st := bt.Eval[int](t, b, fmt.Sprintf(`fetch("/api/tock/screenshots/%s/thumb", {headers: {Authorization: JSON.parse(localStorage.pocketbase_auth).token}}).then(r => r.status)`, shots.Items[0].ID)); st != 200 {
		t.Errorf("the moved screenshot answered %d", st)
	}

	c := w.browser(t, 1280, 900)
	signIn(t, c, w, tt.Carol+"@example.test", tt.Password)
	open(t, c, w, "organization")
	c.Wait(t, "the leave control", `document.querySelector("#leave-start")`)
	for _, sel := range []string{"#billing", "#features", "#org-status", "#plan"} {
		if exists(t, c, sel) {
			t.Errorf("a user sees %s", sel)
		}
	}
	if st := tt.API(t, "GET", w.srv.URL+"/api/tock/orgs/"+tt.Acme+"/billing", carol, nil, nil); st != 403 {
		t.Errorf("billing for a user: %d", st)
	}
	if st := tt.API(t, "PATCH", w.srv.URL+"/api/collections/organizations/records/"+tt.Acme, carol, map[string]any{"feature_payroll": true}, nil); st < 400 {
		t.Errorf("a user turned a module on: %d", st)
	}
	c.Do(t, "leave", chromedp.Click(chromedp.CSS(`#leave-start`)), chromedp.Click(chromedp.CSS(`#leave-confirm`)))
	c.Wait(t, "left", `location.hash === "#/orgs/new"`)
	if n := w.count(t, alice, "memberships", fmt.Sprintf(`user="%s" && org="%s"`, tt.Carol, tt.Acme)); n != 0 {
		t.Errorf("Carol is still a member on the server")
	}
}
