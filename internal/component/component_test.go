package component

import (
	"io"
	"os"
	"strings"
	"testing"
)

func TestMissing(t *testing.T) {
	for _, c := range []struct {
		require   string
		wantFatal bool
	}{{"1", true}, {"", false}, {"0", false}} {
		t.Run("TOCK_REQUIRE_THING="+c.require, func(t *testing.T) {
			t.Setenv("TOCK_REQUIRE_THING", c.require)
			stderr := captureStderr(t, func() {
				r := &Recorder{TB: t}
				if !r.Run(func(tb testing.TB) { Missing(tb, "TOCK_REQUIRE_THING", "thing", "no thing; install it") }) {
					t.Fatal("Missing returned: the test would go on without its component")
				}
				switch {
				case c.wantFatal && (r.FatalMessage() == "" || r.SkipMessage() != ""):
					t.Errorf("want Fatalf, got fatal %q, skip %q", r.FatalMessage(), r.SkipMessage())
				case !c.wantFatal && (r.SkipMessage() == "" || r.FatalMessage() != ""):
					t.Errorf("want Skipf, got fatal %q, skip %q", r.FatalMessage(), r.SkipMessage())
				}
				if msg := r.FatalMessage() + r.SkipMessage(); !strings.Contains(msg, "no thing; install it") {
					t.Errorf("message %q lacks the caller's", msg)
				}
			})
			if announced := strings.Contains(stderr, "SKIPPING thing TEST"); announced == c.wantFatal {
				t.Errorf("skip announced on stderr: %v, want %v: %q", announced, !c.wantFatal, stderr)
			}
		})
	}
}

// captureStderr returns what f wrote to os.Stderr.
func captureStderr(t *testing.T, f func()) string {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	orig := os.Stderr
	os.Stderr = w
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	f()
	os.Stderr = orig
	w.Close()
	return <-out
}
