package pbpublic_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestTimesheetCellEditsInPlace: the owner opens a cell of Walt's week,
// edits the manual block in place (another project and a later end) and
// sees the week's cells and totals follow; a wrong time is refused with the
// server's words in the form, changing nothing. A project viewer (no "Add/
// Edit/Delete Time") gets no Edit, and the server refuses the same change.
func TestTimesheetCellEditsInPlace(t *testing.T) {
	w := newWorld(t, matrixFixture)
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	day := tt.Slot.Truncate(24 * time.Hour) // Walt's seeded slot in A is at 09:00 of that day
	if st := tt.API(t, "POST", w.srv.URL+"/api/tock/orgs/"+tt.Acme+"/time", alice, map[string]any{
		"user": tt.Walt, "project": tt.ProjA, "start": day.Add(10 * time.Hour), "end": day.Add(10*time.Hour + 30*time.Minute)}, nil); st != 200 {
		t.Fatalf("add manual time: %d", st)
	}
	page := fmt.Sprintf("timesheets?user=%s&week=%s", tt.Walt, day.Format("2006-01-02"))
	cellOf := func(project string) string {
		return fmt.Sprintf(`[...document.querySelectorAll("#timesheet tbody tr")].find(r => r.cells[1].textContent === %q)?.querySelector('button.cell[data-day=%q]')`, project, day.Format("2006-01-02"))
	}
	weekTotal := `document.querySelector("#timesheet tfoot th:nth-last-child(3)").textContent`
	manualRow := `#entries tr[data-source=manual]`

	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	open(t, b, w, page)
	if got := bt.Eval[string](t, b, cellOf("A")+`.textContent + " " + `+cellOf("B")+`.textContent + " " + `+weekTotal); got != "0:40 0:10 0:50" {
		t.Fatalf("before: cells A and B, week total %q", got)
	}
	b.Do(t, "open Walt's day in A", chromedp.Evaluate[chromedp.Void](cellOf("A")+`.click()`))
	b.Wait(t, "the manual block's Edit", `document.querySelector("`+manualRow+` button.edit")`)
	b.Do(t, "edit it", chromedp.Click(chromedp.CSS(manualRow+` button.edit`)))
	b.Wait(t, "the editor", `document.querySelector("#entries tr.editor form")`)
	if got := bt.Eval[string](t, b, `[...document.querySelectorAll("#entries tr.editor input[type=time]")].map(i => i.value).join("-")`); got != "10:00-10:30" {
		t.Errorf("the editor offers %q, want the block's 10:00-10:30", got)
	}

	// A wrong time: the server's words in the form, nothing changed.
	b.Do(t, "end before start", chromedp.SetValue(chromedp.CSS(`#entries tr.editor input[name=to]`), "09:30"),
		chromedp.Click(chromedp.CSS(`#entries tr.editor button[type=submit]`)))
	b.Wait(t, "the refusal", `document.querySelector("#entries tr.editor .problem").textContent.includes("after start")`)
	if n := w.count(t, alice, "activities", fmt.Sprintf(`user="%s" && source="manual" && project="%s"`, tt.Walt, tt.ProjA)); n != 3 {
		t.Errorf("after a refused change Walt has %d manual slots in A, want 3", n)
	}

	b.Do(t, "move it to B, until 11:00",
		chromedp.SetValue(chromedp.CSS(`#entries tr.editor select[name=project]`), tt.ProjB),
		chromedp.SetValue(chromedp.CSS(`#entries tr.editor input[name=to]`), "11:00"),
		chromedp.Click(chromedp.CSS(`#entries tr.editor button[type=submit]`)))
	b.Wait(t, "the week redrawn", `!document.querySelector("#entries") && `+cellOf("B")+`?.textContent === "1:10"`)
	if got := bt.Eval[string](t, b, cellOf("A")+`.textContent + " " + `+weekTotal+` + " " + document.getElementById("status").textContent`); got != "0:10 1:20 Time changed to 10:00–11:00." {
		t.Errorf("after: cell A, week total and message %q", got)
	}
	if n := w.count(t, alice, "activities", fmt.Sprintf(`user="%s" && source="manual" && project="%s"`, tt.Walt, tt.ProjB)); n != 6 {
		t.Errorf("Walt has %d manual slots in B on the server, want 6", n)
	}
	b.Shot(t, "timesheet-edit.png")

	viewer := w.browser(t, 390, 844)
	signIn(t, viewer, w, tt.Vic+"@example.test", tt.Password)
	open(t, viewer, w, page)
	viewer.Do(t, "open Walt's day in A", chromedp.Evaluate[chromedp.Void](cellOf("A")+`.click()`))
	viewer.Wait(t, "the entries", `document.querySelector("#entries[open] tbody tr")`)
	if exists(t, viewer, "#entries button.edit") {
		t.Error("a project viewer is offered Edit")
	}
	ids := bt.Eval[[]string](t, b, `fetch("/api/collections/activities/records?filter=source%3D%22manual%22", {headers: {Authorization: JSON.parse(localStorage.getItem("pocketbase_auth")).token}}).then(r => r.json()).then(p => p.items.map(i => i.id))`)
	vic, _ := w.login(t, tt.Vic+"@example.test", tt.Password)
	st := tt.API(t, "POST", w.srv.URL+"/api/tock/orgs/"+tt.Acme+"/time", vic, map[string]any{
		"user": tt.Walt, "project": tt.ProjA, "start": day.Add(10 * time.Hour), "end": day.Add(10*time.Hour + 10*time.Minute), "replace": ids}, nil)
	if st != 403 || len(ids) != 6 {
		t.Errorf("a project viewer changing Walt's %d manual slots: %d, want 403", len(ids), st)
	}
	if n := w.count(t, alice, "activities", fmt.Sprintf(`user="%s" && source="manual" && project="%s"`, tt.Walt, tt.ProjB)); n != 6 {
		t.Errorf("after the viewer's refused change Walt has %d manual slots in B, want 6", n)
	}
}
