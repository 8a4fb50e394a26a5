//go:build linux

package desktop

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"os"

	"github.com/jezek/xgb/shm"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"
	"github.com/kbinani/screenshot"
	"golang.org/x/sys/unix"
)

// stripBytes bounds one GetImage reply: the frame is read in strips of rows
// so that only a strip, not a second copy of the frame, is in flight.
const stripBytes = 256 << 10

// Capture captures every active (Xinerama/RandR) monitor over the agent's
// own X connection, one at a time into a single frame (see Desktop), kept
// for the next capture: on a virtual machine, mapping a fresh 8 MB frame
// costs more CPU than reading the screen into it. Under
// XDG_SESSION_TYPE=wayland, where the X server sees no other application's
// pixels, it asks the desktop portal through github.com/kbinani/screenshot
// instead.
func (d *x11Desktop) Capture(fn func(screen int, img *image.RGBA) error) error {
	if env := os.Getenv("DISPLAY"); env != d.display {
		return fmt.Errorf("%w: DISPLAY is now %q but the agent opened %q; restart the agent in the current session",
			ErrNoDisplay, env, d.display)
	}
	if os.Getenv("XDG_SESSION_TYPE") == "wayland" {
		return d.capturePortal(fn)
	}
	var monitors []image.Rectangle
	err := d.call(func(x *xconn) (err error) {
		monitors, err = x.monitors()
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNoDisplay) || errors.Is(err, errClosed) {
			return err
		}
		return fmt.Errorf("%w: X display %q: %v", ErrNoDisplay, d.display, err)
	}
	if len(monitors) == 0 {
		return fmt.Errorf("%w: X display %q reports no active monitor (Xinerama)", ErrNoDisplay, d.display)
	}
	size := 0
	for i, r := range monitors {
		if r.Empty() {
			return fmt.Errorf("%w: monitor %d of %d on X display %q has no size", ErrNoDisplay, i+1, len(monitors), d.display)
		}
		size = max(size, 4*r.Dx()*r.Dy())
	}
	d.capture.Lock()
	defer d.capture.Unlock()
	f := d.frameFor(size)
	for i, r := range monitors {
		img := &image.RGBA{Pix: f.pix[:4*r.Dx()*r.Dy()], Stride: 4 * r.Dx(), Rect: image.Rect(0, 0, r.Dx(), r.Dy())}
		if err := d.call(func(x *xconn) error { return f.grab(x, r, img) }); err != nil {
			return fmt.Errorf("desktop: capture monitor %d of %d on X display %q: %w", i+1, len(monitors), d.display, err)
		}
		if err := fn(i, img); err != nil {
			return err
		}
	}
	return nil
}

// frame holds the pixels of one monitor at a time. Where the X server
// offers MIT-SHM (a local display), it is a shared memory segment the
// server writes the screen into directly: no copy goes through the socket
// or the Go heap. Otherwise it is a buffer that GetImage replies are copied
// into.
type frame struct {
	pix  []byte
	conn *xconn  // the connection seg is attached to; nil without MIT-SHM
	seg  shm.Seg // the server's name for the segment
}

// frameFor returns the kept frame if it holds size bytes and (if shared)
// is attached on the live connection, else a new one, which is kept.
// d.capture must be held.
func (d *x11Desktop) frameFor(size int) *frame {
	d.mu.Lock()
	live := d.conn
	d.mu.Unlock()
	if f := d.frame; f != nil && len(f.pix) >= size && (f.conn == nil || f.conn == live) {
		return f
	}
	d.dropFrame()
	d.call(func(x *xconn) error {
		d.frame = x.sharedFrame(size)
		return nil
	})
	if d.frame == nil {
		d.frame = &frame{pix: make([]byte, size)}
	}
	return d.frame
}

// dropFrame releases the kept frame, if any. d.capture must be held.
func (d *x11Desktop) dropFrame() {
	if d.frame != nil && d.frame.conn != nil {
		shm.Detach(d.frame.conn.c, d.frame.seg) // the server also detaches when the connection ends
		unix.SysvShmDetach(d.frame.pix)
	}
	d.frame = nil
}

// sharedFrame creates a private (0600) SysV shared memory segment of size
// bytes, attached both here and in the X server and marked for removal at
// once, so that it vanishes when both detach, even if the agent dies. Its
// pages are mapped in one call rather than one fault at a time. It returns
// nil when MIT-SHM can't be used (a remote display, another user's server).
func (x *xconn) sharedFrame(size int) *frame {
	if !x.shm {
		return nil
	}
	id, err := unix.SysvShmGet(unix.IPC_PRIVATE, size, unix.IPC_CREAT|0o600)
	if err != nil {
		return nil
	}
	defer unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	pix, err := unix.SysvShmAttach(id, 0, 0)
	if err != nil {
		return nil
	}
	seg, err := shm.NewSegId(x.c)
	if err == nil {
		err = shm.AttachChecked(x.c, seg, uint32(id), false).Check()
	}
	if err != nil {
		unix.SysvShmDetach(pix)
		return nil
	}
	unix.Madvise(pix, unix.MADV_POPULATE_WRITE) // Linux 5.14+; older kernels fault the pages in as they are written
	return &frame{pix: pix, conn: x, seg: seg}
}

// grab reads monitor r of the root window into img, which lies in f.pix:
// through the shared segment when it is attached on x and r lies within
// the root window, else through GetImage replies.
func (f *frame) grab(x *xconn, r image.Rectangle, img *image.RGBA) error {
	if f.conn != x {
		return x.grab(r, img)
	}
	geom, err := xproto.GetGeometry(x.c, xproto.Drawable(x.root)).Reply()
	if err != nil {
		return fmt.Errorf("root window geometry: %w", err)
	}
	if !r.In(image.Rect(0, 0, int(geom.Width), int(geom.Height))) {
		return x.grab(r, img)
	}
	reply, err := shm.GetImage(x.c, xproto.Drawable(x.root), int16(r.Min.X), int16(r.Min.Y), uint16(r.Dx()), uint16(r.Dy()),
		0xffffffff, xproto.ImageFormatZPixmap, f.seg, 0).Reply()
	if err != nil {
		return fmt.Errorf("get image (MIT-SHM): %w", err)
	}
	if int(reply.Size) < len(img.Pix) || (reply.Depth != 24 && reply.Depth != 32) {
		return fmt.Errorf("unsupported pixel format: depth %d, %d bytes for %dx%d pixels", reply.Depth, reply.Size, r.Dx(), r.Dy())
	}
	toRGBA(img.Pix, img.Pix, xproto.Setup(x.c).ImageByteOrder == xproto.ImageOrderMSBFirst)
	return nil
}

// monitors lists the active monitors in root window coordinates, as
// Xinerama reports them; none without Xinerama.
func (x *xconn) monitors() ([]image.Rectangle, error) {
	if !x.xinerama {
		return nil, nil
	}
	reply, err := xinerama.QueryScreens(x.c).Reply()
	if err != nil {
		return nil, fmt.Errorf("query Xinerama screens: %w", err)
	}
	rects := make([]image.Rectangle, len(reply.ScreenInfo))
	for i, s := range reply.ScreenInfo {
		rects[i] = image.Rect(int(s.XOrg), int(s.YOrg), int(s.XOrg)+int(s.Width), int(s.YOrg)+int(s.Height))
	}
	return rects, nil
}

// grab reads monitor r of the root window into img (r's size), strip by
// strip, with the next strip requested before the current one is
// converted. Parts of r outside the root window are black.
func (x *xconn) grab(r image.Rectangle, img *image.RGBA) error {
	geom, err := xproto.GetGeometry(x.c, xproto.Drawable(x.root)).Reply()
	if err != nil {
		return fmt.Errorf("root window geometry: %w", err)
	}
	area := r.Intersect(image.Rect(0, 0, int(geom.Width), int(geom.Height)))
	if area != r {
		clear(img.Pix)
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 0xff
		}
	}
	if area.Empty() {
		return nil
	}
	setup := xproto.Setup(x.c)
	rows := max(1, stripBytes/(4*area.Dx()))
	request := func(y int) xproto.GetImageCookie {
		return xproto.GetImage(x.c, xproto.ImageFormatZPixmap, xproto.Drawable(x.root),
			int16(area.Min.X), int16(y), uint16(area.Dx()), uint16(min(rows, area.Max.Y-y)), 0xffffffff)
	}
	next := request(area.Min.Y)
	for y := area.Min.Y; y < area.Max.Y; y += rows {
		cookie := next
		if y+rows < area.Max.Y {
			next = request(y + rows)
		}
		reply, err := cookie.Reply()
		if err != nil {
			return fmt.Errorf("get image: %w", err)
		}
		n := min(rows, area.Max.Y-y)
		if len(reply.Data) < 4*area.Dx()*n || (reply.Depth != 24 && reply.Depth != 32) {
			return fmt.Errorf("unsupported pixel format: depth %d, %d bytes for %dx%d pixels", reply.Depth, len(reply.Data), area.Dx(), n)
		}
		msb := setup.ImageByteOrder == xproto.ImageOrderMSBFirst
		for row := range n {
			dst := img.Pix[img.PixOffset(area.Min.X-r.Min.X, y+row-r.Min.Y):][:4*area.Dx()]
			toRGBA(dst, reply.Data[4*area.Dx()*row:][:4*area.Dx()], msb)
		}
	}
	return nil
}

// toRGBA converts 32-bit X pixels (0x00RRGGBB, in the server's
// byte order: B G R x in the usual LSB-first) to opaque RGBA.
func toRGBA(dst, src []byte, msb bool) {
	for i := 0; i+4 <= len(src); i += 4 {
		v := binary.LittleEndian.Uint32(src[i:])
		if msb {
			v = binary.BigEndian.Uint32(src[i:])
		}
		binary.LittleEndian.PutUint32(dst[i:], v>>16&0xff|v&0xff00|(v&0xff)<<16|0xff000000)
	}
}

// capturePortal captures each monitor with github.com/kbinani/screenshot,
// which asks the desktop portal under Wayland.
func (d *x11Desktop) capturePortal(fn func(screen int, img *image.RGBA) error) error {
	n := screenshot.NumActiveDisplays()
	if n <= 0 {
		return fmt.Errorf("%w: X display %q reports no active monitor", ErrNoDisplay, d.display)
	}
	for i := range n {
		img, err := screenshot.CaptureDisplay(i)
		if err != nil {
			return fmt.Errorf("desktop: capture monitor %d of %d on X display %q: %w", i+1, n, d.display, err)
		}
		if err := fn(i, img); err != nil {
			return err
		}
	}
	return nil
}
