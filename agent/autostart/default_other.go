//go:build !windows

package autostart

// Default is the XDG autostart entry.
func Default() (Entry, error) { return NewXDG() }

// DefaultLink is the handler of tock:// links: a desktop entry and the
// default in mimeapps.list.
func DefaultLink() (Entry, error) { return NewXDGLink() }
