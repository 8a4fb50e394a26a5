package agent_test

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/agent"
	"github.com/tock-app/tock/agent/spool"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestInstallUninstall: the real `tock agent install` writes the XDG
// autostart entry in a temporary home (and under XDG_CONFIG_HOME when set),
// `status` says so, `uninstall` removes it and reports, without deleting,
// the items still in the spool.
func TestInstallUninstall(t *testing.T) {
	bin := tt.Binary(t)
	for _, xdg := range []bool{false, true} {
		home, state := t.TempDir(), t.TempDir()
		env := []string{"HOME=" + home, "TOCK_AGENT_DIR=" + state, "XDG_CONFIG_HOME=", "XDG_DATA_HOME="}
		cfg := filepath.Join(home, ".config")
		handler := filepath.Join(home, ".local", "share", "applications", "tock-enrol.desktop")
		if xdg {
			cfg = filepath.Join(t.TempDir(), "cfg")
			data := filepath.Join(t.TempDir(), "data")
			env[2], env[3] = "XDG_CONFIG_HOME="+cfg, "XDG_DATA_HOME="+data
			handler = filepath.Join(data, "applications", "tock-enrol.desktop")
		}
		entry := filepath.Join(cfg, "autostart", "tock-agent.desktop")
		// Another program's default stays as it is.
		mimeapps := filepath.Join(cfg, "mimeapps.list")
		os.MkdirAll(cfg, 0o755)
		os.WriteFile(mimeapps, []byte("[Default Applications]\ntext/html=firefox.desktop\n"), 0o644)
		run := func(args ...string) string {
			t.Helper()
			cmd := exec.Command(bin, append([]string{"agent"}, args...)...)
			cmd.Env = append(os.Environ(), env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("tock agent %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			return string(out)
		}

		if out := run("status"); !strings.Contains(out, "Autostart: not installed") || !strings.Contains(out, "Link handler: not registered") {
			t.Errorf("status before install:\n%s", out)
		}
		if out := run("install"); !strings.Contains(out, entry) {
			t.Errorf("install doesn't say where:\n%s", out)
		}
		b, err := os.ReadFile(entry)
		if err != nil {
			t.Fatalf("no autostart entry: %v", err)
		}
		if !strings.Contains(string(b), "Exec="+bin+" agent run --state-dir "+state+"\n") || !strings.Contains(string(b), "Type=Application") {
			t.Errorf("entry:\n%s", b)
		}
		if out := run("status"); !strings.Contains(out, "Autostart: installed ("+entry+")") || !strings.Contains(out, "Link handler: registered for tock:// links ("+handler+")") {
			t.Errorf("status after install:\n%s", out)
		}
		// tock:// links open `tock agent enrol LINK`.
		b, err = os.ReadFile(handler)
		if err != nil {
			t.Fatalf("no link handler: %v", err)
		}
		if !strings.Contains(string(b), "Exec="+bin+" agent enrol --state-dir "+state+" %u\n") || !strings.Contains(string(b), "MimeType=x-scheme-handler/tock;\n") {
			t.Errorf("link handler:\n%s", b)
		}
		if b, _ := os.ReadFile(mimeapps); string(b) != "[Default Applications]\ntext/html=firefox.desktop\nx-scheme-handler/tock=tock-enrol.desktop\n" {
			t.Errorf("mimeapps.list after install:\n%s", b)
		}

		// What a signed-in agent that ran keeps beside its spool.
		for _, f := range []string{"session.json", "assignment.json", "status.json", "settings.json"} {
			os.WriteFile(filepath.Join(state, f), []byte(`{}`), 0o600)
		}
		sp, err := spool.Open(filepath.Join(state, "spool"), 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if err := sp.Put(spool.KindActivity, "act-unsent-1", []byte(`{"client_id":"act-unsent-1"}`)); err != nil {
			t.Fatal(err)
		}
		out := run("uninstall")
		if !strings.Contains(out, "Uninstalled") || !strings.Contains(out, "still holds 1 items") {
			t.Errorf("uninstall:\n%s", out)
		}
		for _, f := range []string{entry, handler} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Errorf("%s left: %v", f, err)
			}
		}
		if b, _ := os.ReadFile(mimeapps); string(b) != "[Default Applications]\ntext/html=firefox.desktop\n" {
			t.Errorf("mimeapps.list after uninstall:\n%s", b)
		}
		if n, _, _ := sp.Stats(); n != 1 {
			t.Errorf("uninstall left %d spooled items, want 1", n)
		}
		// Nothing but the spool is left: the session is gone with the rest.
		if left, _ := os.ReadDir(state); len(left) != 1 || left[0].Name() != "spool" {
			t.Errorf("uninstall left %v in the state directory, want only the spool", left)
		}
		if out := run("status"); !strings.Contains(out, "Signed out.") {
			t.Errorf("status after uninstall:\n%s", out)
		}
		if out := run("uninstall"); !strings.Contains(out, "Not installed") {
			t.Errorf("second uninstall:\n%s", out)
		}
		// An agent still running (it holds the run lock) keeps its session
		// (it would go on tracking with none to upload with): uninstall
		// says to quit it first.
		os.WriteFile(filepath.Join(state, "session.json"), []byte(`{}`), 0o600)
		lock, err := agent.LockRun(state)
		if err != nil {
			t.Fatal(err)
		}
		if out := run("uninstall"); !strings.Contains(out, "still running") {
			t.Errorf("uninstall while the agent runs:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(state, "session.json")); err != nil {
			t.Errorf("uninstall removed the session of a running agent: %v", err)
		}
		lock.Close()
		// A status that still looks fresh is no agent once the lock is
		// free (one killed a moment ago): nothing holds the session back.
		// Once the spool is empty, nothing at all is left.
		os.WriteFile(filepath.Join(state, "status.json"), []byte(`{"running":true,"updated":"`+time.Now().Format(time.RFC3339Nano)+`"}`), 0o600)
		if it, ok, err := sp.Oldest(); !ok || err != nil || sp.Remove(it) != nil {
			t.Fatalf("empty the spool: %v %v", ok, err)
		}
		if out := run("uninstall"); strings.Contains(out, "still holds") {
			t.Errorf("uninstall with an empty spool:\n%s", out)
		}
		if _, err := os.Stat(state); !os.IsNotExist(err) {
			left, _ := os.ReadDir(state)
			t.Errorf("uninstall with an empty spool left the state directory: %v %v", err, left)
		}
	}
}
