package agent

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tt "github.com/tock-app/tock/internal/tocktest"
)

// status runs `tock agent status` with its state in dir and returns its output.
func status(t *testing.T, dir string) string {
	t.Helper()
	cmd := Command()
	var out bytes.Buffer
	cmd.SetArgs([]string{"--state-dir", dir, "status"})
	cmd.SetOut(&out)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestStatusShowsNames: status names the organization, project and task
// that login and start resolved, not their ids.
func TestStatusShowsNames(t *testing.T) {
	tock := tockServer(t)
	dir := t.TempDir()
	if err := login(dir, tock, carol, tt.Password); err != nil {
		t.Fatal(err)
	}
	if err := runIn(dir, nil, "start", "--project", tt.ProjA, "--task", "Task in A"); err != nil {
		t.Fatal(err)
	}
	out := status(t, dir)
	for _, want := range []string{
		"Signed in to " + tock + " as " + carol + " (organization Acme).\n",
		"Tracking: yes, project A, task task in A\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	for _, id := range []string{tt.Acme, tt.ProjA, tt.TaskA} {
		if strings.Contains(out, id) {
			t.Errorf("status shows the id %s:\n%s", id, out)
		}
	}
}

// TestStatusTodayIsToday: a total written on another day is not today's.
func TestStatusTodayIsToday(t *testing.T) {
	for _, c := range []struct {
		name    string
		updated time.Time
		want    string
	}{
		{"written today", time.Now(), "Today: 8m13s\n"},
		{"written yesterday", time.Now().Add(-24 * time.Hour), "Today: 0s\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			b, _ := json.Marshal(&Status{Updated: c.updated, TodaySeconds: 493})
			if err := os.WriteFile(filepath.Join(dir, "status.json"), b, 0o600); err != nil {
				t.Fatal(err)
			}
			if out := status(t, dir); !strings.Contains(out, c.want) {
				t.Errorf("status lacks %q:\n%s", c.want, out)
			}
		})
	}
}
