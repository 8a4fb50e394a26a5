package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/hooks"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestServeCreatesMasterKeyAtStart: the key file exists, mode 0600, as soon
// as `tock serve` answers, before any organization is made, and a restart
// keeps the same key.
func TestServeCreatesMasterKeyAtStart(t *testing.T) {
	bin := tt.Binary(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "tock-master.key")
	env := []string{"TOCK_DIR=" + filepath.Join(dir, "pb_data"), "TOCK_MASTER_KEY="}

	srv := tt.Serve(t, bin, tt.FreeAddr(t), env...)
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("no key file beside the data dir once serving: %v\n%s", err, srv.Logs())
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", info.Mode().Perm())
	}
	first, _ := os.ReadFile(keyFile)
	srv.Kill()

	tt.Serve(t, bin, tt.FreeAddr(t), env...).Kill()
	if again, _ := os.ReadFile(keyFile); !bytes.Equal(first, again) {
		t.Error("a restart replaced the master key")
	}
}

// TestServeRefusesBadMasterKey: each unusable key stops `tock serve` at start
// with exit 1 and one line on stderr naming the key, the fault and the fix.
func TestServeRefusesBadMasterKey(t *testing.T) {
	bin := tt.Binary(t)
	valid := []byte("dG9jay10ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=\n")
	type setup func(t *testing.T, keyFile string) (env []string)
	file := func(content []byte, mode os.FileMode) setup {
		return func(t *testing.T, keyFile string) []string {
			if err := os.WriteFile(keyFile, content, mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(keyFile, mode); err != nil { // past the umask
				t.Fatal(err)
			}
			return nil
		}
	}
	cases := []struct {
		name  string
		setup setup
		want  []string // "{key}" stands for the key file's path
	}{
		{"mode 0644", file(valid, 0o644), []string{"{key}", "mode 0644", "chmod 600 {key}"}},
		{"mode 0640", file(valid, 0o640), []string{"{key}", "mode 0640", "chmod 600 {key}"}},
		{"mode 0604", file(valid, 0o604), []string{"{key}", "mode 0604", "chmod 600 {key}"}},
		{"mode 0666", file(valid, 0o666), []string{"{key}", "mode 0666", "chmod 600 {key}"}},
		{"wrong length", file([]byte("c2hvcnQ=\n"), 0o600), []string{"{key}", "doesn't hold a master key", "32 bytes", "backup"}},
		{"not base64", file([]byte("not a key at all!\n"), 0o600), []string{"{key}", "doesn't hold a master key", "base64"}},
		{"empty", file(nil, 0o600), []string{"{key}", "doesn't hold a master key"}},
		{"unreadable (a directory)", func(t *testing.T, keyFile string) []string {
			if err := os.Mkdir(keyFile, 0o700); err != nil {
				t.Fatal(err)
			}
			return nil
		}, []string{"{key}", "not a regular file", "--master-key-file"}},
		{"link to nothing", func(t *testing.T, keyFile string) []string {
			if err := os.Symlink(keyFile+".gone", keyFile); err != nil {
				t.Fatal(err)
			}
			return nil
		}, []string{"{key}", "link to nothing"}},
		{"malformed TOCK_MASTER_KEY", func(t *testing.T, _ string) []string {
			return []string{"TOCK_MASTER_KEY=bm90LTMyLWJ5dGVz"}
		}, []string{"TOCK_MASTER_KEY", "32 bytes", "openssl rand -base64 32"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			keyFile := filepath.Join(dir, "tock-master.key")
			env := append([]string{"TOCK_DIR=" + filepath.Join(dir, "pb_data"), "TOCK_MASTER_KEY=",
				"TOCK_MASTER_KEY_FILE=" + keyFile}, c.setup(t, keyFile)...)
			code, stdout, stderr := runServe(t, bin, env)
			if code == 0 {
				t.Fatalf("tock serve exited 0 with an unusable key; stderr:\n%s", stderr)
			}
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			if len(lines) != 1 {
				t.Errorf("stderr has %d lines, want one:\n%s", len(lines), stderr)
			}
			for _, w := range c.want {
				if w = strings.ReplaceAll(w, "{key}", keyFile); !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.TrimSpace(stdout) != "" {
				t.Errorf("stdout not empty: %s", stdout)
			}
		})
	}
}

// runServe runs `tock serve` until it exits (a server still up after 20 s
// is killed and reported as exit 0) and returns its exit code and output.
func runServe(t *testing.T, bin string, env []string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--http", tt.FreeAddr(t))
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	case err != nil:
		t.Fatalf("run tock serve: %v", err)
	}
	return 0, stdout.String(), stderr.String()
}

// TestServeRefusesToReplaceALostKey: a database with organizations whose key
// file is gone (a restore that forgot the key) doesn't start with a new key;
// a new key put there on purpose starts, with a warning that the
// organizations' keys don't open.
func TestServeRefusesToReplaceALostKey(t *testing.T) {
	bin := tt.Binary(t)
	dir := t.TempDir()
	dataDir, keyFile := filepath.Join(dir, "pb_data"), filepath.Join(dir, "tock-master.key")
	env := []string{"TOCK_DIR=" + dataDir, "TOCK_MASTER_KEY="}
	seedKeyedOrg(t, dataDir, keyFile)

	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runServe(t, bin, env)
	if code == 0 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 ||
		!strings.Contains(stderr, keyFile+" is missing") || !strings.Contains(stderr, "restore the file from your backup") {
		t.Fatalf("exit %d, want 1 and one line saying the key is missing:\n%s", code, stderr)
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatal("a new key file was made for a database that had one")
	}

	if err := os.WriteFile(keyFile, []byte("bmV3LWtleS1wdXQtdGhlcmUtb24tcHVycG9zZSEhISE=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := tt.Serve(t, bin, tt.FreeAddr(t), env...)
	if logs := srv.Logs(); !strings.Contains(logs, "doesn't open these organizations' keys") || !strings.Contains(logs, "orgkeyed0000001") {
		t.Errorf("no warning that the new key opens nothing:\n%s", logs)
	}
}

// seedKeyedOrg migrates dataDir and creates an organization, whose key pair
// is wrapped with the master key in keyFile (created then).
func seedKeyedOrg(t *testing.T, dataDir, keyFile string) {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dataDir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer app.ResetBootstrapState()
	if err := app.RunAllMigrations(); err != nil {
		t.Fatal(err)
	}
	hooks.Register(app, hooks.Config{MasterKeyFile: keyFile})
	s := &tt.Seeder{App: app}
	s.Org("orgkeyed0000001", "Keyed", nil)
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
}
