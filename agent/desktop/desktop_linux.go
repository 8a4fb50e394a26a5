//go:build linux

package desktop

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/screensaver"
	"github.com/jezek/xgb/shm"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"
)

// maxPropertyLen is how much of a text property is read, in 32-bit units.
const maxPropertyLen = 1024

// Open connects to the X11 display named by $DISPLAY. The connection is kept
// for the life of the Desktop (and re-established if it breaks). It fails
// with an error wrapping ErrNoDisplay when DISPLAY is unset or the display
// cannot be reached.
func Open() (Desktop, error) {
	display := os.Getenv("DISPLAY")
	if display == "" {
		return nil, fmt.Errorf("%w: DISPLAY is not set; tock agent needs the user's X11 session "+
			"(start it from the desktop session, or export DISPLAY, e.g. DISPLAY=:0)", ErrNoDisplay)
	}
	d := &x11Desktop{display: display}
	c, err := dialX(display)
	if err != nil {
		return nil, err
	}
	d.conn = c
	return d, nil
}

type x11Desktop struct {
	display string

	mu     sync.Mutex
	conn   *xconn // nil after a connection failure, until redialled
	closed bool

	capture sync.Mutex // held by Capture: one at a time uses frame
	frame   *frame     // kept between captures; nil until the first

	// Without MIT-SCREEN-SAVER, idle is measured from changes in sampled input.
	fbPrev     Input
	fbHave     bool
	fbLastSeen time.Time
}

// xconn is one X connection with what was learned when it was opened.
type xconn struct {
	c       *xgb.Conn
	drained chan struct{} // closed when the connection has fully shut down
	root    xproto.Window
	saver   bool // MIT-SCREEN-SAVER available
	// xinerama: the Xinerama extension (which RandR monitors answer too) is
	// available.
	xinerama bool
	shm      bool // MIT-SHM available

	netActiveWindow, netWMName, utf8String, compoundText xproto.Atom
}

func dialX(display string) (*xconn, error) {
	c, err := xgb.NewConnDisplay(display)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot connect to X display %q (DISPLAY): %v", ErrNoDisplay, display, err)
	}
	x := &xconn{c: c, drained: make(chan struct{}), root: xproto.Setup(c).DefaultScreen(c).Root}
	// Drain events and unchecked errors: xgb delivers some (MappingNotify
	// goes to every client) and its reader blocks once 5000 are queued.
	go func() {
		defer close(x.drained)
		for {
			ev, err := c.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
		}
	}()
	names := []string{"_NET_ACTIVE_WINDOW", "_NET_WM_NAME", "UTF8_STRING", "COMPOUND_TEXT"}
	cookies := make([]xproto.InternAtomCookie, len(names))
	for i, n := range names {
		cookies[i] = xproto.InternAtom(c, false, uint16(len(n)), n)
	}
	atoms := make([]xproto.Atom, len(names))
	for i, ck := range cookies {
		r, err := ck.Reply()
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("desktop: X display %q: intern atom %s: %w", display, names[i], err)
		}
		atoms[i] = r.Atom
	}
	x.netActiveWindow, x.netWMName, x.utf8String, x.compoundText = atoms[0], atoms[1], atoms[2], atoms[3]
	x.saver = screensaver.Init(c) == nil
	x.xinerama = xinerama.Init(c) == nil
	x.shm = shm.Init(c) == nil
	return x, nil
}

var errClosed = errors.New("desktop: closed")

// call runs f on the live connection. When the connection fails (the X
// server went away or was restarted), it is dropped and f is retried once
// on a new one, so a restarted server is picked up transparently; when the
// display cannot be reached at all the error wraps ErrNoDisplay. X protocol
// errors (such as BadWindow) are returned as they are.
func (d *x11Desktop) call(f func(x *xconn) error) error {
	for attempt := 0; ; attempt++ {
		x, err := d.connection()
		if err != nil {
			return err
		}
		err = f(x)
		if err == nil {
			return nil
		}
		if _, protocol := err.(xgb.Error); protocol {
			return err
		}
		d.drop(x)
		if attempt > 0 {
			return err
		}
	}
}

// connection returns the live connection, dialling if there is none.
func (d *x11Desktop) connection() (*xconn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, errClosed
	}
	if d.conn == nil {
		c, err := dialX(d.display)
		if err != nil {
			return nil, err
		}
		d.conn = c
	}
	return d.conn, nil
}

// drop closes c if it is still the live connection.
func (d *x11Desktop) drop(c *xconn) {
	d.mu.Lock()
	if d.conn == c {
		d.conn = nil
		c.c.Close()
	}
	d.mu.Unlock()
}

func (d *x11Desktop) Sample() (Input, error) {
	var in Input
	saver := false
	err := d.call(func(x *xconn) error {
		in, saver = Input{}, x.saver
		// Pipelined: one round trip for the three requests.
		pc := xproto.QueryPointer(x.c, x.root)
		kc := xproto.QueryKeymap(x.c)
		var sc screensaver.QueryInfoCookie
		if x.saver {
			sc = screensaver.QueryInfo(x.c, xproto.Drawable(x.root))
		}
		p, err := pc.Reply()
		if err != nil {
			return fmt.Errorf("desktop: X display %q: query pointer: %w", d.display, err)
		}
		in.PointerX, in.PointerY = int(p.RootX), int(p.RootY)
		in.Buttons = (p.Mask >> 8) & 0x1f // Button1Mask (1<<8) .. Button5Mask (1<<12)
		k, err := kc.Reply()
		if err != nil {
			return fmt.Errorf("desktop: X display %q: query keymap: %w", d.display, err)
		}
		copy(in.Keys[:], k.Keys)
		if x.saver {
			s, err := sc.Reply()
			if err != nil {
				return fmt.Errorf("desktop: X display %q: screensaver idle: %w", d.display, err)
			}
			in.Idle = time.Duration(s.MsSinceUserInput) * time.Millisecond
		}
		return nil
	})
	if err != nil {
		return Input{}, err
	}
	if !saver {
		in.Idle = d.fallbackIdle(in)
	}
	return in, nil
}

// fallbackIdle measures idle time as the time since the sampled input last
// changed (only used when the server lacks MIT-SCREEN-SAVER).
func (d *x11Desktop) fallbackIdle(in Input) time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if !d.fbHave || in.PointerX != d.fbPrev.PointerX || in.PointerY != d.fbPrev.PointerY ||
		in.Buttons != d.fbPrev.Buttons || in.Keys != d.fbPrev.Keys || anyKeyDown(&in.Keys) {
		d.fbLastSeen = now
	}
	d.fbPrev, d.fbHave = in, true
	return now.Sub(d.fbLastSeen)
}

func (d *x11Desktop) ActiveWindow() (Window, error) {
	var win Window
	err := d.call(func(x *xconn) error {
		win = Window{}
		r, err := xproto.GetProperty(x.c, false, x.root, x.netActiveWindow, xproto.AtomWindow, 0, 1).Reply()
		if err != nil {
			return fmt.Errorf("desktop: X display %q: read _NET_ACTIVE_WINDOW: %w", d.display, err)
		}
		id, ok := decodeWindow(r.Format, r.Value)
		if !ok {
			return nil // no window manager, or nothing focused
		}
		w := xproto.Window(id)
		// Pipelined: one round trip for the three properties.
		cookies := []xproto.GetPropertyCookie{
			xproto.GetProperty(x.c, false, w, x.netWMName, x.utf8String, 0, maxPropertyLen),
			xproto.GetProperty(x.c, false, w, xproto.AtomWmName, xproto.GetPropertyTypeAny, 0, maxPropertyLen),
			xproto.GetProperty(x.c, false, w, xproto.AtomWmClass, xproto.AtomString, 0, maxPropertyLen),
		}
		for i, ck := range cookies {
			p, err := ck.Reply()
			if err != nil {
				if _, gone := err.(xproto.WindowError); gone {
					// The window went away between the reads: nothing in focus.
					win = Window{}
					return nil
				}
				return fmt.Errorf("desktop: X display %q: read properties of window 0x%x: %w", d.display, id, err)
			}
			if len(p.Value) == 0 {
				continue
			}
			switch i {
			case 0: // _NET_WM_NAME (UTF8_STRING)
				win.Title = decodeText(encUTF8, p.Value)
			case 1: // WM_NAME, when there is no _NET_WM_NAME
				if win.Title == "" {
					win.Title = decodeText(x.encoding(p.Type), p.Value)
				}
			case 2:
				win.App = decodeWMClass(p.Value)
			}
		}
		return nil
	})
	if err != nil {
		return Window{}, err
	}
	win.URL = URLFromTitle(win.Title)
	return win, nil
}

func (x *xconn) encoding(typ xproto.Atom) textEncoding {
	switch typ {
	case x.utf8String:
		return encUTF8
	case xproto.AtomString:
		return encLatin1
	case x.compoundText:
		return encCompound
	default:
		return encOther
	}
}

func (d *x11Desktop) Close() error {
	d.capture.Lock()
	d.dropFrame()
	d.capture.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	if d.conn != nil {
		// xgb's Close is asynchronous; wait (briefly) for the shutdown so
		// that nothing of the connection outlives Close.
		d.conn.c.Close()
		select {
		case <-d.conn.drained:
		case <-time.After(2 * time.Second):
		}
		d.conn = nil
	}
	return nil
}
