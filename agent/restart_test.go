package agent_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	tt "github.com/tock-app/tock/internal/tocktest"
)

// today reads the "Today:" line of `tock agent status`.
func today(t *testing.T, status string) time.Duration {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Today: (\S+)$`).FindStringSubmatch(status)
	if m == nil {
		t.Fatalf("no Today line:\n%s", status)
	}
	d, err := time.ParseDuration(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestStatusSurvivesARestart: after `run` is restarted, status still shows
// today's total and the last upload, and names the organization and project.
func TestStatusSurvivesARestart(t *testing.T) {
	t.Parallel()
	bin := tt.Binary(t)
	desktop := tt.Desktop(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	owner(t, srv.URL)
	a := newAgent(t, bin, srv.URL, desktop)
	cmd, logs := a.Daemon(t)
	waitFor(t, "an upload and 5 s tracked", 60*time.Second, func() bool {
		s := a.Run(t, "", "status")
		return strings.Contains(s, "Last upload: 20") && today(t, s) >= 5*time.Second
	})
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	before := a.Run(t, "", "status")

	a.Daemon(t)
	waitFor(t, "the agent to run again", 30*time.Second, func() bool {
		return strings.Contains(a.Run(t, "", "status"), "Agent running: true")
	})
	after := a.Run(t, "", "status")
	if today(t, after) < today(t, before) {
		t.Errorf("Today dropped across the restart:\nbefore:\n%s\nafter:\n%s\nfirst run:\n%s", before, after, logs)
	}
	if strings.Contains(after, "Last upload: never") {
		t.Errorf("the last upload was forgotten across the restart:\n%s", after)
	}
	for _, want := range []string{"(organization Acme)", "Tracking: yes, project Website\n"} {
		if !strings.Contains(after, want) {
			t.Errorf("status lacks %q:\n%s", want, after)
		}
	}
}
