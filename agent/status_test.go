package agent_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/agent"
)

// TestStatusShowsServerMessage: what the server last said about the
// person's time (a limit reached) is shown by `tock agent status`.
func TestStatusShowsServerMessage(t *testing.T) {
	dir := t.TempDir()
	b, err := json.Marshal(&agent.Status{Running: true, Updated: time.Now(), ServerMessage: "Daily limit of 8 h reached."})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "status.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := agent.Command()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--state-dir", dir, "status"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Server: Daily limit of 8 h reached.\n") {
		t.Errorf("status doesn't show the server's message:\n%s", out.String())
	}
}
