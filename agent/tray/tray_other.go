//go:build !linux && !windows

package tray

import "fmt"

// Icon stands for the tray icon where the agent has none yet.
type Icon struct{}

// Open fails: no tray on this system yet.
func Open() (*Icon, error) { return nil, fmt.Errorf("%w: not supported on this system", ErrNoHost) }

// Show does nothing.
func (*Icon) Show(View) {}

// Clicks never delivers.
func (*Icon) Clicks() <-chan Click { return nil }

// Close does nothing.
func (*Icon) Close() {}
