package desktop

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/tock-app/tock/agent/capture"
	"github.com/tock-app/tock/internal/screentest"
	"github.com/tock-app/tock/internal/xvfbtest"
)

// openX starts Xvfb (two 1280x800 monitors) and opens the Desktop on it.
func openX(t testing.TB) Desktop {
	t.Helper()
	xvfbtest.Start(t)
	d, err := Open()
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// xclient is a second X client playing the part of applications and a
// window manager.
type xclient struct {
	t      testing.TB
	c      *xgb.Conn
	screen *xproto.ScreenInfo
}

func newXClient(t testing.TB) *xclient {
	t.Helper()
	c, err := xgb.NewConn()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { xvfbtest.CloseConn(c) })
	return &xclient{t: t, c: c, screen: xproto.Setup(c).DefaultScreen(c)}
}

func (x *xclient) atom(name string) xproto.Atom {
	x.t.Helper()
	r, err := xproto.InternAtom(x.c, false, uint16(len(name)), name).Reply()
	if err != nil {
		x.t.Fatal(err)
	}
	return r.Atom
}

// window creates and maps a window filled with colour pixel at r.
func (x *xclient) window(r image.Rectangle, pixel uint32) xproto.Window {
	x.t.Helper()
	id, err := xproto.NewWindowId(x.c)
	if err != nil {
		x.t.Fatal(err)
	}
	err = xproto.CreateWindowChecked(x.c, x.screen.RootDepth, id, x.screen.Root,
		int16(r.Min.X), int16(r.Min.Y), uint16(r.Dx()), uint16(r.Dy()), 0,
		xproto.WindowClassInputOutput, x.screen.RootVisual,
		xproto.CwBackPixel|xproto.CwOverrideRedirect, []uint32{pixel, 1}).Check()
	if err != nil {
		x.t.Fatal(err)
	}
	if err := xproto.MapWindowChecked(x.c, id).Check(); err != nil {
		x.t.Fatal(err)
	}
	// A round trip after the map: the server has painted the background.
	if _, err := xproto.GetInputFocus(x.c).Reply(); err != nil {
		x.t.Fatal(err)
	}
	return id
}

func (x *xclient) setProp(w xproto.Window, prop, typ xproto.Atom, format byte, data []byte) {
	x.t.Helper()
	n := len(data) / int(format/8)
	if err := xproto.ChangePropertyChecked(x.c, xproto.PropModeReplace, w, prop, typ, format, uint32(n), data).Check(); err != nil {
		x.t.Fatal(err)
	}
}

func (x *xclient) setActive(w xproto.Window) {
	x.t.Helper()
	v := []byte{byte(w), byte(w >> 8), byte(w >> 16), byte(w >> 24)}
	x.setProp(x.screen.Root, x.atom("_NET_ACTIVE_WINDOW"), xproto.AtomWindow, 32, v)
}

// keycode returns the key code the server maps to keysym.
func (x *xclient) keycode(keysym xproto.Keysym) byte {
	x.t.Helper()
	setup := xproto.Setup(x.c)
	count := byte(setup.MaxKeycode - setup.MinKeycode + 1)
	r, err := xproto.GetKeyboardMapping(x.c, setup.MinKeycode, count).Reply()
	if err != nil {
		x.t.Fatal(err)
	}
	per := int(r.KeysymsPerKeycode)
	for i, ks := range r.Keysyms {
		if ks == keysym {
			return byte(int(setup.MinKeycode) + i/per)
		}
	}
	x.t.Fatalf("no key code for keysym 0x%x", keysym)
	return 0
}

func keyBit(in Input, code byte) bool { return in.Keys[code/8]&(1<<(code%8)) != 0 }

func keysDown(in Input) []int {
	var down []int
	for i := 0; i < 256; i++ {
		if keyBit(in, byte(i)) {
			down = append(down, i)
		}
	}
	return down
}

func TestOpenNoDisplay(t *testing.T) {
	tests := []struct {
		name    string
		display string
		want    []string
	}{
		{"unset", "", []string{"DISPLAY is not set"}},
		{"unreachable", ":4242", []string{"DISPLAY", `":4242"`}},
		{"malformed", "not-a-display", []string{"DISPLAY", "not-a-display"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DISPLAY", tt.display)
			d, err := Open()
			if err == nil {
				d.Close()
				t.Fatal("Open succeeded without a display")
			}
			if !errors.Is(err, ErrNoDisplay) {
				t.Errorf("error %q does not wrap ErrNoDisplay", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}

// probe is the colour expected at a point of one monitor's capture.
type probe struct {
	monitor int
	at      image.Point
	want    color.RGBA
}

func TestCapture(t *testing.T) {
	d := openX(t)
	x := newXClient(t)

	check := func(t *testing.T, wantBlank [xvfbtest.Monitors]bool, probes ...probe) {
		t.Helper()
		imgs, err := captureAll(d)
		if err != nil {
			t.Fatalf("Capture: %v", err)
		}
		if len(imgs) != xvfbtest.Monitors {
			t.Fatalf("Capture returned %d images, want %d", len(imgs), xvfbtest.Monitors)
		}
		for i, img := range imgs {
			if s := img.Bounds().Size(); s != image.Pt(xvfbtest.MonitorWidth, xvfbtest.MonitorHeight) {
				t.Errorf("monitor %d: %v, want %dx%d", i, s, xvfbtest.MonitorWidth, xvfbtest.MonitorHeight)
			}
			if got := capture.IsBlank(img); got != wantBlank[i] {
				t.Errorf("monitor %d: IsBlank = %v, want %v", i, got, wantBlank[i])
			}
		}
		for _, p := range probes {
			img := imgs[p.monitor]
			b := img.Bounds()
			got := color.RGBAModel.Convert(img.At(b.Min.X+p.at.X, b.Min.Y+p.at.Y)).(color.RGBA)
			if got != p.want {
				t.Errorf("monitor %d pixel %v = %v, want %v", p.monitor, p.at, got, p.want)
			}
		}
	}
	black := color.RGBA{0, 0, 0, 255}
	white := color.RGBA{255, 255, 255, 255}

	t.Run("default black root is blank", func(t *testing.T) {
		check(t, [2]bool{true, true}, probe{0, image.Pt(640, 400), black}, probe{1, image.Pt(640, 400), black})
	})
	t.Run("solid colour root is blank", func(t *testing.T) {
		xvfbtest.Xsetroot(t, "-solid", "#3366cc")
		c := color.RGBA{0x33, 0x66, 0xcc, 255}
		check(t, [2]bool{true, true}, probe{0, image.Pt(10, 10), c}, probe{1, image.Pt(1200, 700), c})
	})
	t.Run("patterned root is not blank", func(t *testing.T) {
		xvfbtest.Xsetroot(t, "-mod", "4", "4", "-fg", "white", "-bg", "black")
		check(t, [2]bool{false, false})
	})
	t.Run("window on the right monitor only", func(t *testing.T) {
		xvfbtest.Xsetroot(t, "-solid", "black")
		// A white 400x300 window at screen x=1380: x=100 on monitor R.
		w := x.window(image.Rect(1380, 50, 1780, 350), x.screen.WhitePixel)
		defer xproto.DestroyWindow(x.c, w)
		check(t, [2]bool{true, false},
			probe{0, image.Pt(200, 100), black},
			probe{1, image.Pt(100, 50), white},  // the window's top-left pixel
			probe{1, image.Pt(499, 349), white}, // its bottom-right pixel
			probe{1, image.Pt(99, 50), black},   // just left of it
			probe{1, image.Pt(500, 349), black}) // just right of it
	})
}

// captureAll is every monitor's capture, each copied out of the frame
// Capture reuses.
func captureAll(d Desktop) ([]*image.RGBA, error) {
	var imgs []*image.RGBA
	err := d.Capture(func(screen int, img *image.RGBA) error {
		if screen != len(imgs) {
			return fmt.Errorf("screen %d after %d screens", screen, len(imgs))
		}
		c := *img
		c.Pix = bytes.Clone(img.Pix)
		imgs = append(imgs, &c)
		return nil
	})
	return imgs, err
}

// TestCapturePixels: each monitor's capture is exactly its part of the
// screen, pixel for pixel (colours, byte order, rows across the strips
// GetImage reads), through MIT-SHM and without it; every monitor of every
// capture comes in the same frame; and its shared memory segment is the
// only one and is gone after Close.
func TestCapturePixels(t *testing.T) {
	d := openX(t)
	screen := screentest.Image(xvfbtest.ScreenWidth, xvfbtest.ScreenHeight, 5)
	xvfbtest.PaintRoot(t, screen)
	xd := d.(*x11Desktop)
	for _, useShm := range []bool{true, false} {
		t.Run(fmt.Sprintf("MIT-SHM=%v", useShm), func(t *testing.T) {
			xd.mu.Lock()
			if useShm && !xd.conn.shm {
				t.Fatal("Xvfb offers no MIT-SHM")
			}
			xd.conn.shm = useShm
			xd.mu.Unlock()
			xd.capture.Lock()
			xd.dropFrame()
			xd.capture.Unlock()
			var frames []*uint8
			imgs, err := captureAll(d)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				d.Capture(func(_ int, img *image.RGBA) error {
					frames = append(frames, &img.Pix[0])
					return nil
				})
			}
			if len(imgs) != xvfbtest.Monitors {
				t.Fatalf("%d monitors captured, want %d", len(imgs), xvfbtest.Monitors)
			}
			for i, img := range imgs {
				want := screen.SubImage(image.Rect(i*xvfbtest.MonitorWidth, 0, (i+1)*xvfbtest.MonitorWidth, xvfbtest.MonitorHeight)).(*image.RGBA)
				if img.Bounds() != image.Rect(0, 0, xvfbtest.MonitorWidth, xvfbtest.MonitorHeight) {
					t.Fatalf("monitor %d: bounds %v", i, img.Bounds())
				}
				bad := 0
				for y := range xvfbtest.MonitorHeight {
					for x := range xvfbtest.MonitorWidth {
						if got, w := img.RGBAAt(x, y), want.RGBAAt(want.Rect.Min.X+x, y); got != w && bad < 5 {
							t.Errorf("monitor %d pixel (%d,%d) = %v, want %v", i, x, y, got, w)
							bad++
						}
					}
				}
			}
			for _, f := range frames[1:] {
				if f != frames[0] {
					t.Fatal("monitors or captures came in different frames: want one frame, reused")
				}
			}
			if shared := xd.frame.conn != nil; shared != useShm {
				t.Errorf("frame shared: %v, want %v", shared, useShm)
			}
			want := 0
			if useShm {
				want = 1
			}
			if n := sharedSegments(t); n != want {
				t.Errorf("%d shared memory segments, want %d", n, want)
			}
		})
	}
	d.Close()
	deadline := time.Now().Add(5 * time.Second)
	for sharedSegments(t) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := sharedSegments(t); n > 0 {
		t.Errorf("%d shared memory segments left after Close", n)
	}
}

// sharedSegments counts the SysV shared memory segments this process
// created that still exist.
func sharedSegments(t *testing.T) int {
	b, err := os.ReadFile("/proc/sysvipc/shm")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n")[1:] { // after the heading
		if f := strings.Fields(line); len(f) > 4 && f[4] == fmt.Sprint(os.Getpid()) { // cpid
			n++
		}
	}
	return n
}

// TestCaptureStopsAtCallbackError: the callback's error ends the capture
// and comes back unchanged.
func TestCaptureStopsAtCallbackError(t *testing.T) {
	d := openX(t)
	stop := errors.New("spool full")
	calls := 0
	err := d.Capture(func(int, *image.RGBA) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("Capture = %v after %d calls, want the callback's error after 1", err, calls)
	}
}

func TestSample(t *testing.T) {
	d := openX(t)
	x := newXClient(t)
	keyA := x.keycode(0x61) // XK_a
	var m Meter

	sample := func() Input {
		t.Helper()
		in, err := d.Sample()
		if err != nil {
			t.Fatalf("Sample: %v", err)
		}
		return in
	}

	// No input: the idle time grows.
	s1 := sample()
	time.Sleep(300 * time.Millisecond)
	s2 := sample()
	t.Logf("idle %v, then %v after 300ms", s1.Idle, s2.Idle)
	if s2.Idle <= s1.Idle {
		t.Errorf("idle did not grow without input: %v then %v", s1.Idle, s2.Idle)
	}
	if got := m.Observe(s1, s2); got.Keyboard || got.Mouse {
		t.Errorf("Meter without input = %+v", got)
	}

	// Pointer motion: position reflected, idle reset, Meter reports Mouse.
	xvfbtest.Xdotool(t, "mousemove", "100", "100")
	s3 := sample()
	if s3.PointerX != 100 || s3.PointerY != 100 {
		t.Errorf("pointer at %d,%d after mousemove 100 100", s3.PointerX, s3.PointerY)
	}
	if s3.Idle >= s2.Idle {
		t.Errorf("idle %v after mousemove, not below %v before it", s3.Idle, s2.Idle)
	}
	if got, want := m.Observe(s2, s3), (Second{Mouse: true, Active: true}); got != want {
		t.Errorf("Meter around mousemove = %+v, want %+v", got, want)
	}
	xvfbtest.Xdotool(t, "mousemove", "2000", "700") // onto the right monitor
	if s := sample(); s.PointerX != 2000 || s.PointerY != 700 {
		t.Errorf("pointer at %d,%d after mousemove 2000 700", s.PointerX, s.PointerY)
	}

	// A key held down: exactly its bit is set, Meter reports Keyboard.
	time.Sleep(100 * time.Millisecond)
	s4 := sample()
	xvfbtest.Xdotool(t, "keydown", "a")
	t.Cleanup(func() { d.Sample() }) // (the server goes away with the test)
	s5 := sample()
	if down := keysDown(s5); len(down) != 1 || down[0] != int(keyA) {
		t.Errorf("keys down after keydown a = %v, want [%d]", down, keyA)
	}
	if s5.Idle >= s4.Idle {
		t.Errorf("idle %v after keydown, not below %v before it", s5.Idle, s4.Idle)
	}
	if got, want := m.Observe(s4, s5), (Second{Keyboard: true, Active: true}); got != want {
		t.Errorf("Meter around keydown = %+v, want %+v", got, want)
	}
	xvfbtest.Xdotool(t, "keyup", "a")
	s6 := sample()
	if down := keysDown(s6); len(down) != 0 {
		t.Errorf("keys down after keyup = %v, want none", down)
	}
	if got := m.Observe(s5, s6); !got.Keyboard || got.Mouse {
		t.Errorf("Meter around keyup = %+v, want Keyboard only", got)
	}
	// Tapping a key between samples leaves the key map as it was; the idle
	// time shows there was input.
	time.Sleep(100 * time.Millisecond)
	s7 := sample()
	xvfbtest.Xdotool(t, "key", "b")
	s8 := sample()
	if s8.Keys != s7.Keys || s8.Idle >= s7.Idle {
		t.Errorf("key tap: keys changed %v, idle %v -> %v", s8.Keys != s7.Keys, s7.Idle, s8.Idle)
	}

	// Buttons: mask bits 0 (left) and 2 (right).
	for _, b := range []struct {
		button string
		mask   uint16
	}{{"1", 1}, {"3", 4}} {
		xvfbtest.Xdotool(t, "mousedown", b.button)
		down := sample()
		xvfbtest.Xdotool(t, "mouseup", b.button)
		up := sample()
		if down.Buttons != b.mask || up.Buttons != 0 {
			t.Errorf("button %s: mask %#x while down (want %#x), %#x after release", b.button, down.Buttons, b.mask, up.Buttons)
		}
		if got := m.Observe(up, down); !got.Mouse || got.Keyboard {
			t.Errorf("Meter around mousedown %s = %+v, want Mouse only", b.button, got)
		}
	}
}

func TestActiveWindow(t *testing.T) {
	d := openX(t)
	x := newXClient(t)
	utf8 := x.atom("UTF8_STRING")
	netWMName := x.atom("_NET_WM_NAME")

	// Without a window manager nothing publishes _NET_ACTIVE_WINDOW.
	t.Run("no window manager", func(t *testing.T) {
		w, err := d.ActiveWindow()
		if err != nil || w != (Window{}) {
			t.Fatalf("ActiveWindow = %+v, %v; want Window{}, nil", w, err)
		}
	})

	browser := x.window(image.Rect(0, 0, 200, 100), x.screen.BlackPixel)
	x.setProp(browser, xproto.AtomWmClass, xproto.AtomString, 8, []byte("Navigator\x00firefox\x00"))
	x.setProp(browser, netWMName, utf8, 8, []byte("github.com/tock-app/tock — Mozilla Firefox"))
	x.setProp(browser, xproto.AtomWmName, xproto.AtomString, 8, []byte("stale WM_NAME"))

	term := x.window(image.Rect(0, 0, 200, 100), x.screen.BlackPixel)
	x.setProp(term, xproto.AtomWmClass, xproto.AtomString, 8, []byte("xterm\x00XTerm\x00"))
	x.setProp(term, xproto.AtomWmName, xproto.AtomString, 8, []byte("caf\xe9: ~/src"))

	// xterm sets WM_NAME as COMPOUND_TEXT: plain ISO 8859-1, with UTF-8
	// in ESC % G … ESC % @ segments.
	compound := x.atom("COMPOUND_TEXT")
	xterm := x.window(image.Rect(0, 0, 200, 100), x.screen.BlackPixel)
	x.setProp(xterm, xproto.AtomWmClass, xproto.AtomString, 8, []byte("xterm\x00XTerm\x00"))
	x.setProp(xterm, xproto.AtomWmName, compound, 8, []byte("Tock wiki \x1b%G—\x1b%@ https://wiki.example.com/tock caf\xe9"))

	cyrillic := x.window(image.Rect(0, 0, 200, 100), x.screen.BlackPixel)
	x.setProp(cyrillic, xproto.AtomWmClass, xproto.AtomString, 8, []byte("xterm\x00XTerm\x00"))
	x.setProp(cyrillic, xproto.AtomWmName, compound, 8, []byte("\x1b-L\xbf\xe0\xd8\xd2\xd5\xe2"))

	// Both names set: _NET_WM_NAME is what the client means.
	both := x.window(image.Rect(0, 0, 200, 100), x.screen.BlackPixel)
	x.setProp(both, xproto.AtomWmClass, xproto.AtomString, 8, []byte("xterm\x00XTerm\x00"))
	x.setProp(both, netWMName, utf8, 8, []byte("vim — notes.md"))
	x.setProp(both, xproto.AtomWmName, compound, 8, []byte("vim \x1b%G—\x1b%@ old"))

	bare := x.window(image.Rect(0, 0, 10, 10), x.screen.BlackPixel) // no properties

	gone := x.window(image.Rect(0, 0, 10, 10), x.screen.BlackPixel)
	x.setProp(gone, xproto.AtomWmClass, xproto.AtomString, 8, []byte("a\x00Gone\x00"))
	if err := xproto.DestroyWindowChecked(x.c, gone).Check(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		active xproto.Window
		want   Window
	}{
		{"browser: _NET_WM_NAME wins, URL from title", browser,
			Window{App: "firefox", Title: "github.com/tock-app/tock — Mozilla Firefox", URL: "github.com/tock-app/tock"}},
		{"terminal: Latin-1 WM_NAME", term, Window{App: "XTerm", Title: "café: ~/src"}},
		{"xterm: COMPOUND_TEXT WM_NAME with UTF-8", xterm,
			Window{App: "XTerm", Title: "Tock wiki — https://wiki.example.com/tock café", URL: "https://wiki.example.com/tock"}},
		{"xterm: COMPOUND_TEXT WM_NAME in ISO 8859-5", cyrillic, Window{App: "XTerm", Title: "Привет"}},
		{"_NET_WM_NAME wins over COMPOUND_TEXT", both, Window{App: "XTerm", Title: "vim — notes.md"}},
		{"window without properties", bare, Window{}},
		{"destroyed window", gone, Window{}},
		{"None", 0, Window{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x.setActive(tt.active)
			got, err := d.ActiveWindow()
			if err != nil {
				t.Fatalf("ActiveWindow: %v", err)
			}
			if got != tt.want {
				t.Errorf("ActiveWindow = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestServerGone: after the X server stops, every call fails with
// ErrNoDisplay (the connection is redialled once and that fails); after
// Close, calls fail too.
func TestServerGone(t *testing.T) {
	var d Desktop
	var display string
	t.Run("running", func(t *testing.T) {
		display = xvfbtest.Start(t)
		var err error
		if d, err = Open(); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Sample(); err != nil {
			t.Fatal(err)
		}
	})
	if d == nil {
		t.Fatal("no desktop")
	}
	defer d.Close()
	t.Setenv("DISPLAY", display) // the subtest's cleanup restored the old value

	if _, err := d.Sample(); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("Sample after the server stopped: %v, want ErrNoDisplay", err)
	}
	if _, err := d.ActiveWindow(); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("ActiveWindow after the server stopped: %v, want ErrNoDisplay", err)
	}
	_, err := captureAll(d)
	if !errors.Is(err, ErrNoDisplay) || !strings.Contains(err.Error(), display) {
		t.Errorf("Capture after the server stopped: %v, want ErrNoDisplay naming %s", err, display)
	}
	t.Logf("Capture error: %v", err)

	d.Close()
	if _, err := d.Sample(); err == nil {
		t.Error("Sample after Close succeeded")
	}
}

// TestReconnect: a connection that broke while the server lives on is
// replaced transparently.
func TestReconnect(t *testing.T) {
	d := openX(t)
	xd := d.(*x11Desktop)
	xd.mu.Lock()
	xd.conn.c.Close() // as if the socket had failed
	xd.mu.Unlock()
	xvfbtest.Xdotool(t, "mousemove", "321", "123")
	in, err := d.Sample()
	if err != nil {
		t.Fatalf("Sample after the connection broke: %v", err)
	}
	if in.PointerX != 321 || in.PointerY != 123 {
		t.Errorf("pointer %d,%d, want 321,123", in.PointerX, in.PointerY)
	}
}

func TestCaptureDisplayChanged(t *testing.T) {
	d := openX(t)
	t.Setenv("DISPLAY", ":4243")
	_, err := captureAll(d)
	if !errors.Is(err, ErrNoDisplay) || !strings.Contains(err.Error(), "DISPLAY") {
		t.Errorf("Capture with DISPLAY changed: %v, want ErrNoDisplay mentioning DISPLAY", err)
	}
}

func BenchmarkSample(b *testing.B) {
	d := openX(b)
	for b.Loop() {
		if _, err := d.Sample(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCapture: capture both 1280x800 monitors of a screen of windows
// and text, without encoding.
func BenchmarkCapture(b *testing.B) {
	d := openX(b)
	xvfbtest.PaintRoot(b, screentest.Image(xvfbtest.ScreenWidth, xvfbtest.ScreenHeight, 5))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := d.Capture(func(int, *image.RGBA) error { n++; return nil }); err != nil || n != 2 {
			b.Fatalf("Capture: %d images, %v", n, err)
		}
	}
}
