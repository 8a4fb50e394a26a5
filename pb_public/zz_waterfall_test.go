package pbpublic_test

import (
	"os"
	"strings"
	"testing"
	"time"

	bt "github.com/tock-app/tock/internal/browsertest"
	"github.com/tock-app/tock/internal/steady"
	tt "github.com/tock-app/tock/internal/tocktest"
)

func TestZZWaterfall(t *testing.T) {
	if os.Getenv("TOCK_WATERFALL") == "" {
		t.Skip()
	}
	week := steadyWorld(t, steady.Shape{Members: 5, Days: 7})
	yesterday := steady.Day(time.Now(), 0).Format("2006-01-02")
	monday := steady.Day(time.Now(), 6).Format("2006-01-02")
	b := week.browser(t, 1280, 900)
	signIn(t, b, week, steady.Member(0)+"@example.test", tt.Password)
	pages := []struct{ page, ready string }{
		{"members", `document.querySelector("#invite-form")`},
		{"me?day=" + yesterday, `document.querySelector("#me-hours") && document.querySelector("#me-apps")`},
		{"team?day=" + yesterday, `document.querySelector("#team-timeline") && document.querySelector("#team-hours")`},
		{"reports?group=member,day&from=" + monday + "&to=" + yesterday, `document.querySelector("#report-chart")`},
		{"apps?from=" + monday + "&to=" + yesterday, `document.querySelector("#apps-report")`},
	}
	for _, p := range pages {
		for i := 0; i < 3; i++ {
			ms := loadTime(t, b, week, p.page, p.ready)
			if i < 2 {
				continue
			}
			rows := bt.Eval[[]string](t, b, `performance.getEntriesByType("resource").map(e => e.name.replace(location.origin, "").slice(0, 70).padEnd(72) + Math.round(e.startTime).toString().padStart(6) + Math.round(e.responseEnd).toString().padStart(6) + " " + e.transferSize)`)
			nav := bt.Eval[string](t, b, `(() => { const n = performance.getEntriesByType("navigation")[0]; return "nav resp " + Math.round(n.responseEnd) + " dcl " + Math.round(n.domContentLoadedEventEnd) + " shown " + Math.round(performance.getEntriesByName("tock:page-shown").at(-1)?.startTime) })()`)
			t.Logf("%s ready %.0f ms, load %s; %s\n%s", p.page, ms, loadAverage(), nav, strings.Join(rows, "\n"))
		}
	}
}
