package pbpublic_test

import (
	"fmt"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestFieldWork: a manager adds a job site and a work order with a job for
// Walt; Walt marks it done; the points his phone uploads show as his visit
// to the site. Carol, a plain user, gets none of the managing controls and
// the server refuses her.
func TestFieldWork(t *testing.T) {
	w := newWorld(t, matrixFixture)
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	const lat, lng = 48.137154, 11.576124 // Marienplatz, Munich

	bob := w.browser(t, 1280, 900)
	signIn(t, bob, w, tt.Bob+"@example.test", tt.Password)
	open(t, bob, w, "jobsites")
	bob.Do(t, "add a job site",
		chromedp.SendKeys(chromedp.CSS(`#new-site input[name=name]`), "Depot"),
		chromedp.SendKeys(chromedp.CSS(`#new-site input[name=address]`), "Marienplatz 1"),
		chromedp.SetValue(chromedp.CSS(`#new-site input[name=lat]`), fmt.Sprint(lat)),
		chromedp.SetValue(chromedp.CSS(`#new-site input[name=lng]`), fmt.Sprint(lng)),
		chromedp.SetValue(chromedp.CSS(`#new-site input[name=radius_m]`), "150"),
		chromedp.Click(chromedp.CSS(`#new-site button[type=submit]`)))
	bob.Wait(t, "the site listed", `document.querySelector("#job-sites")?.textContent.includes("Depot")`)
	var sites struct{ Items []struct{ ID string } }
	tt.API(t, "GET", w.srv.URL+"/api/collections/job_sites/records?filter="+url.QueryEscape(`name="Depot" && radius_m=150`), alice, nil, &sites)
	if len(sites.Items) != 1 {
		t.Fatalf("%d job sites named Depot on the server", len(sites.Items))
	}
	site := sites.Items[0].ID
	if u := unnamedControls(t, bob); len(u) > 0 {
		t.Errorf("controls without an accessible name: %v", u)
	}

	open(t, bob, w, "workorders")
	bob.Do(t, "create a work order",
		chromedp.SendKeys(chromedp.CSS(`#new-work-order input[name=title]`), "Replace the door"),
		chromedp.Click(chromedp.CSS(`#new-work-order button[type=submit]`)))
	bob.Wait(t, "the order listed", `document.querySelector("#work-orders")?.textContent.includes("Replace the door")`)
	var orders struct{ Items []struct{ ID string } }
	tt.API(t, "GET", w.srv.URL+"/api/collections/work_orders/records?filter="+url.QueryEscape(`title="Replace the door"`), alice, nil, &orders)
	if len(orders.Items) != 1 {
		t.Fatalf("%d work orders on the server", len(orders.Items))
	}
	order := orders.Items[0].ID
	form := fmt.Sprintf("#new-job-%s", order)
	bob.Do(t, "give Walt a job at the depot",
		chromedp.SetValue(chromedp.CSS(form+` select[name=assignee]`), tt.Walt),
		chromedp.SetValue(chromedp.CSS(form+` select[name=job_site]`), site),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)))
	bob.Wait(t, "the job listed", fmt.Sprintf(`document.querySelector('[data-order=%q] tr[data-job]')`, order))
	if u := unnamedControls(t, bob); len(u) > 0 {
		t.Errorf("controls without an accessible name: %v", u)
	}
	var jobs struct{ Items []struct{ ID, Status string } }
	tt.API(t, "GET", w.srv.URL+"/api/collections/jobs/records?filter="+url.QueryEscape(fmt.Sprintf(`work_order=%q && assignee=%q && job_site=%q`, order, tt.Walt, site)), alice, nil, &jobs)
	if len(jobs.Items) != 1 || jobs.Items[0].Status != "scheduled" {
		t.Fatalf("Walt's job on the server: %+v", jobs.Items)
	}
	job := jobs.Items[0].ID

	walt := w.browser(t, 1280, 900)
	signIn(t, walt, w, tt.Walt+"@example.test", tt.Password)
	open(t, walt, w, "workorders")
	walt.Wait(t, "his job", fmt.Sprintf(`document.querySelector('tr[data-job=%q] .mark-done')`, job))
	if exists(t, walt, "#new-work-order") || exists(t, walt, "form[id^=new-job-]") {
		t.Error("Walt is shown controls to create work orders or jobs")
	}
	walt.Do(t, "mark it done", chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-job=%q] .mark-done`, job))))
	walt.Wait(t, "done", fmt.Sprintf(`document.querySelector('tr[data-job=%q] .job-status')?.textContent === "Done"`, job))
	tt.API(t, "GET", w.srv.URL+"/api/collections/jobs/records?filter="+url.QueryEscape(fmt.Sprintf(`id=%q`, job)), alice, nil, &jobs)
	if len(jobs.Items) != 1 || jobs.Items[0].Status != "done" {
		t.Fatalf("the job on the server after Walt marked it done: %+v", jobs.Items)
	}

	// Walt's phone: 20 minutes at the depot, then 300 m away.
	waltToken, _ := w.login(t, tt.Walt+"@example.test", tt.Password)
	// Yesterday at 10:00 UTC: the visit and its points lie in one day and
	// one week whatever the hour the test runs at.
	arrive := time.Now().UTC().Truncate(24 * time.Hour).Add(-14 * time.Hour)
	north := func(m float64) float64 { return lat + m/6371008.8*180/math.Pi }
	var points []map[string]any
	for i, p := range []struct {
		min   int
		north float64
	}{{0, 20}, {10, 40}, {20, -30}, {25, 300}} {
		points = append(points, map[string]any{
			"client_id": fmt.Sprintf("phone-%d", i), "recorded_at": arrive.Add(time.Duration(p.min) * time.Minute),
			"lat": north(p.north), "lng": lng, "accuracy_m": 12,
		})
	}
	var stored struct{ Stored int }
	if st := tt.API(t, "POST", w.srv.URL+"/api/tock/orgs/"+tt.Acme+"/locations", waltToken, map[string]any{"points": points}, &stored); st != 200 || stored.Stored != 4 {
		t.Fatalf("upload of Walt's points: %d, stored %d", st, stored.Stored)
	}
	from, to := arrive.Format(time.DateOnly), time.Now().UTC().Format(time.DateOnly) // the organization is in UTC
	open(t, bob, w, fmt.Sprintf("jobsites?site=%s&from=%s&to=%s", site, from, to))
	bob.Wait(t, "Walt's visit", fmt.Sprintf(`document.querySelector('#visits tr[data-user=%q]')`, tt.Walt))
	if got := bt.Eval[string](t, bob, fmt.Sprintf(`document.querySelector('#visits tr[data-user=%q] td:nth-child(5)').textContent`, tt.Walt)); got != "0:20" {
		t.Errorf("Walt's time on site %q, want 0:20", got)
	}
	bob.Shot(t, "job-site-visits.png")
	open(t, bob, w, "locations?week="+from)
	bob.Wait(t, "Walt's locations", fmt.Sprintf(`document.querySelector('#locations tr[data-user=%q]')?.textContent.includes("4 points")`, tt.Walt))

	// Carol sees the site but none of the managing controls, nor Walt's visit.
	carol := w.browser(t, 1280, 900)
	signIn(t, carol, w, tt.Carol+"@example.test", tt.Password)
	open(t, carol, w, fmt.Sprintf("jobsites?site=%s&from=%s&to=%s", site, from, to))
	carol.Wait(t, "the sites and no visits", `document.querySelector("#job-sites") && document.querySelector("#no-visits")`)
	for _, sel := range []string{"#new-site", `button[aria-label^="Remove job site"]`, `button[aria-label^="Edit job site"]`} {
		if exists(t, carol, sel) {
			t.Errorf("Carol is shown %s", sel)
		}
	}
	open(t, carol, w, "workorders")
	if exists(t, carol, "#new-work-order") || exists(t, carol, "form[id^=new-job-]") {
		t.Error("Carol is shown controls to create work orders or jobs")
	}
	carolToken, _ := w.login(t, tt.Carol+"@example.test", tt.Password)
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/job_sites/records", carolToken,
		map[string]any{"org": tt.Acme, "name": "Mine", "lat": 1, "lng": 1, "radius_m": 100}, nil); st < 400 || st >= 500 {
		t.Errorf("Carol adding a job site answered %d, want a 4xx", st)
	}
	if st := tt.API(t, "POST", w.srv.URL+"/api/tock/jobs/"+job+"/status", carolToken, map[string]any{"status": "in_progress"}, nil); st != 404 {
		t.Errorf("Carol changing Walt's job answered %d, want 404", st)
	}
}
