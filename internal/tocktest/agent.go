package tocktest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/internal/xvfbtest"
)

// Agent runs the real `tock agent` with its own state directory, as one
// person's computer would.
type Agent struct {
	Bin, Dir string
	Env      []string
}

// NewAgent signs email in to server and starts tracking to project, with
// slots of slotSeconds (which must match the server's). env is added to the
// agent's environment: the Desktop it runs on.
func NewAgent(t testing.TB, bin, server, email, password, project string, slotSeconds int, env ...string) Agent {
	t.Helper()
	a := Agent{Bin: bin, Dir: t.TempDir()}
	a.Env = append(os.Environ(), "TOCK_AGENT_DIR="+a.Dir, "TOCK_SLOT_SECONDS="+fmt.Sprint(slotSeconds))
	a.Env = append(a.Env, env...)
	if out := a.Run(t, password+"\n", "login", "--server", server, "--email", email, "--password-stdin"); !strings.Contains(out, "Signed in") {
		t.Fatalf("agent login: %s", out)
	}
	if out := a.Run(t, "", "start", "--project", project); !strings.Contains(out, "Tracking to "+project) {
		t.Fatalf("agent start: %s", out)
	}
	return a
}

// Run runs one agent command with stdin and returns its output.
func (a Agent) Run(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(a.Bin, append([]string{"agent"}, args...)...)
	cmd.Env = a.Env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tock agent %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Daemon starts `tock agent run`; it is killed when the test ends unless it
// has exited by then.
func (a Agent) Daemon(t testing.TB) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(a.Bin, "agent", "run")
	cmd.Env = a.Env
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, logs
}

// Desktop starts Xvfb with two monitors, paints a pattern (a black screen
// is reported, not uploaded) and keeps input coming until the test ends. It
// returns what an agent needs in its environment to run on it (NewAgent's
// env); the test's own environment is left alone, so that tests with a
// desktop each can run in parallel.
func Desktop(t testing.TB) []string {
	t.Helper()
	d := xvfbtest.Launch(t, xvfbtest.MonitorWidth, xvfbtest.MonitorHeight)
	xsetroot := exec.Command("xsetroot", "-mod", "7", "5", "-fg", "orange", "-bg", "navy")
	xsetroot.Env = append(os.Environ(), d.Env()...)
	if out, err := xsetroot.CombinedOutput(); err != nil {
		t.Fatalf("xsetroot: %v %s", err, out)
	}
	KeepActive(t, d.Env()...)
	return d.Env()
}

// KeepActive moves the pointer and types on the test display (the one env
// names, else the test's DISPLAY) until the test ends, so the agent counts
// the person as active (not idle).
func KeepActive(t testing.TB, env ...string) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		for i := 0; ctx.Err() == nil; i++ {
			xdotool(env, "mousemove", fmt.Sprint(100+i%500), fmt.Sprint(100+i%300))
			if i%3 == 0 {
				xdotool(env, "key", "a")
			}
			time.Sleep(400 * time.Millisecond)
		}
	}()
}

// xdotool runs xdotool with env added to the test's environment.
func xdotool(env []string, args ...string) {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Run()
}
