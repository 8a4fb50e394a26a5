//go:build linux

package agent_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	tt "github.com/tock-app/tock/internal/tocktest"
)

// terminal runs the real binary on a pseudo-terminal, as in a person's
// terminal window: the test types on it and reads the screen.
type terminal struct {
	t        *testing.T
	cmd      *exec.Cmd
	ptm, tty *os.File
	mu       sync.Mutex
	screen   bytes.Buffer
	copied   chan struct{}
}

func startTerminal(t *testing.T, bin string, env []string, args ...string) *terminal {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, ptm: ptm, tty: tty, copied: make(chan struct{})}
	term.cmd = exec.Command(bin, args...)
	term.cmd.Env = env
	term.cmd.Stdin, term.cmd.Stdout, term.cmd.Stderr = tty, tty, tty
	// Its own session with the terminal as controlling tty, so Ctrl-C
	// reaches it as it does in a shell.
	term.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := term.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(term.copied)
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			term.mu.Lock()
			term.screen.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		if term.cmd.ProcessState == nil {
			term.cmd.Process.Kill()
			term.cmd.Wait()
		}
		tty.Close()
		ptm.Close()
	})
	return term
}

func (term *terminal) String() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.screen.String()
}

// waitFor waits until ok holds, at most 30 s.
func (term *terminal) waitFor(what string, ok func() bool) {
	term.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	term.t.Fatalf("timed out waiting for %s; screen:\n%q", what, term.String())
}

// echo reports whether the terminal echoes what is typed.
func (term *terminal) echo() bool {
	tio, err := unix.IoctlGetTermios(int(term.tty.Fd()), unix.TCGETS)
	if err != nil {
		term.t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// typeAfterPrompt waits for prompt, then (a person reads before typing)
// for the echo to go off, at most 2 s, and types s.
func (term *terminal) typeAfterPrompt(prompt, s string) {
	term.t.Helper()
	term.waitFor("the prompt "+prompt, func() bool { return strings.Contains(term.String(), prompt) })
	for deadline := time.Now().Add(2 * time.Second); term.echo() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := term.ptm.WriteString(s); err != nil {
		term.t.Fatal(err)
	}
}

// exit waits for the program to end and returns its exit code, all it
// showed and whether it left the terminal echoing.
func (term *terminal) exit() (code int, screen string, echo bool) {
	term.t.Helper()
	done := make(chan error, 1)
	go func() { done <- term.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		term.t.Fatalf("still running after 60 s; screen:\n%q", term.String())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		term.t.Fatal(err)
	}
	echo = term.echo()
	// Once no one holds the terminal, reading it ends (EIO) after the rest.
	term.tty.Close()
	select {
	case <-term.copied:
	case <-time.After(5 * time.Second):
	}
	return code, term.String(), echo
}

// TestLoginInATerminal: in a real terminal, the password typed at login's
// prompt is never shown, and the sign-in works; Ctrl-C at the prompt gives
// the terminal its echo back.
func TestLoginInATerminal(t *testing.T) {
	t.Parallel()
	bin := tt.Binary(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	owner(t, srv.URL)
	dir := t.TempDir()
	env := append(os.Environ(), "TOCK_AGENT_DIR="+dir)
	const password = "owner-password-1"

	t.Run("the password is not echoed", func(t *testing.T) {
		term := startTerminal(t, bin, env, "agent", "login", "--server", srv.URL, "--email", "owner@example.test")
		term.typeAfterPrompt("Password: ", password+"\r")
		code, screen, echo := term.exit()
		// Not even its start ("owner-p", unlike the e-mail) may show.
		if strings.Contains(screen, password[:7]) {
			t.Errorf("the password shows on the terminal:\n%q", screen)
		}
		if code != 0 || !strings.Contains(screen, "Signed in to "+srv.URL+" as owner@example.test (organization Acme).") {
			t.Fatalf("login failed (exit %d):\n%q", code, screen)
		}
		if !echo {
			t.Error("login left the terminal without echo")
		}
		if _, err := os.Stat(filepath.Join(dir, "session.json")); err != nil {
			t.Errorf("no session stored: %v", err)
		}
	})

	t.Run("Ctrl-C at the prompt restores the echo", func(t *testing.T) {
		term := startTerminal(t, bin, env, "agent", "login", "--server", srv.URL, "--email", "owner@example.test")
		term.typeAfterPrompt("Password: ", "\x03")
		code, screen, echo := term.exit()
		if code == 0 {
			t.Errorf("login went on after Ctrl-C:\n%q", screen)
		}
		if !echo {
			t.Error("Ctrl-C at the password prompt left the terminal without echo")
		}
	})
}
