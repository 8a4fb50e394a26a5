package pbpublic_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	"github.com/tock-app/tock/internal/steady"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// steadyWorld serves a steady-state history of shape (8 hours a day of
// 10-minute slots, three screenshots and two apps each; see internal/steady).
func steadyWorld(t *testing.T, shape steady.Shape) *world {
	return newWorld(t, steadySeed(shape))
}

func steadySeed(shape steady.Shape) func(*testing.T) *tt.Fixture {
	return func(t *testing.T) *tt.Fixture {
		fx, err := steady.Fixture(shape, "")
		if err != nil {
			t.Fatal(err)
		}
		return fx
	}
}

// load is one page load, in milliseconds from its start: the page's HTML
// parsed (in the browser's own share: the same for a bare page), the app
// started (its first API request), the last API response before the page
// was shown, the app's view put in the page (its tock:page-shown mark), and
// the page ready (the first animation frame in which the test's condition
// held: the frame that draws it) and painted (that frame laid out and
// painted: what a person sees); and how many requests reached the server.
type load struct {
	Parsed, Started, DataIn, Shown, Ready, Painted float64
	Requests                                       int
}

// loadPhases reads them from the page's Performance API entries.
const loadPhases = `(() => {
  const nav = performance.getEntriesByType("navigation")[0], ready = window.tockReady ?? performance.now();
  const shown = performance.getEntriesByName("tock:page-shown")[0];
  const res = performance.getEntriesByType("resource").filter((r) => r.startTime < ready);
  // The page's data: requests sent before its view was put in (not the thumbnails it then asks for).
  const api = res.filter((r) => new URL(r.name).pathname.startsWith("/api/") && r.startTime < (shown ? shown.startTime : ready));
  return { Painted: window.tockPainted ?? 0, Parsed: nav.domInteractive, Started: Math.min(...api.map((r) => r.startTime)),
    DataIn: Math.max(...api.map((r) => r.responseEnd)), Shown: shown ? shown.startTime : 0, Ready: ready,
    Requests: 1 + res.filter((r) => r.transferSize > 0).length };
})()`

// tab is where a page load begins. In a new tab (or one on another site)
// the browser first starts a process for Tock's pages, as it does for the
// bare page: on this 2-core machine that is most of a load. In a tab
// already on Tock (reloaded, or the address typed again) it has one.
type tab int

const (
	newTab tab = iota
	sameTab
)

// loadTime opens the page at address afresh in tab and returns its load
// once ready (a JavaScript condition) holds. The page itself, from its
// start, tests the condition at each animation frame and notes the first in
// which it held: the frame that paints it. (The test's own polling began
// only once the page had a heading, a round trip later, and noted a frame
// or two late.)
func loadTime(t *testing.T, b *bt.Browser, w *world, in tab, address, ready string) load {
	t.Helper()
	note := `(() => {
  const look = () => {
    try {
      if (` + ready + `) {
        window.tockReady = performance.now();
        // A task queued now runs once this frame is laid out and painted.
        return void setTimeout(() => { window.tockPainted = performance.now(); });
      }
    } catch {}
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();`
	var script page.ScriptIdentifier
	b.Do(t, "note when "+address+" is ready", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		r, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: note})
		script = r.Identifier
		return chromedp.Void{}, err
	})
	if in == newTab {
		b.Do(t, "open "+address+" in a new tab", chromedp.Navigate("about:blank"), chromedp.Navigate(w.srv.URL+"/#/"+address))
	} else {
		if at := bt.Eval[string](t, b, "location.hash"); at != "#/"+address {
			t.Fatalf("reload %s: the tab shows %s", address, at)
		}
		b.Do(t, "reload "+address, chromedp.Reload())
	}
	b.Wait(t, address, "window.tockPainted")
	b.Do(t, "stop noting", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.RemoveScriptToEvaluateOnNewDocument, page.RemoveScriptToEvaluateOnNewDocumentParams{Identifier: script})
		return chromedp.Void{}, err
	})
	l := bt.Eval[load](t, b, loadPhases)
	settle(t, b)
	return l
}

// settle waits until the page has had no answer for 300 ms: a page goes on
// after it is shown (the screenshot grid asks for some 70 thumbnails), and
// the next load measured would share the machine with that work.
func settle(t *testing.T, b *bt.Browser) {
	t.Helper()
	bt.Eval[bool](t, b, `new Promise((quiet) => {
  let seen = -1;
  const look = () => {
    const now = performance.getEntriesByType("resource").length;
    if (now === seen) return quiet(true);
    seen = now;
    setTimeout(look, 300);
  };
  look();
})`)
}

// bareLoad is the yardstick for the figures: the milliseconds the same
// browser takes to show a bare page (a text file the appliance serves: no
// script, no style), its own start-up of a page and nothing of the app's.
func bareLoad(t *testing.T, b *bt.Browser, w *world) load {
	t.Helper()
	b.Do(t, "open the bare page", chromedp.Navigate("about:blank"), chromedp.Navigate(w.srv.URL+"/vendor/README.md"))
	return bt.Eval[load](t, b, `(() => { const n = performance.getEntriesByType("navigation")[0]; return { Parsed: n.domInteractive, Ready: n.loadEventEnd, Requests: 1 } })()`)
}

// TestPageLoadTimes opens, in Chromium over loopback, the pages the charts,
// the grid and the apps report touch, with a week of 5 members' history, and
// the all-members grid of a day of 50 members, and checks each shows its
// data. It reports how long each took (targets: 0.5 s and 1 s) in a new tab
// and reloaded in the same tab, and where the time went, to
// TOCK_REPORT_DIR/webapp.txt, beside the members page and a bare page in
// the same browser as yardsticks and the load average, rather than failing
// on them: a timed test on a shared 2-core machine fails on the machine's
// load, not on the app (CI's runs put the same build's grid anywhere
// between 2.4 and 4.3 times the yardstick).
func TestPageLoadTimes(t *testing.T) {
	week := steadyWorld(t, steady.Shape{Members: 5, Days: 7})
	yesterday := steady.Day(time.Now(), 0).Format("2006-01-02")
	monday := steady.Day(time.Now(), 6).Format("2006-01-02")
	b := week.browser(t, 1280, 900)
	signIn(t, b, week, steady.Member(0)+"@example.test", tt.Password)
	pages := []struct{ page, ready string }{
		{"me?day=" + yesterday, `document.querySelector("#me-hours") && document.querySelector("#me-apps")`},
		{"team?day=" + yesterday, `document.querySelector("#team-timeline") && document.querySelector("#team-hours")`},
		{"reports?group=member,day&from=" + monday + "&to=" + yesterday, `document.querySelector("#report-chart")`},
		{"apps?from=" + monday + "&to=" + yesterday, `document.querySelector("#apps-report")`},
		{"screenshots?user=" + steady.Member(2) + "&day=" + yesterday, `document.querySelectorAll("#gallery .slot").length === 48`},
	}
	// Each page is loaded three times in a new tab, then reloaded three
	// times in it; the bare page, measured after, is the yardstick.
	report := func(what string, w *world, b *bt.Browser, address, ready string) {
		fresh := median(func() load { return loadTime(t, b, w, newTab, address, ready) })
		again := median(func() load { return loadTime(t, b, w, sameTab, address, ready) })
		bare := median(func() load { return bareLoad(t, b, w) })
		tt.Report(t, "webapp.txt", fmt.Sprintf("web app: %s ready %.0f ms after the page load in a new tab began, painted at %.0f (HTML parsed %.0f, app's first request %.0f, last data %.0f, view in the page %.0f; %d requests reached the server; %.1fx the bare page's %.0f ms); reloaded in the same tab: ready %.0f ms, painted at %.0f (HTML parsed %.0f, %d requests); median of 3; load average %s",
			what, fresh.Ready, fresh.Painted, fresh.Parsed, fresh.Started, fresh.DataIn, fresh.Shown, fresh.Requests, fresh.Ready/bare.Ready, bare.Ready,
			again.Ready, again.Painted, again.Parsed, again.Requests, loadAverage()))
	}
	report("members page", week, b, "members", `document.querySelector("#invite-form")`)
	for _, p := range pages {
		report(p.page+" (5 members, a week of history)", week, b, p.page, p.ready)
	}

	day := anotherWorld(t, tt.FreeAddr(t), steadySeed(steady.Shape{Members: 50, Days: 1}))
	b = day.browser(t, 1280, 900)
	signIn(t, b, day, steady.Member(0)+"@example.test", tt.Password)
	report("screenshot grid of all 50 members' day (2400 slots)", day, b, "screenshots?user=all&day="+yesterday,
		`document.querySelectorAll("#gallery-all .member-row").length === 50 && document.querySelectorAll("#gallery-all .mini").length === 2400`)
}

// loadAverage is the machine's one-minute load, which the figures depend on.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}

// median runs f three times and returns the load whose Ready is the middle one.
func median(f func() load) load {
	runs := []load{f(), f(), f()}
	sort.Slice(runs, func(i, j int) bool { return runs[i].Ready < runs[j].Ready })
	return runs[1]
}
