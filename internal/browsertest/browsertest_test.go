package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tock-app/tock/internal/component"
)

func TestMissingBrowser(t *testing.T) {
	for _, c := range []struct {
		require   string
		wantFatal bool
	}{{"1", true}, {"", false}, {"0", false}} {
		t.Run(EnvRequire+"="+c.require, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir())
			t.Setenv(EnvRequire, c.require)
			r := &component.Recorder{TB: t}
			r.Run(func(tb testing.TB) { Path(tb) })
			if fataled, skipped := r.FatalMessage() != "", r.SkipMessage() != ""; c.wantFatal != fataled || c.wantFatal == skipped {
				t.Fatalf("fatal=%v skip=%v, want fatal=%v", fataled, skipped, c.wantFatal)
			}
			if msg := r.FatalMessage() + r.SkipMessage(); !strings.Contains(msg, "chromium") {
				t.Errorf("message doesn't say what to install: %q", msg)
			}
		})
	}
}

// TestPageRequestsAndShot: requests are recorded, those leaving the origin
// are told apart, page errors are caught and a PNG is saved.
func TestPageRequestsAndShot(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/csp" {
			w.Header().Set("Content-Security-Policy", "img-src 'self'")
		}
		fmt.Fprint(w, `<!doctype html><title>t</title><h1 id="x">hello</h1>
<img src="/local.png"><img src="http://192.0.2.1:9/far.png"><script>throw new Error("boom")</script>`)
	}))
	defer srv.Close()
	b := New(t, srv.URL, 800, 600)
	b.Do(t, "open", chromedp.Navigate(srv.URL+"/"))
	b.Wait(t, "the heading", `document.querySelector("#x")`)
	if text := Eval[string](t, b, `document.querySelector("#x").textContent`); text != "hello" {
		t.Fatalf("page text %q", text)
	}
	foreign := b.Foreign()
	if len(foreign) != 1 || !strings.Contains(foreign[0], "192.0.2.1") {
		t.Errorf("Foreign() = %v, want the one far image (all: %v)", foreign, b.Requests())
	}
	errs := strings.Join(b.Errors(), "\n")
	if !strings.Contains(errs, "boom") {
		t.Errorf("page error not caught: %s", errs)
	}
	if strings.Contains(errs, "security:") {
		t.Errorf("a security refusal without a policy: %s", errs)
	}
	b.Do(t, "open the page with a policy", chromedp.Navigate(srv.URL+"/csp"))
	b.Wait(t, "the heading", `document.querySelector("#x")`)
	if errs := strings.Join(b.Errors(), "\n"); !strings.Contains(errs, "security:") {
		t.Errorf("the policy's refusal of the far image not caught: %s", errs)
	}
	t.Setenv("TOCK_REPORT_DIR", t.TempDir())
	png, err := os.ReadFile(b.Shot(t, "page.png"))
	if err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Fatalf("shot is not a PNG: %v %.8q", err, png)
	}
}
