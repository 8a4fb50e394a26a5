package agent_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	tt "github.com/tock-app/tock/internal/tocktest"
)

// agentCmd runs the real `tock agent args…` with its state in dir and
// returns its exit code, standard output and standard error.
func agentCmd(t *testing.T, bin, dir, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"agent"}, args...)...)
	cmd.Env = append(os.Environ(), "TOCK_AGENT_DIR="+dir)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

// TestAgentErrorsAreSentences: the real binary tells a failure in one plain
// sentence on stderr, without a log line, and exits 1.
func TestAgentErrorsAreSentences(t *testing.T) {
	t.Parallel()
	bin := tt.Binary(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	owner(t, srv.URL)
	closed := "http://" + tt.FreeAddr(t)
	cases := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"wrong password", "not-the-password\n",
			[]string{"login", "--server", srv.URL, "--email", "owner@example.test", "--password-stdin"},
			"Wrong e-mail or password.\n"},
		{"server down", "owner-password-1\n",
			[]string{"login", "--server", closed, "--email", "owner@example.test", "--password-stdin"},
			"Can't reach " + closed + " — is the address right and the server up?\n"},
		{"plain http to another computer", "owner-password-1\n",
			[]string{"login", "--server", "http://tock.example.com", "--email", "owner@example.test", "--password-stdin"},
			"Plain http to tock.example.com would carry your password and session unencrypted: use https://, or add --allow-insecure-http if you accept that.\n"},
		{"signed out", "", []string{"start", "--project", "Website"},
			"Not signed in: run `tock agent enrol CODE --server URL` with the code from the web app (Me → Get the desktop app), or `tock agent login --server URL --email E`.\n"},
		{"an address that is not a URL", "", []string{"login", "--server", "tock.example.com", "--email", "owner@example.test"},
			"The server's address \"tock.example.com\" is not a URL: write it in full, such as https://tock.example.com.\n"},
		{"a mistyped command", "", []string{"satus"}, "Unknown command \"satus\" for \"tock agent\".\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := agentCmd(t, bin, t.TempDir(), c.stdin, c.args...)
			if code != 1 || stderr != c.want || stdout != "" {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant stderr %q", code, stdout, stderr, c.want)
			}
		})
	}

	// A project that isn't there, once signed in.
	dir := t.TempDir()
	if code, _, stderr := agentCmd(t, bin, dir, "owner-password-1\n", "login", "--server", srv.URL, "--email", "owner@example.test", "--password-stdin"); code != 0 {
		t.Fatalf("login: exit %d: %s", code, stderr)
	}
	code, _, stderr := agentCmd(t, bin, dir, "", "start", "--project", "Intranet")
	if want := "No project \"Intranet\" that you can track to: see `tock agent projects`.\n"; code != 1 || stderr != want {
		t.Errorf("unknown project: exit %d, stderr %q, want %q", code, stderr, want)
	}
}
