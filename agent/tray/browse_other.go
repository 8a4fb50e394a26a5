//go:build !linux && !windows

package tray

import "fmt"

// Browse can't open a browser where the agent has no tray.
func Browse(url string) error { return fmt.Errorf("open %s: %w", url, ErrNoHost) }
