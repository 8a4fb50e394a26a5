package xvfbtest

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tock-app/tock/internal/component"
)

func TestStart(t *testing.T) {
	t.Setenv("XDG_SESSION_TYPE", "wayland") // Start must hide it
	var display string
	t.Run("running", func(t *testing.T) {
		display = Start(t)
		if got := os.Getenv("DISPLAY"); got != display || !strings.HasPrefix(display, ":") {
			t.Errorf("DISPLAY = %q, Start returned %q", got, display)
		}
		auth := os.Getenv("XAUTHORITY")
		if fi, err := os.Stat(auth); err != nil || fi.Size() == 0 {
			t.Errorf("XAUTHORITY=%q: %v", auth, err)
		}
		if v, ok := os.LookupEnv("XDG_SESSION_TYPE"); ok {
			t.Errorf("XDG_SESSION_TYPE is set (%q), want unset", v)
		}
		if n, err := xineramaMonitors(display); err != nil || n != Monitors {
			t.Errorf("Xinerama monitors = %d, %v; want %d", n, err, Monitors)
		}

		c, err := xgb.NewConnDisplay(display)
		if err != nil {
			t.Fatal(err)
		}
		defer CloseConn(c)
		screen := xproto.Setup(c).DefaultScreen(c)
		if screen.WidthInPixels != ScreenWidth || screen.HeightInPixels != ScreenHeight {
			t.Errorf("screen %dx%d, want %dx%d", screen.WidthInPixels, screen.HeightInPixels, ScreenWidth, ScreenHeight)
		}
		for _, pos := range [][2]int{{10, 20}, {2000, 700}} {
			Xdotool(t, "mousemove", fmt.Sprint(pos[0]), fmt.Sprint(pos[1]))
			p, err := xproto.QueryPointer(c, screen.Root).Reply()
			if err != nil {
				t.Fatal(err)
			}
			if int(p.RootX) != pos[0] || int(p.RootY) != pos[1] {
				t.Errorf("after xdotool mousemove %v the pointer is at %d,%d", pos, p.RootX, p.RootY)
			}
		}
	})
	if display == "" {
		t.Fatal("Start did not return a display")
	}
	// After the subtest's cleanups: server stopped, environment restored.
	if c, err := xgb.NewConnDisplay(display); err == nil {
		CloseConn(c)
		t.Errorf("display %s still answers after cleanup", display)
	}
	if got := os.Getenv("XDG_SESSION_TYPE"); got != "wayland" {
		t.Errorf("XDG_SESSION_TYPE = %q after cleanup, want it restored to %q", got, "wayland")
	}
	if got := os.Getenv("DISPLAY"); got == display {
		t.Errorf("DISPLAY still %q after cleanup", got)
	}
}

func TestTwoServersAtOnce(t *testing.T) {
	a := Start(t)
	aAuth := os.Getenv("XAUTHORITY")
	b := Start(t)
	if a == b {
		t.Fatalf("both servers on %s", a)
	}
	// The first one still answers (with its own cookie).
	t.Setenv("XAUTHORITY", aAuth)
	if n, err := xineramaMonitors(a); err != nil || n != Monitors {
		t.Errorf("first server %s: %d monitors, %v", a, n, err)
	}
}

func TestMissingTools(t *testing.T) {
	tests := []struct {
		require   string
		wantFatal bool
	}{
		{"1", true},
		{"", false},
		{"0", false},
	}
	for _, tt := range tests {
		t.Run("TOCK_REQUIRE_X="+tt.require, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir()) // nothing on PATH
			t.Setenv("TOCK_REQUIRE_X", tt.require)
			r := &component.Recorder{TB: t}
			r.Run(requireTools)
			switch {
			case tt.wantFatal && r.FatalMessage() == "":
				t.Fatalf("want Fatalf, got skip %q", r.SkipMessage())
			case !tt.wantFatal && r.SkipMessage() == "":
				t.Fatalf("want Skipf, got fatal %q", r.FatalMessage())
			}
			msg := r.FatalMessage() + r.SkipMessage()
			for _, want := range []string{"scripts/test-deps", "Xvfb", "xdotool"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not mention %s", msg, want)
				}
			}
		})
	}
}

// TestLaunchLeavesTheEnvironment: a display from Launch works for a child
// given its Env, and the test process's environment is untouched, so tests
// with a display each can run in parallel.
func TestLaunchLeavesTheEnvironment(t *testing.T) {
	t.Parallel()
	before := os.Environ()
	d := Launch(t, MonitorWidth, MonitorHeight)
	if !slices.Equal(before, os.Environ()) {
		t.Error("Launch changed the test's environment")
	}
	env := append(os.Environ(), d.Env()...)
	if n, err := xineramaHeads(env); err != nil || n != Monitors {
		t.Errorf("Xinerama heads = %d, %v; want %d", n, err, Monitors)
	}
	run(t, env, "xdotool", "mousemove", "2000", "700")
	cmd := exec.Command("xdotool", "getmouselocation")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "x:2000 y:700") {
		t.Errorf("xdotool getmouselocation: %s %v", out, err)
	}
}
