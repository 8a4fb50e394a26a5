package agent_test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestOneRunPerStateDir: a second `tock agent run` of a state directory
// whose agent runs says so in a sentence and leaves (two would each draw
// their own screenshot moments and upload both sets); once the first is
// killed with -9, the system has let go of its lock and a new run starts.
func TestOneRunPerStateDir(t *testing.T) {
	t.Parallel()
	bin := tt.Binary(t)
	desktop := tt.Desktop(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	owner(t, srv.URL)
	a := newAgent(t, bin, srv.URL, desktop)
	running := func() bool { return strings.Contains(a.Run(t, "", "status"), "Agent running: true") }
	first, logs := a.Daemon(t)
	waitFor(t, "the first run", 30*time.Second, running)

	second := exec.Command(bin, "agent", "run")
	second.Env = a.Env
	done := make(chan error, 1)
	var out strings.Builder
	second.Stdout, second.Stderr = &out, &out
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("the second run ended with %v, want exit code 1", err)
		}
		want := "Tock is already running with " + a.Dir + ": its icon is in the tray"
		if !strings.HasPrefix(out.String(), want) || strings.Count(out.String(), "\n") != 1 {
			t.Errorf("the second run said %q, want one line starting %q", out.String(), want)
		}
	case <-time.After(20 * time.Second):
		second.Process.Kill()
		t.Fatalf("a second run of the same state directory kept running:\n%s", out.String())
	}

	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	third, logs3 := a.Daemon(t)
	exited := make(chan struct{})
	go func() { third.Process.Wait(); close(exited) }()
	waitFor(t, "a run after kill -9 writing its status", 30*time.Second, func() bool {
		var st struct{ PID int }
		b, err := os.ReadFile(filepath.Join(a.Dir, "status.json"))
		return err == nil && json.Unmarshal(b, &st) == nil && st.PID == third.Process.Pid
	})
	select {
	case <-exited:
		t.Errorf("the run after kill -9 stopped:\n%s\nfirst run:\n%s", logs3, logs)
	case <-time.After(3 * time.Second):
	}
}
