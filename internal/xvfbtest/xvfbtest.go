// Package xvfbtest runs a real X server (Xvfb) for tests: one 2560x800
// screen split into two 1280x800 RandR monitors, as the agent sees a
// dual-monitor desktop. See docs/TESTING.md for why it is set up
// this way (-noreset keeps the monitors; Xinerama needs one screen).
//
// The tools come from scripts/test-deps (packages xvfb, x11-xserver-utils,
// xauth, xdotool). When they are missing the tests skip, unless
// TOCK_REQUIRE_X=1 (set by `make test`), which makes it a failure.
package xvfbtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"

	"github.com/tock-app/tock/internal/component"
)

// Geometry of the test display.
const (
	ScreenWidth   = 2560
	ScreenHeight  = 800
	MonitorWidth  = 1280
	MonitorHeight = 800
	Monitors      = 2
)

// Tools is what Start needs on PATH.
var Tools = []string{"Xvfb", "xrandr", "xauth", "xdotool", "xsetroot", "xdpyinfo"}

const startTimeout = 20 * time.Second

// Start launches Xvfb on a free display number (Xvfb picks it: -displayfd)
// with an xauth cookie, splits its screen into monitors L and R with
// xrandr --setmonitor, waits until it answers (a real X connection, at most
// 20 s) and checks that Xinerama reports the two monitors. It sets DISPLAY
// and XAUTHORITY for the test, unsets XDG_SESSION_TYPE (restored after),
// and stops the server in t.Cleanup. It returns the display (":N").
func Start(t testing.TB) string {
	t.Helper()
	return StartMonitors(t, MonitorWidth, MonitorHeight)
}

// StartMonitors is Start with two monitors of mw x mh side by side.
func StartMonitors(t testing.TB, mw, mh int) string {
	t.Helper()
	d := Launch(t, mw, mh)
	t.Setenv("DISPLAY", d.Name)
	t.Setenv("XAUTHORITY", d.Auth)
	// Some libraries treat XDG_SESSION_TYPE="" differently from unset (the
	// screenshot library switches to a portal for "wayland"): unset it.
	// t.Setenv registers the restore of the original value.
	t.Setenv("XDG_SESSION_TYPE", "")
	os.Unsetenv("XDG_SESSION_TYPE")
	return d.Name
}

// Display is a running test X server.
type Display struct {
	Name string // ":N"
	Auth string // its Xauthority file
}

// Env is what a process needs, after its inherited environment, to use the
// display: later entries of an exec.Cmd's Env win, and the session type says
// X11 (the capture library changes its path when it says Wayland).
func (d Display) Env() []string {
	return []string{"DISPLAY=" + d.Name, "XAUTHORITY=" + d.Auth, "XDG_SESSION_TYPE=x11"}
}

// Launch is StartMonitors without touching the test process's environment
// (t.Setenv forbids parallel tests): for tests whose X clients are child
// processes given d.Env(), so that several can run side by side.
func Launch(t testing.TB, mw, mh int) Display {
	t.Helper()
	requireTools(t)

	dir := t.TempDir()
	authFile := filepath.Join(dir, "Xauthority")
	cookie := make([]byte, 16)
	if _, err := rand.Read(cookie); err != nil {
		t.Fatalf("xvfbtest: cookie: %v", err)
	}
	hexCookie := hex.EncodeToString(cookie)
	// The server loads every cookie of the file whatever its display
	// number, which is not known yet; the entry for the real number is
	// added once Xvfb has chosen it.
	run(t, nil, "xauth", "-q", "-f", authFile, "add", ":65535", ".", hexCookie)

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("xvfbtest: pipe: %v", err)
	}
	var serverLog lockedBuffer
	cmd := exec.Command("Xvfb", "-displayfd", "3",
		"-screen", "0", fmt.Sprintf("%dx%dx24", Monitors*mw, mh),
		"-noreset", "-nolisten", "tcp", "-auth", authFile)
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.Stdout, cmd.Stderr = &serverLog, &serverLog
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		t.Fatalf("xvfbtest: start Xvfb: %v", err)
	}
	w.Close()
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		stop(t, cmd, exited)
	})
	fail := func(format string, args ...any) {
		t.Helper()
		r.Close()
		t.Fatalf("xvfbtest: "+format+"\nXvfb output:\n%s", append(args, serverLog.String())...)
	}

	// -displayfd: Xvfb writes "N\n" once it accepts connections.
	numCh := make(chan string, 1)
	go func() {
		var buf [32]byte
		var got []byte
		for {
			n, err := r.Read(buf[:])
			got = append(got, buf[:n]...)
			if bytes.IndexByte(got, '\n') >= 0 || err != nil {
				numCh <- strings.TrimSpace(string(got))
				return
			}
		}
	}()
	var num string
	select {
	case num = <-numCh:
	case <-exited:
		fail("Xvfb exited before it was ready")
	case <-time.After(startTimeout):
		fail("Xvfb not ready after %v", startTimeout)
	}
	r.Close()
	if num == "" {
		fail("Xvfb reported no display number")
	}
	display := ":" + num
	run(t, nil, "xauth", "-q", "-f", authFile, "add", display, ".", hexCookie)

	d := Display{Name: display, Auth: authFile}
	env := append(os.Environ(), d.Env()...)
	run(t, env, "xrandr", "--setmonitor", "L", fmt.Sprintf("%d/338x%d/211+0+0", mw, mh), "screen")
	run(t, env, "xrandr", "--setmonitor", "R", fmt.Sprintf("%d/338x%d/211+%d+0", mw, mh, mw), "none")

	// A real X connection (with the cookie) and the monitors as Xinerama
	// reports them, which is what the capture library reads.
	deadline := time.Now().Add(startTimeout)
	for {
		n, err := xineramaHeads(env)
		if err == nil && n == Monitors {
			break
		}
		if time.Now().After(deadline) {
			fail("display %s: want %d Xinerama monitors, got %d (err %v)", display, Monitors, n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("xvfbtest: Xvfb on DISPLAY=%s, %dx%d split into %d monitors", display, Monitors*mw, mh, Monitors)
	return d
}

// xineramaHeads counts the monitors Xinerama reports to a client with env,
// through xdpyinfo (an X client in this process would read XAUTHORITY from
// the process's environment, which Launch leaves alone).
func xineramaHeads(env []string) (int, error) {
	cmd := exec.Command("xdpyinfo", "-ext", "XINERAMA")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("xdpyinfo: %w: %s", err, out)
	}
	return strings.Count(string(out), "head #"), nil
}

func xineramaMonitors(display string) (int, error) {
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return 0, err
	}
	defer CloseConn(c)
	if err := xinerama.Init(c); err != nil {
		return 0, err
	}
	r, err := xinerama.QueryScreens(c).Reply()
	if err != nil {
		return 0, err
	}
	return int(r.Number), nil
}

// CloseConn closes an xgb connection and waits until it has shut down
// (xgb's Close is asynchronous), so that stopping the server afterwards does
// not make xgb log read errors. Not for connections whose events another
// goroutine reads.
func CloseConn(c *xgb.Conn) {
	c.Close()
	for {
		if ev, err := c.WaitForEvent(); ev == nil && err == nil {
			return
		}
	}
}

// Xdotool runs xdotool with args against the test display (the DISPLAY
// Start set), failing the test on error.
func Xdotool(t testing.TB, args ...string) {
	t.Helper()
	run(t, nil, "xdotool", args...)
}

// Xsetroot runs xsetroot (x11-xserver-utils) with args against the test
// display, e.g. "-solid", "red" or "-mod", "4", "4".
func Xsetroot(t testing.TB, args ...string) {
	t.Helper()
	run(t, nil, "xsetroot", args...)
}

func run(t testing.TB, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env // nil: the current environment
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("xvfbtest: %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func requireTools(t testing.TB) {
	t.Helper()
	var missing []string
	for _, tool := range Tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("xvfbtest: %s not found on PATH; run scripts/test-deps (make deps) to install "+
		"xvfb x11-xserver-utils xauth xdotool x11-utils", strings.Join(missing, ", "))
	component.Missing(t, "TOCK_REQUIRE_X", "X11", msg)
}

// stop ends Xvfb: SIGTERM, then SIGKILL if it has not exited in 5 s.
func stop(t testing.TB, cmd *exec.Cmd, exited <-chan struct{}) {
	select {
	case <-exited:
		return
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Logf("xvfbtest: Xvfb (pid %d) ignored SIGTERM; killing it", cmd.Process.Pid)
		cmd.Process.Kill()
		<-exited
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// PaintRoot makes img (the screen's size, or smaller: the rest stays as it
// was) the root window's background, as a wallpaper: what every capture of
// the display then shows where no window covers it. The server keeps the
// picture after this connection closes, as it does for xsetroot's.
func PaintRoot(t testing.TB, img *image.RGBA) {
	t.Helper()
	c, err := xgb.NewConn()
	if err != nil {
		t.Fatalf("xvfbtest: connect: %v", err)
	}
	defer CloseConn(c)
	screen := xproto.Setup(c).DefaultScreen(c)
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	pix, err := xproto.NewPixmapId(c)
	if err != nil {
		t.Fatalf("xvfbtest: pixmap id: %v", err)
	}
	gc, err := xproto.NewGcontextId(c)
	if err != nil {
		t.Fatalf("xvfbtest: gc id: %v", err)
	}
	xproto.CreatePixmap(c, screen.RootDepth, pix, xproto.Drawable(screen.Root), uint16(w), uint16(h))
	xproto.CreateGC(c, gc, xproto.Drawable(pix), 0, nil)
	// ZPixmap at depth 24 is 4 bytes a pixel, B G R x; requests are at
	// most 256 KB without BIG-REQUESTS, so the picture goes in strips.
	rows := max(1, (256<<10-64)/(4*w))
	data := make([]byte, 4*w*rows)
	for y0 := 0; y0 < h; y0 += rows {
		n := min(rows, h-y0)
		for y := range n {
			src := img.Pix[img.PixOffset(img.Bounds().Min.X, img.Bounds().Min.Y+y0+y):][:4*w]
			dst := data[4*w*y:]
			for x := 0; x < 4*w; x += 4 {
				dst[x], dst[x+1], dst[x+2], dst[x+3] = src[x+2], src[x+1], src[x], 0
			}
		}
		xproto.PutImage(c, xproto.ImageFormatZPixmap, xproto.Drawable(pix), gc,
			uint16(w), uint16(n), 0, int16(y0), 0, screen.RootDepth, data[:4*w*n])
	}
	xproto.ChangeWindowAttributes(c, screen.Root, xproto.CwBackPixmap, []uint32{uint32(pix)})
	xproto.ClearArea(c, false, screen.Root, 0, 0, 0, 0)
	xproto.FreePixmap(c, pix)
	// A round trip: everything above has been done (or has failed).
	if _, err := xproto.GetInputFocus(c).Reply(); err != nil {
		t.Fatalf("xvfbtest: paint the root window: %v", err)
	}
}
