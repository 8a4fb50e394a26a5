package pbpublic_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tock-app/tock/internal/steady"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestScreenshotsOpenedAgainAndAgain opens one member's day on the
// Screenshots page seven times in a row by its address, as a person coming
// back to the app from elsewhere does, then moves away in the app and back,
// and checks each time that the day's slots are shown. Chromium keeps a page
// left for another address frozen in its back/forward cache; each kept its
// realtime connection open, and with six of the server's six connections so
// held the seventh load never got the page. A page restored from the cache
// (Back) is shown afresh.
func TestScreenshotsOpenedAgainAndAgain(t *testing.T) {
	week := steadyWorld(t, steady.Shape{Members: 5, Days: 7})
	yesterday := steady.Day(time.Now(), 0).Format("2006-01-02")
	b := week.browser(t, 1280, 900)
	signIn(t, b, week, steady.Member(0)+"@example.test", tt.Password)
	page := "screenshots?user=" + steady.Member(2) + "&day=" + yesterday
	ready := `document.querySelectorAll("#gallery .slot").length === 48`
	for i := range 7 {
		open(t, b, week, page) // by way of about:blank: the app's page goes to the cache
		b.Wait(t, fmt.Sprintf("load %d shows the day", i+1), ready)
	}
	for i := range 3 {
		b.Do(t, "go to Team", chromedp.Evaluate[chromedp.Void](`location.hash = "#/team"`))
		b.Wait(t, "Team", `document.querySelector("main h1")?.textContent === "Team dashboard"`)
		b.Do(t, "back to Screenshots", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = "#/%s"`, page)))
		b.Wait(t, fmt.Sprintf("return %d shows the day", i+1), ready)
	}
	// Back from another address: the page, restored from the cache, is drawn again.
	b.Do(t, "mark the page drawn", chromedp.Evaluate[chromedp.Void](`document.querySelector("#gallery").dataset.old = "1"`))
	b.Do(t, "leave the app", chromedp.Navigate("about:blank"))
	b.Do(t, "come back with Back", chromedp.Evaluate[chromedp.Void](`history.back()`))
	b.Wait(t, "the page drawn afresh", `!document.querySelector("#gallery[data-old]") && `+ready)
}
