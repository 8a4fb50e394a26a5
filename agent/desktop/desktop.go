// Package desktop is the agent's view of the user's desktop session: input
// state sampled once a second, the window in focus, and a capture of every
// active monitor. Open picks the platform implementation: X11 on Linux (via
// $DISPLAY), user32 on Windows. Other systems (darwin included) are not
// supported yet; Open returns an error wrapping ErrUnsupported there.
//
// Captured images stay in memory; this package never writes them to disk.
package desktop

import (
	"errors"
	"image"
	"time"
)

// Input is one sample of the user's input state.
type Input struct {
	// Idle is the time since the last user input as the system counts it
	// (X11: the MIT-SCREEN-SAVER extension; Windows: GetLastInputInfo).
	Idle time.Duration
	// PointerX, PointerY is the pointer position in root (virtual screen)
	// coordinates.
	PointerX, PointerY int
	// Buttons is the pointer button mask: bit 0 = button 1 (left),
	// bit 1 = button 2 (middle), bit 2 = button 3 (right), bits 3-4 = buttons
	// 4-5 (X11 wheel; Windows X buttons).
	Buttons uint16
	// Keys is the keyboard state bitmap, one bit per key code (X11:
	// QueryKeymap, bit n = keycode n; Windows: GetAsyncKeyState, bit n =
	// virtual-key n, mouse buttons excluded).
	Keys [32]byte
}

// Window is the application window in focus.
type Window struct {
	App   string // X11: the WM_CLASS class; Windows: the process executable's base name
	Title string // the window title (UTF-8)
	URL   string // the URL the title reveals (URLFromTitle), else ""
}

// Desktop is the user's desktop session. Implementations are safe for use by
// several goroutines.
type Desktop interface {
	// Sample reads the current input state.
	Sample() (Input, error)
	// ActiveWindow reports the window in focus; with no window in focus (for
	// example no window manager publishing one) it returns Window{} and nil.
	ActiveWindow() (Window, error)
	// Capture captures the active monitors one at a time, in the system's
	// monitor order, and calls fn with each: screen is its index, img its
	// pixels (opaque), which fn may change but must not keep: the next
	// monitor and the next capture reuse them, so that one frame is in
	// memory at a time.
	// Capture stops at fn's first error and returns it as it is. It fails
	// with an error wrapping ErrNoDisplay when nothing can be captured.
	Capture(fn func(screen int, img *image.RGBA) error) error
	// Close releases the connection to the display.
	Close() error
}

// ErrNoDisplay is wrapped by the errors of Open and Capture when there is no
// display to read or capture (on Linux: DISPLAY unset or unreachable, or no
// active monitor). The wrapping error carries the detail.
var ErrNoDisplay = errors.New("desktop: no display to capture")

// ErrUnsupported is wrapped by Open's error on operating systems the agent
// does not support yet.
var ErrUnsupported = errors.New("desktop: operating system not supported")
