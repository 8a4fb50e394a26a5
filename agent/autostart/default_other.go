//go:build !windows

package autostart

// Default is the XDG autostart entry.
func Default() (Entry, error) { return NewXDG() }
