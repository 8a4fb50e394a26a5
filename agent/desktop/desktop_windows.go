//go:build windows

package desktop

import (
	"fmt"
	"image"
	"path/filepath"
	"sync"
	"time"
	"unsafe"

	"github.com/kbinani/screenshot"
	"golang.org/x/sys/windows"
)

var (
	user32                       = windows.NewLazySystemDLL("user32.dll")
	procGetLastInputInfo         = user32.NewProc("GetLastInputInfo")
	procGetForegroundWindow      = user32.NewProc("GetForegroundWindow")
	procGetWindowTextW           = user32.NewProc("GetWindowTextW")
	procGetWindowTextLengthW     = user32.NewProc("GetWindowTextLengthW")
	procGetCursorPos             = user32.NewProc("GetCursorPos")
	procGetWindowThreadProcessId = user32.NewProc("GetWindowThreadProcessId")
	procGetAsyncKeyState         = user32.NewProc("GetAsyncKeyState")

	kernel32                       = windows.NewLazySystemDLL("kernel32.dll")
	procQueryFullProcessImageNameW = kernel32.NewProc("QueryFullProcessImageNameW")
	procGetTickCount               = kernel32.NewProc("GetTickCount")
)

type lastInputInfo struct {
	cbSize uint32
	dwTime uint32
}

type point struct{ x, y int32 }

// Virtual-key codes of the mouse buttons, mapped to Input.Buttons bits.
var buttonVKs = [...]struct {
	vk  int
	bit uint16
}{
	{0x01, 1 << 0}, // VK_LBUTTON
	{0x04, 1 << 1}, // VK_MBUTTON
	{0x02, 1 << 2}, // VK_RBUTTON
	{0x05, 1 << 3}, // VK_XBUTTON1
	{0x06, 1 << 4}, // VK_XBUTTON2
}

// Open uses the interactive session's user32. It fails with an error
// wrapping ErrNoDisplay when user32 is unavailable.
func Open() (Desktop, error) {
	for _, p := range []*windows.LazyProc{procGetLastInputInfo, procGetForegroundWindow, procGetWindowTextW,
		procGetWindowTextLengthW, procGetCursorPos, procGetWindowThreadProcessId, procGetAsyncKeyState,
		procQueryFullProcessImageNameW, procGetTickCount} {
		if err := p.Find(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoDisplay, err)
		}
	}
	return &winDesktop{}, nil
}

type winDesktop struct {
	mu sync.Mutex // user32 calls are thread-safe; this only serialises samples
}

func (d *winDesktop) Sample() (Input, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var in Input
	lii := lastInputInfo{cbSize: uint32(unsafe.Sizeof(lastInputInfo{}))}
	if r, _, err := procGetLastInputInfo.Call(uintptr(unsafe.Pointer(&lii))); r == 0 {
		return Input{}, fmt.Errorf("desktop: GetLastInputInfo: %w", err)
	}
	// Both are 32-bit millisecond tick counts; the subtraction wraps correctly.
	now, _, _ := procGetTickCount.Call()
	in.Idle = time.Duration(uint32(now)-lii.dwTime) * time.Millisecond
	var pt point
	// Fails while the workstation is locked (secure desktop); pt stays 0,0.
	procGetCursorPos.Call(uintptr(unsafe.Pointer(&pt)))
	in.PointerX, in.PointerY = int(pt.x), int(pt.y)
	for _, b := range buttonVKs {
		if keyDown(b.vk) {
			in.Buttons |= b.bit
		}
	}
	for vk := 0x08; vk < 256; vk++ { // 0x00-0x07: unused and mouse buttons
		if keyDown(vk) {
			in.Keys[vk/8] |= 1 << (vk % 8)
		}
	}
	return in, nil
}

func keyDown(vk int) bool {
	r, _, _ := procGetAsyncKeyState.Call(uintptr(vk))
	return uint16(r)&0x8000 != 0
}

func (d *winDesktop) ActiveWindow() (Window, error) {
	hwnd, _, _ := procGetForegroundWindow.Call()
	if hwnd == 0 {
		return Window{}, nil
	}
	var win Window
	n, _, _ := procGetWindowTextLengthW.Call(hwnd)
	if n > 0 {
		buf := make([]uint16, n+1)
		got, _, _ := procGetWindowTextW.Call(hwnd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		win.Title = windows.UTF16ToString(buf[:got])
	}
	var pid uint32
	procGetWindowThreadProcessId.Call(hwnd, uintptr(unsafe.Pointer(&pid)))
	if pid != 0 {
		win.App = processExe(pid)
	}
	win.URL = URLFromTitle(win.Title)
	return win, nil
}

// processExe returns the base name of pid's executable ("chrome.exe"), or
// "" when it cannot be read (e.g. an elevated process).
func processExe(pid uint32) string {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, pid)
	if err != nil {
		return ""
	}
	defer windows.CloseHandle(h)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	size := uint32(len(buf))
	r, _, _ := procQueryFullProcessImageNameW.Call(uintptr(h), 0, uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)))
	if r == 0 {
		return ""
	}
	return filepath.Base(windows.UTF16ToString(buf[:size]))
}

// Capture captures every active monitor with github.com/kbinani/screenshot
// (GDI), one at a time. No monitor (e.g. a service session) is reported as
// ErrNoDisplay.
func (d *winDesktop) Capture(fn func(screen int, img *image.RGBA) error) error {
	n := screenshot.NumActiveDisplays()
	if n <= 0 {
		return fmt.Errorf("%w: no active monitor in this Windows session (is the agent running in the user's desktop session?)", ErrNoDisplay)
	}
	for i := 0; i < n; i++ {
		img, err := screenshot.CaptureDisplay(i)
		if err != nil {
			return fmt.Errorf("desktop: capture monitor %d of %d: %w", i+1, n, err)
		}
		if err := fn(i, img); err != nil {
			return err
		}
	}
	return nil
}

func (d *winDesktop) Close() error { return nil }
