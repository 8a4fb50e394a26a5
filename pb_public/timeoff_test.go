package pbpublic_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tock-app/tock/hooks/api"
	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestTimeOffAndSchedules, in the browser: a member requests a day off, a
// manager approves it and the member's balance drops by its hours; a manager
// adds a shift and the member sees it in their week. The member sees none of
// the approvers' or planners' controls, and the server refuses them anyway.
func TestTimeOffAndSchedules(t *testing.T) {
	w := newWorld(t, matrixFixture)
	carolToken, _ := w.login(t, tt.Carol+"@example.test", tt.Password)
	balance := func() api.Balance {
		t.Helper()
		var bs api.Balances
		if st := tt.API(t, "GET", w.srv.URL+"/api/tock/orgs/"+tt.Acme+"/time_off/balances", carolToken, nil, &bs); st != 200 || len(bs.Balances) != 1 {
			t.Fatalf("Carol's balances: %d %+v", st, bs)
		}
		return bs.Balances[0]
	}
	before := balance()

	carol := w.browser(t, 1280, 900)
	signIn(t, carol, w, tt.Carol+"@example.test", tt.Password)
	open(t, carol, w, "timeoff")
	carol.Wait(t, "the request form", `document.querySelector("#time-off-form")`)
	carol.Do(t, "request a day off",
		chromedp.SetValue(chromedp.CSS(`#time-off-form input[name=start]`), "2027-01-11"),
		chromedp.SetValue(chromedp.CSS(`#time-off-form input[name=end]`), "2027-01-11"),
		chromedp.SetValue(chromedp.CSS(`#time-off-form input[name=hours]`), "8"),
		chromedp.SendKeys(chromedp.CSS(`#time-off-form input[name=reason]`), "Dentist"),
		chromedp.Click(chromedp.CSS(`#time-off-form button[type=submit]`)))
	carol.Wait(t, "the request listed as pending", `[...document.querySelectorAll("#my-time-off tr")].some(r => r.textContent.includes("2027-01-11") && r.textContent.includes("pending"))`)
	for _, sel := range []string{"#time-off-approvals", "#member-balances", "#new-time-off-policy", "#new-holiday-policy"} {
		if exists(t, carol, sel) {
			t.Errorf("a member sees %s", sel)
		}
	}
	if got := balance(); got.Pending != before.Pending+8 || got.Balance != before.Balance {
		t.Fatalf("after the request: %+v (before %+v)", got, before)
	}

	bob := w.browser(t, 1280, 900)
	signIn(t, bob, w, tt.Bob+"@example.test", tt.Password)
	open(t, bob, w, "timeoff")
	row := `[...document.querySelectorAll("#time-off-approvals tr")].find(r => r.textContent.includes("2027-01-11"))`
	bob.Wait(t, "Carol's request to approve", row)
	bob.Do(t, "approve it", chromedp.Evaluate[chromedp.Void](row+`.querySelector("button").click()`))
	bob.Wait(t, "the request no longer waiting", `!`+row+` && document.querySelector("#status").textContent === "Time off approved."`)
	if got := balance(); got.Balance != before.Balance-8 || got.Used != before.Used+8 {
		t.Fatalf("after approval the balance must drop by 8 hours: %+v (before %+v)", got, before)
	}
	open(t, carol, w, "timeoff")
	carol.Wait(t, "the lower balance shown", fmt.Sprintf(`document.querySelector("#my-balances tr[data-policy='%s'] .balance")?.textContent === %q`, tt.PolA, fmt.Sprint(before.Balance-8)))
	carol.Shot(t, "time-off.png")
	// The server refuses a member's approval of someone else's request.
	if st := tt.API(t, "POST", w.srv.URL+"/api/tock/time_off_requests/"+tt.TimeOffRequestID(tt.Walt, tt.PolA)+"/approve", carolToken, map[string]any{}, nil); st != 404 {
		t.Errorf("Carol approving Walt's request: %d, want 404", st)
	}

	// A manager adds a shift for Carol; she sees it in her week.
	open(t, bob, w, "schedules?week=2026-11-09")
	bob.Wait(t, "the shift form", `document.querySelector("#shift-form")`)
	bob.Do(t, "add Carol's shift",
		chromedp.SetValue(chromedp.CSS(`#shift-form select[name=user]`), tt.Carol),
		chromedp.SetValue(chromedp.CSS(`#shift-form select[name=project]`), tt.ProjA),
		chromedp.SetValue(chromedp.CSS(`#shift-form input[name=day]`), "2026-11-10"),
		chromedp.SetValue(chromedp.CSS(`#shift-form input[name=from]`), "10:00"),
		chromedp.SetValue(chromedp.CSS(`#shift-form input[name=to]`), "14:00"),
		chromedp.SendKeys(chromedp.CSS(`#shift-form input[name=note]`), "Front desk"),
		chromedp.Click(chromedp.CSS(`#shift-form button[type=submit]`)))
	bob.Wait(t, "the shift in the week", `document.querySelector("#week-shifts li[data-day='2026-11-10']")?.textContent.includes("Front desk")`)
	if n := w.count(t, carolToken, "schedules", `note = "Front desk"`); n != 1 {
		t.Fatalf("Carol lists %d shifts noted Front desk, want 1", n)
	}
	open(t, carol, w, "schedules?week=2026-11-09")
	carol.Wait(t, "her shift", `document.querySelector("#week-shifts li[data-day='2026-11-10']")?.textContent.includes("10:00–14:00")`)
	carol.Shot(t, "schedules.png")
	if exists(t, carol, "#shift-form") || exists(t, carol, "#week-shifts button") {
		t.Errorf("a member sees controls to add or change shifts")
	}
	if got := bt.Eval[[]string](t, carol, `[...document.querySelectorAll("#week-shifts [data-shift]")].map(e => e.textContent)`); len(got) != 1 {
		t.Errorf("Carol sees %d shifts in the week, want only hers: %v", len(got), got)
	}
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/schedules/records", carolToken, map[string]any{
		"org": tt.Acme, "user": tt.Carol, "start": "2026-11-11 09:00:00Z", "end": "2026-11-11 17:00:00Z",
	}, nil); st != 400 && st != 403 {
		// The create rule (the second line) answers before the hooks: 400.
		t.Errorf("Carol adding a shift: %d, want a refusal", st)
	}
	if n := w.count(t, carolToken, "schedules", fmt.Sprintf(`user = %q`, tt.Carol)); n != 2 {
		t.Errorf("Carol has %d shifts, want the seeded one and Bob's", n)
	}
	// The owner's pages, every control shown, on a phone.
	phone := w.browser(t, 390, 844)
	signIn(t, phone, w, tt.Alice+"@example.test", tt.Password)
	// The owner adds a holiday; the schedules page shows it as a non-working day.
	open(t, phone, w, "timeoff")
	phone.Do(t, "add a holiday",
		chromedp.SendKeys(chromedp.CSS(`#new-holiday-policy input[name=name]`), "Company days"),
		chromedp.SendKeys(chromedp.CSS(`#new-holiday-policy textarea[name=days]`), "2026-11-03 Founders' day"),
		chromedp.Click(chromedp.CSS(`#new-holiday-policy button[type=submit]`)))
	phone.Wait(t, "the holiday listed", `document.querySelector("#holidays")?.textContent.includes("2026-11-03 Founders' day")`)
	for _, page := range []string{"timeoff", "schedules?week=2026-11-02&day=2026-11-02"} {
		open(t, phone, w, page)
		phone.Wait(t, "the page's content", `document.querySelector("#new-holiday-policy, #attendance")`)
		if wide := bt.Eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
			t.Errorf("%s scrolls sideways at 390px", page)
		}
		if got := unnamedControls(t, phone); len(got) > 0 {
			t.Errorf("%s: controls without an accessible name: %v", page, got)
		}
	}
	phone.Wait(t, "the holiday in the week", `document.querySelector("#week-shifts li[data-day='2026-11-03'].holiday")?.textContent.includes("Founders' day")`)
	open(t, phone, w, "timesheets?week=2026-11-02")
	phone.Wait(t, "the holiday in the timesheet", `document.querySelector("#timesheet th[data-day='2026-11-03'].holiday")?.textContent.includes("Founders' day")`)
	if exists(t, phone, "#timesheet th[data-day='2026-11-04'].holiday") {
		t.Error("the day after the holiday is marked as one")
	}
}
