// Package notify shows the agent's desktop notifications: plain notices (a
// screenshot taken, tracking stopped) and questions with answers (the idle
// prompt). On Linux they go to the desktop's notification server over the
// session bus (org.freedesktop.Notifications); on Windows they are toasts
// shown through powershell.exe, which can't carry answers: a question names
// them and the tray's menu takes them. Elsewhere Open fails with
// ErrUnsupported and the agent carries on without them.
package notify

import (
	"errors"
	"time"
)

// Message is one notification.
type Message struct {
	Summary string
	Body    string
	// Actions are the answers offered (Ask); none for a plain notice.
	Actions []Action
	// Expire is how long it stays on screen: 0 is the server's default,
	// negative until the person closes or answers it.
	Expire time.Duration
}

// Action is one answer to a question: Key comes back from Ask, Label is
// what the person reads.
type Action struct {
	Key, Label string
}

// ErrUnsupported is Open's error where the agent has no notifications.
var ErrUnsupported = errors.New("notify: no desktop notifications on this system")

// ErrDismissed is Ask's error when the person closed the question without
// answering it.
var ErrDismissed = errors.New("notify: closed without an answer")
