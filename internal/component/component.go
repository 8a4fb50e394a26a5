// Package component is what a test does when a real component it needs (an
// X server, MinIO, Chromium) is missing: when the component's TOCK_REQUIRE_*
// variable is 1, as `make test` and CI set it, the test fails; otherwise it
// skips, loudly, since `go test` shows a skip only with -v.
package component

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
)

// Missing ends t for a missing component called name ("X11", "S3",
// "browser"): Fatalf when env is "1", else a notice on stderr and Skipf. msg
// says what is missing and how to install it.
func Missing(t testing.TB, env, name, msg string) {
	t.Helper()
	if os.Getenv(env) == "1" {
		t.Fatalf("%s (%s=1: %s tests must not be skipped)", msg, env, name)
	}
	fmt.Fprintf(os.Stderr, "\n*** SKIPPING %s TEST %s: %s ***\n\n", name, t.Name(), msg)
	t.Skipf("SKIPPED (no %s): %s", name, msg)
}

// Recorder is a testing.TB whose Fatalf and Skipf record their message and
// end the goroutine, as the real ones do: it tests what calls Missing.
type Recorder struct {
	testing.TB
	mu          sync.Mutex
	fatal, skip string
	ended       bool
}

func (r *Recorder) Helper()      {}
func (r *Recorder) Name() string { return "TestFake" }

func (r *Recorder) Fatalf(format string, args ...any) { r.end(&r.fatal, format, args) }
func (r *Recorder) Skipf(format string, args ...any)  { r.end(&r.skip, format, args) }

func (r *Recorder) end(into *string, format string, args []any) {
	r.mu.Lock()
	*into, r.ended = fmt.Sprintf(format, args...), true
	r.mu.Unlock()
	runtime.Goexit()
}

// Run calls f with r on its own goroutine, so that Fatalf and Skipf end only
// that goroutine, and reports whether f ended through one of them.
func (r *Recorder) Run(f func(testing.TB)) (ended bool) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ended
}

// FatalMessage and SkipMessage are the messages of Fatalf and Skipf ("" when not called).
func (r *Recorder) FatalMessage() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal
}

func (r *Recorder) SkipMessage() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.skip
}
