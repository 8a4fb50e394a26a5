// Package browsertest drives the system's headless Chromium from tests.
//
// Without Chromium a test is skipped loudly, or fails when
// TOCK_REQUIRE_BROWSER=1 (set by `make test`): in CI browser tests never
// silently skip.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tock-app/tock/internal/component"
)

// EnvRequire makes a missing browser a failure instead of a skip.
const EnvRequire = "TOCK_REQUIRE_BROWSER"

// Candidates are the executables tried, in order.
var Candidates = []string{"chromium", "chromium-browser", "google-chrome"}

// Path finds Chromium, or skips or fails t as EnvRequire says.
func Path(t testing.TB) string {
	t.Helper()
	for _, name := range Candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("browsertest: none of %s on PATH; run scripts/test-deps (make deps) to install chromium", strings.Join(Candidates, ", "))
	component.Missing(t, EnvRequire, "browser", msg)
	return ""
}

// Browser is one headless Chromium with its own profile: a person at their
// own computer. Pages opened from it share its cookies and local storage.
type Browser struct {
	ctx    context.Context
	origin string

	mu       sync.Mutex
	requests []string // every URL the pages asked for
	errors   []string // uncaught page errors and console errors
	pending  map[network.RequestID]string
	failed   []string // loads that failed: "URL: error"
}

// New starts a browser whose pages may only talk to origin; it stops when t ends.
func New(t testing.TB, origin string, width, height int) *Browser {
	t.Helper()
	path := Path(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(width, height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &Browser{origin: origin}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(b.record))
	b.ctx = ctx
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Run starts the browser; it gets no timeout, which would
	// stop the browser with it.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("browsertest: start %s: %v", path, err)
	}
	return b
}

// record keeps what the page asked for and what went wrong in it; it runs on
// chromedp's reading goroutine, so it only appends under the lock.
func (b *Browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, e.Request.URL)
		if b.pending == nil {
			b.pending = map[network.RequestID]string{}
		}
		b.pending[e.RequestID] = e.Request.URL
	case *network.EventLoadingFinished:
		delete(b.pending, e.RequestID)
	case *network.EventLoadingFailed:
		b.failed = append(b.failed, b.pending[e.RequestID]+": "+e.ErrorText)
		delete(b.pending, e.RequestID)
	case *runtime.EventExceptionThrown:
		text := e.ExceptionDetails.Text
		if x := e.ExceptionDetails.Exception; x != nil {
			text += " " + x.Description
		}
		b.errors = append(b.errors, text)
	case *log.EventEntryAdded:
		// Security entries are refusals such as the Content-Security-Policy's;
		// failed loads are left out, since tests provoke refusals on purpose.
		if e.Entry.Source == log.EntrySourceSecurity {
			b.errors = append(b.errors, "security: "+e.Entry.Text)
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			b.errors = append(b.errors, "console.error: "+strings.Join(parts, " "))
		}
	}
}

// Timeout bounds each step a test runs in the page.
const Timeout = 30 * time.Second

// Do runs steps in the page, failing t with the page's text and errors if one fails.
func (b *Browser) Do(t testing.TB, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(t, what, err)
	}
}

func (b *Browser) fail(t testing.TB, what string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
	url, _ := chromedp.Run(ctx, chromedp.Location())
	t.Fatalf("%s: %v\nat %s, page text:\n%s\npage errors: %v", what, err, url, text, b.Errors())
}

// Eval evaluates a JavaScript expression in b's page (awaiting a promise).
func Eval[T any](t testing.TB, b *Browser, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail(t, "evaluate "+expr, err)
	}
	return v
}

// Wait waits until a JavaScript expression is truthy.
func (b *Browser) Wait(t testing.TB, what, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(Timeout)))
		// A poll that began while the page was still loading loses its
		// JavaScript context; poll again in the new one.
		if err != nil && strings.Contains(err.Error(), "Cannot find context") && ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			b.fail(t, "wait for "+what, err)
		}
		return
	}
}

// Requests returns every URL requested so far.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// Errors returns the page errors seen so far.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// Failed returns the loads that failed so far, as "URL: error" (refusals a
// test provokes on purpose among them).
func (b *Browser) Failed() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.failed...)
}

// Foreign returns the requests that left the origin: the appliance must
// work on a closed LAN, so the web app fetches nothing from elsewhere.
func (b *Browser) Foreign() []string {
	var out []string
	for _, u := range b.Requests() {
		if strings.HasPrefix(u, b.origin+"/") || strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") {
			continue
		}
		out = append(out, u)
	}
	return out
}

// Shot saves a PNG of the whole page as name in TOCK_REPORT_DIR (or the
// test's temp dir) and returns its path.
func (b *Browser) Shot(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, Timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail(t, "screenshot "+name, err)
	}
	dir := os.Getenv("TOCK_REPORT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifact dir: %v", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("save %s: %v", name, err)
	}
	return path
}
