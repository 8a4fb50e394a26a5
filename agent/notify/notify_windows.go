//go:build windows

package notify

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// createNoWindow keeps powershell.exe from opening a console window.
const createNoWindow = 0x08000000

// showTimeout bounds one toast's PowerShell run (its start is the slow
// part: a second or two on a cold machine).
const showTimeout = 30 * time.Second

// Bus shows notifications as Windows 10+ toasts, each through a short
// powershell.exe run (toastScript): no cgo, and no app registration.
type Bus struct {
	powershell string
}

// Open finds powershell.exe; without it there are no notifications.
func Open() (*Bus, error) {
	ps, err := exec.LookPath("powershell.exe")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return &Bus{powershell: ps}, nil
}

// Notify shows m as a toast; m.Expire > 0 takes it away after that long.
func (b *Bus) Notify(ctx context.Context, m Message) error {
	return b.show(ctx, m, m.Expire)
}

// Ask shows the question as a toast that names its answers, and waits
// until ctx ends: a toast can't answer, so the answer comes from the tray's
// menu, and the caller stops waiting on this when it has one. The toast
// leaves the Action Center when ctx's deadline passes.
func (b *Bus) Ask(ctx context.Context, m Message) (string, error) {
	var expire time.Duration
	if d, ok := ctx.Deadline(); ok {
		expire = time.Until(d)
	}
	if err := b.show(ctx, m, expire); err != nil {
		return "", err
	}
	<-ctx.Done()
	return "", ctx.Err()
}

// Close does nothing: each toast is a process of its own.
func (*Bus) Close() error { return nil }

// show runs toastScript(m) in a hidden powershell.exe.
func (b *Bus) show(ctx context.Context, m Message, expire time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, showTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.powershell, "-NoProfile", "-NonInteractive", "-NoLogo", "-Command", "-")
	cmd.Stdin = strings.NewReader(toastScript(m, expire))
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: createNoWindow}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("show the notification %q: %w: %s", m.Summary, err, strings.TrimSpace(string(out)))
	}
	return nil
}
