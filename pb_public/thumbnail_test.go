package pbpublic_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// readable loads each URL of the JavaScript array expr into a fresh image,
// as Chromium does when it reads a shown picture's URL again, and says
// which loaded.
func readable(t *testing.T, b *bt.Browser, expr string) []bool {
	t.Helper()
	return bt.Eval[[]bool](t, b, `Promise.all(`+expr+`.map((u) => new Promise((done) => {
		const i = new Image(); i.onload = () => done(true); i.onerror = () => done(false); i.src = u; })))`)
}

// TestThumbnailsSurviveNavigation: a decrypted thumbnail's blob: URL stays
// readable as long as its picture is on the page, and is freed once the
// person has moved to another page. Freeing it as soon as the picture had
// loaded made Chromium log ERR_FILE_NOT_FOUND when it read the URL again;
// moving in the app between pages with thumbnails and back must log no
// blob: failure at all.
func TestThumbnailsSurviveNavigation(t *testing.T) {
	w := newWorld(t, matrixFixture)
	alice, _ := w.login(t, tt.Alice+"@example.test", tt.Password)
	starts := slotsOfOneDay(0, 1, 2)
	for _, s := range starts {
		w.track(t, alice, tt.Alice, tt.Acme, tt.ProjA, s, 2)
	}
	gallery := fmt.Sprintf("screenshots?user=%s&day=%s", tt.Alice, starts[0].Format("2006-01-02"))
	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	// A page is ready once its own pictures have loaded: the Screenshots
	// page's cards hold .shots too, so Me is told apart by its links.
	loaded := func(sel string) string {
		return fmt.Sprintf(`(() => { const i = [...document.querySelectorAll(%q)]; return i.length >= 6 && i.every((x) => x.complete && x.naturalWidth > 0) })()`, sel)
	}
	me := `document.querySelector("#me-links") && ` + loaded("main .shots img")
	steps := []struct{ hash, ready string }{
		{"me", me},
		{gallery, loaded("#gallery img")},
		{"team", `document.querySelector("main h1")?.textContent === "Team dashboard"`},
		{"me", me},
		{"profile", `document.querySelector("main h1")?.textContent === "Your profile"`},
		{gallery, loaded("#gallery img")},
		{"me", me},
	}
	open(t, b, w, "me")
	for round := range 2 {
		for _, s := range steps {
			b.Do(t, "go to "+s.hash, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = "#/%s"`, s.hash)))
			b.Wait(t, fmt.Sprintf("%s shown with its pictures (round %d)", s.hash, round+1), s.ready)
			time.Sleep(300 * time.Millisecond) // a look at the page
		}
	}
	// On Me now: its pictures' URLs are read again.
	b.Do(t, "note Me's pictures", chromedp.Evaluate[chromedp.Void](`window.shown = [...document.querySelectorAll("main .shots img")].map((i) => i.src)`))
	if got := readable(t, b, "window.shown"); len(got) != 6 || slices.Contains(got, false) {
		t.Errorf("Me's shown pictures read again: %v, want all 6 readable", got)
	}
	var blobs []string
	for _, f := range append(b.Failed(), b.Errors()...) {
		if strings.Contains(f, "blob:") {
			blobs = append(blobs, f)
		}
	}
	if len(blobs) > 0 {
		t.Errorf("Chromium failed to read pictures: %q", blobs)
	}

	// Once the person has left Me, its pictures' bytes are freed.
	b.Do(t, "go to Profile", chromedp.Evaluate[chromedp.Void](`location.hash = "#/profile"`))
	b.Wait(t, "Profile", `document.querySelector("main h1")?.textContent === "Your profile"`)
	time.Sleep(1500 * time.Millisecond)
	if got := readable(t, b, "window.shown"); slices.Contains(got, true) {
		t.Errorf("Me's pictures still readable after leaving it: %v", got)
	}
}
