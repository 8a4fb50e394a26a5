package pbpublic_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pocketbase/pocketbase/core"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// The charted week: the matrix seed's Monday (everyone's slot of A at 09:00,
// Walt's of B too) and two more days of Walt's, planted by weekFixture.
const (
	chartMonday = "2026-11-02"
	chartDay    = "2026-11-04" // the Wednesday the pages are asked for
)

// weekFixture is the matrix seed plus Walt's Tuesday (an hour of A and half
// an hour of B) and Wednesday (two hours of A and ten manual minutes of B),
// each agent slot 50% active with 200 s of a browser on docs.example.org.
func weekFixture(t *testing.T) *tt.Fixture {
	f, err := tt.NewFixture(func(app core.App) error {
		if err := tt.Matrix(app); err != nil {
			return err
		}
		s := &tt.Seeder{App: app}
		n := 0
		plant := func(day, project string, slots int, manual bool) {
			start, _ := time.Parse(time.DateOnly, day)
			for i := range slots {
				n++
				id := fmt.Sprintf("actweek%08d", n)
				source, active := "tracked", 300
				if manual {
					source, active = "manual", 0
				}
				s.Create(schema.Activities, id, map[string]any{
					"org": tt.Acme, "project": project, "user": tt.Walt, "slot_start": start.Add(10*time.Hour + time.Duration(i)*10*time.Minute),
					"tracked_seconds": 600, "active_seconds": active, "source": source, "client_id": id,
				})
				if !manual {
					s.Create(schema.AppUsage, fmt.Sprintf("appweek%08d", n), map[string]any{
						"org": tt.Acme, "project": project, "user": tt.Walt, "activity": id, "app": "browser",
						"title": "Docs", "url": "https://www.docs.example.org/page", "seconds": 200,
					})
				}
			}
		}
		plant("2026-11-03", tt.ProjA, 6, false)
		plant("2026-11-03", tt.ProjB, 3, false)
		plant("2026-11-04", tt.ProjA, 12, false)
		plant("2026-11-04", tt.ProjB, 1, true)
		return s.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// chartTotals reads a chart's text alternative: each bar's label and total.
func chartTotals(t *testing.T, b *bt.Browser, id string) []string {
	t.Helper()
	return bt.Eval[[]string](t, b, fmt.Sprintf(`[...document.querySelectorAll("#%s .chart-data tbody tr")]
		.map(r => r.querySelector("th").textContent + " " + r.lastElementChild.textContent)`, id))
}

func wantList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: %q, want %q", what, got, want)
	}
}

// TestChartsShowTheWeek: Me, Team and Reports chart the seeded week with the
// right totals (read from each chart's numbers table), the team's day
// timeline splits Walt's day into worked, idle and manual time, and the apps
// report lists the seeded apps and sites with their times and downloads them
// as CSV; at desktop and phone width.
func TestChartsShowTheWeek(t *testing.T) {
	w := newWorld(t, weekFixture)
	for _, size := range []struct {
		name          string
		width, height int
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			walt := w.browser(t, size.width, size.height)
			signIn(t, walt, w, tt.Walt+"@example.test", tt.Password)
			open(t, walt, w, "me?day="+chartDay)
			walt.Wait(t, "the charts", `document.querySelector("#me-hours") && document.querySelector("#me-apps")`)
			// Monday: 0:10 of A and of B; Tuesday: 1:00 + 0:30; Wednesday: 2:00 + 0:10 manual.
			wantList(t, "Walt's hours per day", chartTotals(t, walt, "me-hours"), []string{"Mon 2 0:20", "Tue 3 1:30", "Wed 4 2:10"})
			// Activity leaves manual time out: Monday's seed slots are 500/600 active.
			wantList(t, "Walt's activity per day", chartTotals(t, walt, "me-activity"), []string{"Mon 2 83%", "Tue 3 50%", "Wed 4 50%"})
			// 21 agent slots of 200 s of browser (1:10), two seed slots of 300 s of editor.
			wantList(t, "Walt's top apps", bt.Eval[[]string](t, walt, `[...document.querySelectorAll("#me-apps li")].map(li => li.innerText.replace(/\s+/g, " "))`),
				[]string{"browser 1:10", "editor 0:10"})
			walt.Shot(t, "chart-me-"+size.name+".png")
			if wide := bt.Eval[bool](t, walt, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
				t.Errorf("Me scrolls sideways at %d px", size.width)
			}

			alice := w.browser(t, size.width, size.height)
			signIn(t, alice, w, tt.Alice+"@example.test", tt.Password)
			open(t, alice, w, "team?day="+chartDay)
			alice.Wait(t, "the team's charts", `document.querySelector("#team-timeline") && document.querySelector("#team-hours")`)
			// Only Walt worked on Wednesday: 2 h with 50% input, 10 manual minutes.
			wantList(t, "the day's timeline", bt.Eval[[]string](t, alice, `[...document.querySelectorAll("#team-timeline .chart-data tbody tr")].map(r => [...r.cells].map(c => c.textContent).join(" "))`),
				[]string{tt.Walt + " 1:00 1:00 0:10"})
			if n := bt.Eval[int](t, alice, `document.querySelectorAll("#team-timeline .lanes svg rect.manual").length`); n != 1 {
				t.Errorf("%d manual segments on the timeline, want 1", n)
			}
			// Everyone's Monday: seven slots of ten minutes.
			wantList(t, "the team's hours per day", chartTotals(t, alice, "team-hours"), []string{"Mon 2 1:10", "Tue 3 1:30", "Wed 4 2:10"})
			alice.Shot(t, "chart-team-"+size.name+".png")

			open(t, alice, w, "reports?from="+chartMonday+"&to="+chartDay+"&group=project,day")
			alice.Wait(t, "the report's chart", `document.querySelector("#report-chart")`)
			wantList(t, "the report's chart by day", chartTotals(t, alice, "report-chart"), []string{chartMonday + " 1:10", "2026-11-03 1:30", chartDay + " 2:10"})
			if legend := bt.Eval[[]string](t, alice, `[...document.querySelectorAll("#report-chart .legend li")].map(li => li.textContent)`); !slices.Equal(legend, []string{"A", "B"}) {
				t.Errorf("stacked by %q, want the projects A, B", legend)
			}
			open(t, alice, w, "reports?from="+chartMonday+"&to="+chartDay+"&group=project")
			alice.Wait(t, "the report's chart", `document.querySelector("#report-chart")`)
			wantList(t, "the report's chart by project", chartTotals(t, alice, "report-chart"), []string{"A 4:00", "B 0:50"})
			alice.Shot(t, "chart-report-"+size.name+".png")

			open(t, alice, w, "apps?from="+chartMonday+"&to="+chartDay+"&by=domain")
			alice.Wait(t, "the sites", `document.querySelector("#apps-report")`)
			rows := bt.Eval[[]string](t, alice, `[...document.querySelectorAll("#apps-report tbody tr")].map(r => [...r.cells].slice(0, 4).map(c => c.textContent).join(" | "))`)
			// Walt's sites: 15 agent slots of A, 3 of B (Tuesday) at 200 s;
			// then everyone's intranet page, 300 s each (seed).
			want := []string{"docs.example.org | " + tt.Walt + " | A | 1:00", "docs.example.org | " + tt.Walt + " | B | 0:10"}
			if len(rows) != 9 || !slices.Equal(rows[:2], want) {
				t.Errorf("sites %q, want %q first and 9 rows", rows, want)
			}
			alice.Do(t, "watch downloads", chromedp.Evaluate[chromedp.Void](`window.csvText = null; { const make = URL.createObjectURL;
				URL.createObjectURL = (blob) => { blob.text().then((s) => { window.csvText = s; }); return make(blob); }; }`))
			alice.Do(t, "download the CSV", chromedp.Click(chromedp.ID("apps-csv")))
			alice.Wait(t, "the CSV", `window.csvText`)
			csv := bt.Eval[string](t, alice, `window.csvText`)
			if !strings.HasPrefix(csv, "member_id,member,project_id,project,kind,name,seconds,hours\n") ||
				!strings.Contains(csv, tt.Walt+","+tt.Walt+","+tt.ProjA+",A,domain,docs.example.org,3600,1.00") {
				t.Errorf("CSV:\n%s", csv)
			}
			alice.Shot(t, "apps-report-"+size.name+".png")
			if wide := bt.Eval[bool](t, alice, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
				t.Errorf("the apps report scrolls sideways at %d px", size.width)
			}
		})
	}
}

// TestScreenshotGrid: a member's day is hour rows of six cells with the
// slots in the right cells; the viewer steps with the arrow keys and shows
// the date; the all-members view has a row per member; thumbnails still load
// after navigating within the app (their object URLs aren't revoked early).
func TestScreenshotGrid(t *testing.T) {
	w := newWorld(t, matrixFixture)
	waltToken, _ := w.login(t, tt.Walt+"@example.test", tt.Password)
	carolToken, _ := w.login(t, tt.Carol+"@example.test", tt.Password)
	// Three slots of Walt's (two screenshots each), one of Carol's.
	starts := slotsOfOneDay(4, 2, 1)
	for _, s := range starts {
		w.track(t, waltToken, tt.Walt, tt.Acme, tt.ProjA, s, 2)
	}
	w.track(t, carolToken, tt.Carol, tt.Acme, tt.ProjA, starts[2], 1)
	day := starts[2].Format("2006-01-02")

	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	open(t, b, w, fmt.Sprintf("screenshots?user=%s&day=%s", tt.Walt, day))
	b.Wait(t, "six decrypted thumbnails", `(() => { const i = [...document.querySelectorAll("#gallery img")];
		return i.length === 6 && i.every(x => x.complete && x.naturalWidth > 0) })()`)
	var wantCells []string
	hours := map[string]bool{}
	for _, s := range starts {
		wantCells = append(wantCells, s.Format("15:04"))
		hours[s.Truncate(time.Hour).Format("15:04")] = true
	}
	cells := bt.Eval[[]string](t, b, `[...document.querySelectorAll("#gallery .cell:not(.none)")].map(c => c.dataset.minute)`)
	wantList(t, "filled cells", cells, wantCells)
	if n := bt.Eval[int](t, b, `document.querySelectorAll("#gallery .cell").length`); n != 6*len(hours) {
		t.Errorf("%d cells, want six for each of %d hours", n, len(hours))
	}
	cell := bt.Eval[string](t, b, `document.querySelector("#gallery .cell:not(.none)").innerText`)
	for _, want := range []string{"75% activity", "0:09", "A", "firefox"} {
		if !strings.Contains(cell, want) {
			t.Errorf("cell lacks %q:\n%s", want, cell)
		}
	}
	if lvl := bt.Eval[string](t, b, `document.querySelector("#gallery .cell .bar").className`); lvl != "bar high" {
		t.Errorf("a 75%% slot's bar is %q", lvl)
	}
	b.Shot(t, "grid-desktop.png")

	b.Do(t, "open the first screenshot", chromedp.Click(chromedp.CSS(`#gallery .thumb`)))
	b.Wait(t, "the full-size image", `document.querySelector("dialog[open] img")?.naturalWidth === 640`)
	when := func() string { return bt.Eval[string](t, b, `document.querySelector("#viewer-when").textContent`) }
	position := func() string { return bt.Eval[string](t, b, `document.querySelector("#viewer-position").textContent`) }
	if got, want := when(), day+" "+starts[0].Add(2*time.Minute).Format("15:04"); !strings.Contains(got, want) {
		t.Errorf("viewer says %q, want the date and time %q", got, want)
	}
	if !strings.Contains(bt.Eval[string](t, b, `document.querySelector("#viewer-apps").innerText`), "https://git.example.test/pr/7") {
		t.Error("the viewer doesn't list the slot's apps and URLs")
	}
	for i, want := range []string{"2 of 6", "3 of 6", "4 of 6"} {
		b.Do(t, "press →", chromedp.KeyEvent(kb.ArrowRight))
		b.Wait(t, want, fmt.Sprintf(`document.querySelector("#viewer-position").textContent === %q && document.querySelector("dialog[open] img").naturalWidth === 640`, want))
		if i == 1 && !strings.Contains(when(), starts[1].Add(2*time.Minute).Format("15:04")) {
			t.Errorf("third screenshot: viewer says %q", when())
		}
	}
	b.Do(t, "press ←", chromedp.KeyEvent(kb.ArrowLeft))
	b.Wait(t, "3 of 6", `document.querySelector("#viewer-position").textContent === "3 of 6"`)
	if p := position(); p != "3 of 6" {
		t.Errorf("after ← the viewer is at %q", p)
	}
	b.Shot(t, "grid-viewer.png")
	b.Do(t, "close", chromedp.Click(chromedp.ID("close-shot")))

	open(t, b, w, "screenshots?user=all&day="+day)
	b.Wait(t, "every member's row with thumbnails", `(() => { const i = [...document.querySelectorAll("#gallery-all img")];
		return i.length === 4 && i.every(x => x.complete && x.naturalWidth > 0) })()`)
	rows := bt.Eval[[]string](t, b, `[...document.querySelectorAll("#gallery-all .member-row")].map(r => r.querySelector("header a").textContent + " " + r.querySelectorAll(".mini").length)`)
	wantList(t, "member rows", rows, []string{tt.Carol + " 1", tt.Walt + " 3"})
	b.Shot(t, "grid-all-members.png")

	phone := w.browser(t, 390, 844)
	signIn(t, phone, w, tt.Walt+"@example.test", tt.Password)
	open(t, phone, w, "me")
	recent := `(() => { document.querySelector("main .shots")?.scrollIntoView(); const i = [...document.querySelectorAll("main .shots img")];
		return i.length === 6 && i.every(x => x.naturalWidth > 0) })()`
	phone.Wait(t, "recent thumbnails", recent)
	// In-app navigation away and back, as clicking the links does.
	phone.Do(t, "go to the screenshots", chromedp.Evaluate[chromedp.Void](`location.hash = "#/screenshots?day=`+day+`"`))
	phone.Wait(t, "the grid", `document.querySelector("#gallery") && [...document.querySelectorAll("#gallery img")].slice(0, 3).every(x => x.naturalWidth > 0)`)
	phone.Shot(t, "grid-phone.png")
	phone.Do(t, "back to Me", chromedp.Evaluate[chromedp.Void](`history.back()`))
	phone.Wait(t, "recent thumbnails again", recent)
	phone.Do(t, "and forward", chromedp.Evaluate[chromedp.Void](`history.forward()`))
	phone.Wait(t, "the grid again", `document.querySelector("#gallery") && [...document.querySelectorAll("#gallery img")].slice(0, 3).every(x => x.naturalWidth > 0)`)
	time.Sleep(300 * time.Millisecond)
	for _, f := range phone.Failed() {
		if strings.HasPrefix(f, "blob:") {
			t.Errorf("failed load of a thumbnail: %s", f)
		}
	}
	if wide := bt.Eval[bool](t, phone, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
		t.Errorf("the grid scrolls sideways at 390 px")
	}
}
