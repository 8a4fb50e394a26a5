//go:build !linux && !windows

package desktop

import (
	"fmt"
	"runtime"
)

// Open is not implemented on this operating system yet. On darwin (macOS)
// the agent is documented as not yet supported: it would need the
// Quartz/ScreenCaptureKit APIs (and cgo) plus the Screen Recording and
// Accessibility permissions. The error wraps ErrUnsupported.
func Open() (Desktop, error) {
	return nil, fmt.Errorf("%w: tock agent does not support %s yet (it runs on Linux with X11 and on Windows)",
		ErrUnsupported, runtime.GOOS)
}
