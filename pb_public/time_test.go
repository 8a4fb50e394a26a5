package pbpublic_test

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tock-app/tock/ingest"
	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestTimeWorkflow is a manager's week with a member, in the browser: the
// member requests manual time, the manager approves it, the member submits
// the week and the manager approves it (locking it), the manager sets a
// daily limit that the upload protocol enforces, and the CSV report adds up
// to the timesheet.
func TestTimeWorkflow(t *testing.T) {
	w := newWorld(t, matrixFixture)
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	if st := tt.API(t, "PATCH", w.srv.URL+"/api/collections/organizations/records/"+tt.Acme, alice,
		map[string]any{"manual_time": "approval", "timesheet_approvals": true}, nil); st != 200 {
		t.Fatalf("turn on manual-time and timesheet approvals: %d", st)
	}
	// A past day of this week (or last week's Sunday on a Monday), so manual time isn't in the future.
	now := time.Now().UTC()
	day := now.AddDate(0, 0, -1)
	if now.Weekday() != time.Monday {
		day = now.AddDate(0, 0, -int((now.Weekday()+6)%7))
	}
	dayS := day.Format("2006-01-02")
	week := day.AddDate(0, 0, -int((day.Weekday()+6)%7)).Format("2006-01-02")

	carol := w.browser(t, 1280, 900)
	signIn(t, carol, w, tt.Carol+"@example.test", tt.Password)
	open(t, carol, w, "timesheets?week="+week)
	carol.Wait(t, "the manual-time form", `document.querySelector("#manual-time")`)
	carol.Do(t, "request an hour",
		chromedp.SetValue(chromedp.CSS(`#manual-time input[name=day]`), dayS),
		chromedp.SetValue(chromedp.CSS(`#manual-time input[name=from]`), "09:00"),
		chromedp.SetValue(chromedp.CSS(`#manual-time input[name=to]`), "10:00"),
		chromedp.SendKeys(chromedp.CSS(`#manual-time input[name=note]`), "Client call"),
		chromedp.Click(chromedp.CSS(`#manual-time button`)))
	carol.Wait(t, "the request listed", `document.querySelector("#time-requests")?.textContent.includes("Client call")`)

	bob := w.browser(t, 1280, 900)
	signIn(t, bob, w, tt.Bob+"@example.test", tt.Password)
	open(t, bob, w, fmt.Sprintf("timesheets?user=%s&week=%s", tt.Carol, week))
	bob.Wait(t, "Carol's request", `document.querySelector("#time-requests")?.textContent.includes("Client call")`)
	bob.Do(t, "approve it", chromedp.Click(chromedp.CSS(`#time-requests button`)))
	bob.Wait(t, "Carol's hour in the timesheet", `document.querySelector("#timesheet tfoot")?.textContent.includes("1:00")`)
	manual := w.count(t, alice, "activities", fmt.Sprintf(`user="%s" && source="manual"`, tt.Carol))
	if manual != 6 {
		t.Errorf("%d manual slots on the server, want 6 (one hour)", manual)
	}

	// A daily limit set on the Members page binds the upload protocol.
	open(t, bob, w, "members")
	bob.Do(t, "limit Carol to 2 h a day", chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`tr[data-user=%q] input[name=daily_limit_hours]`, tt.Carol)), "2"))
	bob.Wait(t, "saved", `document.querySelector("#status").textContent === "Limit saved."`)
	carolToken, _ := w.login(t, tt.Carol+"@example.test", tt.Password)
	var used int
	// The agent uploads an afternoon of that day: with the manual hour, only
	// six slots of 10 minutes fit under 2 hours.
	for i := 0; i < 8; i++ {
		start := time.Date(day.Year(), day.Month(), day.Day(), 13, 10*i, 0, 0, time.UTC)
		act := ingest.Activity{ClientID: fmt.Sprintf("limit-%d-%d", start.Unix(), i), Org: tt.Acme, Project: tt.ProjA, SlotStart: start, TrackedSeconds: 600, ActiveSeconds: 300}
		st := tt.API(t, "POST", w.srv.URL+ingest.ActivitiesRoute, carolToken, act, nil)
		if st == 409 {
			break
		}
		if st != 200 {
			t.Fatalf("upload %d: %d", i, st)
		}
		used++
	}
	if used != 6 {
		t.Errorf("%d slots of 10 minutes accepted beside an hour of manual time under a 2-hour daily limit, want 6", used)
	}

	open(t, carol, w, "timesheets?week="+week)
	carol.Do(t, "submit the week", chromedp.Click(chromedp.ID("submit-timesheet")))
	carol.Wait(t, "submitted", `document.querySelector("#approval-status")?.textContent === "submitted"`)
	open(t, bob, w, fmt.Sprintf("timesheets?user=%s&week=%s", tt.Carol, week))
	bob.Do(t, "approve the week", chromedp.Click(chromedp.ID("approve-timesheet")))
	bob.Wait(t, "approved", `document.querySelector("#approval-status")?.textContent === "approved"`)
	bob.Shot(t, "timesheet-approved.png")

	// Approved time is locked: Carol's next request for that week is refused.
	open(t, carol, w, "timesheets?week="+week)
	carol.Do(t, "try to add more",
		chromedp.SetValue(chromedp.CSS(`#manual-time input[name=day]`), dayS),
		chromedp.SetValue(chromedp.CSS(`#manual-time input[name=from]`), "11:00"),
		chromedp.SetValue(chromedp.CSS(`#manual-time input[name=to]`), "11:30"),
		chromedp.Click(chromedp.CSS(`#manual-time button`)))
	carol.Wait(t, "the refusal", `document.querySelector("#status.error")?.textContent.includes("approved")`)

	// The report's CSV adds up to the timesheet of the same week.
	open(t, bob, w, fmt.Sprintf("timesheets?user=%s&week=%s", tt.Carol, week))
	sheet := bt.Eval[string](t, bob, `document.querySelector("#timesheet tfoot th:nth-last-child(3)").textContent`)
	to := day.AddDate(0, 0, 6-int((day.Weekday()+6)%7)).Format("2006-01-02")
	open(t, bob, w, fmt.Sprintf("reports?from=%s&to=%s&group=member,day&user=%s", week, to, tt.Carol))
	bob.Wait(t, "the report", `document.querySelector("#report")`)
	bob.Shot(t, "report.png")
	body := bt.Eval[string](t, bob, fmt.Sprintf(`fetch("/api/tock/orgs/%s/reports?from=%s&to=%s&group=member,day&user=%s&format=csv",
		{headers: {Authorization: JSON.parse(localStorage.pocketbase_auth).token}}).then(r => r.text())`, tt.Acme, week, to, tt.Carol))
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV report: %v\n%s", err, body)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	total := 0
	for _, r := range rows[1:] {
		n, _ := strconv.Atoi(r[col["tracked_seconds"]])
		total += n
	}
	if got := fmt.Sprintf("%d:%02d", total/3600, total%3600/60); got != sheet {
		t.Errorf("CSV report totals %s, timesheet %s", got, sheet)
	}
}
