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
	"github.com/tock-app/tock/agent/spool"
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

// TestStatusShowsRejected: items the server refused for good are counted in
// `tock agent status`, with their reasons.
func TestStatusShowsRejected(t *testing.T) {
	dir := t.TempDir()
	sp, err := spool.Open(filepath.Join(dir, "spool"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a-1", "a-2"} {
		if err := sp.Put(spool.KindActivity, id, []byte("{}")); err != nil {
			t.Fatal(err)
		}
		it, _, _ := sp.Oldest()
		if err := sp.Reject(it, "upload: refused by the server: HTTP 409: Daily limit of 8 h reached."); err != nil {
			t.Fatal(err)
		}
	}
	cmd := agent.Command()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--state-dir", dir, "status"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Rejected: 2 items the server refused", "activity a-2: upload: refused by the server: HTTP 409: Daily limit of 8 h reached.\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
}
