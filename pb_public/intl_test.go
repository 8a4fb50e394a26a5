package pbpublic_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/reply"
	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// noteIntl makes each new page of b note its first use of the browser's
// Intl (window.tockIntl: what, and when in ms since the page began): its
// formatters and collator, and the methods that make one.
func noteIntl(t *testing.T, b *bt.Browser) {
	t.Helper()
	const src = `(() => {
  const note = (what) => { window.tockIntl ??= [what, performance.now()]; };
  for (const name of ["DateTimeFormat", "NumberFormat", "Collator", "PluralRules", "RelativeTimeFormat", "ListFormat", "Segmenter"]) {
    Intl[name] = new Proxy(Intl[name], {
      construct(real, args) { note("Intl." + name); return Reflect.construct(real, args); },
      apply(real, self, args) { note("Intl." + name); return Reflect.apply(real, self, args); },
    });
  }
  for (const [proto, names] of [[String.prototype, ["localeCompare"]], [Number.prototype, ["toLocaleString"]],
    [Date.prototype, ["toLocaleString", "toLocaleDateString", "toLocaleTimeString"]]]) {
    for (const name of names) {
      const real = proto[name];
      proto[name] = function (...args) { note(name); return real.apply(this, args); };
    }
  }
})();`
	b.Do(t, "note the first Intl use", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return chromedp.Void{}, err
	})
}

// TestPagesShowWithoutIntl: Chromium's first Intl use in a page costs it
// 40-60 ms (it reads its ICU data), a tenth of a page's load. The pages a
// person opens most show their data without it: times in the
// organization's zone come from the offsets the session brings, names are
// in the order the server sorted them.
func TestPagesShowWithoutIntl(t *testing.T) {
	w := newWorld(t, matrixFixture)
	b := w.browser(t, 1280, 900)
	signIn(t, b, w, tt.Alice+"@example.test", tt.Password)
	noteIntl(t, b)
	for _, p := range []string{
		"me", "team?day=2026-01-05", "timesheets?week=2026-01-05", "reports?from=2026-01-05&to=2026-01-11",
		"apps?from=2026-01-05&to=2026-01-11", "screenshots?user=" + tt.Carol + "&day=2026-01-05",
		"screenshots?user=all&day=2026-01-05", "members",
	} {
		open(t, b, w, p)
		// The mark is set as the page's view, built with its data, goes in.
		b.Wait(t, "the data of "+p, `performance.getEntriesByName("tock:page-shown").length`)
		if used := bt.Eval[[]any](t, b, `window.tockIntl ?? []`); len(used) > 0 {
			t.Errorf("%s: %v at %v ms, before the page was shown", p, used[0], used[1])
		}
	}
}

// TestKnownZonesAgreeWithIntl: the times the app places by the offsets the
// server sends (reply.ZoneAround) are the times Intl places, every three
// hours over the offsets' five years and either side of each change, in
// zones with daylight saving time, half- and quarter-hour offsets, and
// none; days start at the same instants; outside the span, Intl decides.
func TestKnownZonesAgreeWithIntl(t *testing.T) {
	w := newWorld(t, emptyFixture)
	b := w.browser(t, 1280, 900)
	open(t, b, w, "signin")
	var zones []api.Zone
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "America/St_Johns", "UTC"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		zones = append(zones, reply.ZoneAround(loc, time.Now()))
	}
	js, err := json.Marshal(zones)
	if err != nil {
		t.Fatal(err)
	}
	wrong := bt.Eval[[]string](t, b, `(async () => {
  const ui = await import("/js/ui.js");
  const wrong = [];
  for (const z of `+string(js)+`) {
    ui.knowZone(z);
    const f = new Intl.DateTimeFormat("en-US", { timeZone: z.name, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    const intl = (t) => Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
    const dayOf = (t) => { const p = intl(t); return p.year + "-" + p.month + "-" + p.day; };
    const at = [z.from - 3600000, z.to + 3600000];
    for (let t = z.from; t < z.to; t += 3 * 3600000) at.push(t);
    for (const [t] of z.changes.slice(1)) at.push(t - 1, t, t + 1800000);
    for (const t of at) {
      const p = intl(t);
      if (ui.clock(t, z.name) !== p.hour + ":" + p.minute || ui.dayOf(t, z.name) !== dayOf(t))
        wrong.push(z.name + " at " + new Date(t).toISOString() + ": " + ui.dayOf(t, z.name) + " " + ui.clock(t, z.name) + ", Intl " + dayOf(t) + " " + p.hour + ":" + p.minute);
    }
    for (let t = z.from + 86400000; t < z.to - 86400000; t += 86400000) {
      const day = new Date(t).toISOString().slice(0, 10), start = ui.dayStart(day, z.name);
      if (dayOf(start) !== day || dayOf(start - 1) === day) wrong.push(z.name + ": " + day + " starts at " + new Date(start).toISOString());
      const name = new Date(t).toLocaleDateString("en-GB", { weekday: "short", day: "numeric", timeZone: "UTC" });
      if (ui.weekday(day) !== name) wrong.push(day + " is " + ui.weekday(day) + ", Intl says " + name);
    }
  }
  return wrong.slice(0, 10);
})()`)
	if len(wrong) > 0 {
		t.Errorf("times placed unlike Intl:\n%v", wrong)
	}
}

// TestProjectOrderIgnoresCase: pages that list rows by project (timesheets,
// rates) order them as a person reads the names, capitals or not, without
// localeCompare; the server's list puts every capital first.
func TestProjectOrderIgnoresCase(t *testing.T) {
	w := newWorld(t, emptyFixture)
	b := w.browser(t, 1280, 900)
	open(t, b, w, "signin")
	got := bt.Eval[[]string](t, b, `(async () => {
  const { projectOrder } = await import("/js/lib/data.js");
  const names = new Map([["c", "Alpha"], ["b", "Website"], ["a", "internal"]]); // the server's order
  return ["x", "b", "a", "c"].sort(projectOrder(names));
})()`)
	if want := []string{"c", "a", "b", "x"}; !slices.Equal(got, want) {
		t.Errorf("projects ordered %v, want %v (Alpha, internal, Website, then one without a name)", got, want)
	}
}
