// Package dbustest runs the desktop's D-Bus services for tests: a private
// session bus (dbus-daemon), a real notification server (dunst) on it, and
// the tray host's side of the StatusNotifierItem protocol, played by the
// test itself (Debian packages no StatusNotifier host that runs headless).
// The tools come from scripts/test-deps (packages dbus, dbus-x11, dunst);
// when they are missing the tests skip, unless TOCK_REQUIRE_X=1 (set by
// `make test`), which makes it a failure.
package dbustest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/tock-app/tock/internal/component"
)

// Tools is what the package needs on PATH.
var Tools = []string{"dbus-daemon", "dunst", "dunstctl"}

func requireTools(t testing.TB) {
	t.Helper()
	var missing []string
	for _, tool := range Tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		component.Missing(t, "TOCK_REQUIRE_X", "D-Bus", fmt.Sprintf("dbustest: %s not found on PATH; run scripts/test-deps to install dbus dbus-x11 dunst", strings.Join(missing, ", ")))
	}
}

// Bus starts a private session bus listening in a temporary directory, sets
// DBUS_SESSION_BUS_ADDRESS for the test (processes it starts inherit it)
// and stops the bus when the test ends. It returns the address.
func Bus(t testing.TB) string {
	t.Helper()
	requireTools(t)
	// Not t.TempDir: a socket path must stay under 108 bytes and a D-Bus
	// address can't hold the '=' of subtest names unescaped.
	dir, err := os.MkdirTemp("", "tockbus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile",
		"--address=unix:path="+filepath.Join(dir, "bus"), "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbustest: start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatalf("dbustest: dbus-daemon printed no address: %s", logs.String())
		}
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
		return addr
	case <-time.After(10 * time.Second):
		t.Fatalf("dbustest: dbus-daemon gave no address in 10 s: %s", logs.String())
	}
	return ""
}

// Connect opens a private connection to the test's bus.
func Connect(t testing.TB) *dbus.Conn {
	t.Helper()
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err == nil {
		if err = conn.Auth(nil); err == nil {
			err = conn.Hello()
		}
	}
	if err != nil {
		t.Fatalf("dbustest: connect to the session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// waitOwner waits until something owns name on the bus.
func waitOwner(t testing.TB, conn *dbus.Conn, name string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		var has bool
		if conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has) == nil && has {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("dbustest: nobody owns %s after %v", name, d)
}
