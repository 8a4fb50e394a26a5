package pbpublic_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// subscriptions counts the realtime listeners of the page's PocketBase
// client (the app's own, read from its session module): the pages subscribe
// through it, and it drops the server connection when none are left.
const subscriptions = `Object.values(window.tockPB.realtime.subscriptions).reduce((n, l) => n + l.length, 0)`

// tapClient makes the app's PocketBase client readable as window.tockPB.
func tapClient(t *testing.T, b *bt.Browser) {
	t.Helper()
	bt.Eval[bool](t, b, `import("/js/api.js").then((m) => { window.tockPB = m.pb; return true })`)
}

// TestPagesUnsubscribe: each page that follows realtime events subscribes
// to what it lists and, once the person goes to another page, to nothing
// (the client disconnects, so the server holds no subscriber for it); going
// from one live page to another leaves only the second's. Signing out while
// a live page is still subscribing leaves nothing behind either.
func TestPagesUnsubscribe(t *testing.T) {
	w := newWorld(t, matrixFixture)
	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	live := []struct {
		page string
		subs int
	}{{"team", 2}, {"timesheets", 1}, {"screenshots", 1}, {"members", 1}, {"audit", 2}}
	for _, l := range live {
		open(t, b, w, l.page)
		tapClient(t, b)
		b.Wait(t, l.page+" subscribed", fmt.Sprintf(`%s === %d && window.tockPB.realtime.isConnected`, subscriptions, l.subs))
		b.Do(t, "go to Profile", chromedp.Evaluate[chromedp.Void](`location.hash = "#/profile"`))
		b.Wait(t, "Profile", `document.querySelector("main h1")?.textContent === "Your profile"`)
		unsubscribed(t, b, l.page)
	}

	open(t, b, w, "team")
	tapClient(t, b)
	b.Wait(t, "team subscribed", subscriptions+` === 2`)
	b.Do(t, "go to Timesheets", chromedp.Evaluate[chromedp.Void](`location.hash = "#/timesheets"`))
	b.Wait(t, "Timesheets", `document.querySelector("main h1")?.textContent === "Timesheets"`)
	time.Sleep(time.Second)
	if n := bt.Eval[int](t, b, subscriptions); n != 1 {
		t.Errorf("after Team, Timesheets holds %d subscriptions, want its 1", n)
	}

	// Sign out the moment Team is drawn, while it is still subscribing.
	open(t, b, w, "profile")
	tapClient(t, b)
	b.Do(t, "open Team and sign out as soon as it shows", chromedp.Evaluate[chromedp.Void](`(() => {
		const seen = new MutationObserver(() => {
			if (document.querySelector("main h1")?.textContent !== "Team dashboard") return;
			seen.disconnect();
			[...document.querySelectorAll("#side button")].find((x) => x.textContent === "Sign out").click();
		});
		seen.observe(document.getElementById("view"), { childList: true, subtree: true });
		location.hash = "#/team";
	})()`))
	b.Wait(t, "the sign-in page", `document.querySelector("input[name=password]")`)
	time.Sleep(2 * time.Second) // any subscription still under way has landed
	if n := bt.Eval[int](t, b, subscriptions); n != 0 {
		t.Errorf("signed out from Team while it subscribed: %d subscriptions left", n)
	}
}

// unsubscribed waits a while for the page's client to hold no subscription
// and no connection, and fails the test with what it still holds.
func unsubscribed(t *testing.T, b *bt.Browser, after string) {
	t.Helper()
	for range 50 {
		if bt.Eval[bool](t, b, subscriptions+` === 0 && !window.tockPB.realtime.eventSource`) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("after leaving %s the page still holds %v", after,
		bt.Eval[[]string](t, b, `Object.entries(window.tockPB.realtime.subscriptions).map(([k, l]) => k + " x" + l.length).concat(window.tockPB.realtime.eventSource ? ["connected"] : [])`))
}
