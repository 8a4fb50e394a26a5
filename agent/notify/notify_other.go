//go:build !linux && !windows

package notify

import "context"

// Bus stands for the notification server on systems the agent shows no
// notifications on (neither Linux nor Windows); Open always fails there.
type Bus struct{}

// Open fails with ErrUnsupported.
func Open() (*Bus, error) { return nil, ErrUnsupported }

// Notify does nothing.
func (*Bus) Notify(context.Context, Message) error { return ErrUnsupported }

// Ask has no one to ask.
func (*Bus) Ask(context.Context, Message) (string, error) { return "", ErrUnsupported }

// Close does nothing.
func (*Bus) Close() error { return nil }
