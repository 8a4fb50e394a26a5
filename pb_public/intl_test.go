package pbpublic_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// noteFirstIntl makes each new page of b note when it first makes an
// Intl.DateTimeFormat (window.tockIntlAt, ms since the page began).
func noteFirstIntl(t *testing.T, b *bt.Browser) {
	t.Helper()
	const src = `Intl.DateTimeFormat = new Proxy(Intl.DateTimeFormat, { construct(real, args) {
  window.tockIntlAt ??= performance.now();
  return Reflect.construct(real, args);
} });`
	b.Do(t, "note the first Intl.DateTimeFormat", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return chromedp.Void{}, err
	})
}

// TestTimeFormatsWarmWhileSessionLoads: Chromium's first Intl.DateTimeFormat
// in a page costs tens of milliseconds (its ICU data), the next ones well
// under one. The app makes it while the session's requests are on their way,
// so a page opened afresh sends its own requests without that pause: on
// Team, the first formatter exists before the page's first request leaves
// (it used to be made between that request and the next ones, delaying the
// day's slots and top apps).
func TestTimeFormatsWarmWhileSessionLoads(t *testing.T) {
	w := newWorld(t, matrixFixture)
	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	noteFirstIntl(t, b)
	open(t, b, w, "team?day=2026-01-05") // a day named: the page reads no clock before its requests
	b.Wait(t, "the team page", `document.querySelector("main h1")?.textContent === "Team dashboard"`)
	at := bt.Eval[[]float64](t, b, `(() => {
  const r = performance.getEntriesByType("resource").find((e) => new URL(e.name).pathname.endsWith("/dashboard/team"));
  return [window.tockIntlAt ?? -1, r ? r.startTime : -1];
})()`)
	if at[1] < 0 {
		t.Fatal("the team page sent no dashboard request")
	}
	if at[0] < 0 || at[0] > at[1] {
		t.Errorf("first Intl.DateTimeFormat at %.0f ms, the page's first request at %.0f ms: want the formatter first", at[0], at[1])
	}
}
