package autostart

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// xdgMarker is the key only Tock's entry carries: uninstall removes a file
// with it and leaves any other alone.
const xdgMarker = "X-Tock-Agent=true"

// XDG is the freedesktop.org autostart entry, run by the desktop session
// at login with the session's environment (DISPLAY, XAUTHORITY), which the
// agent needs to see the screen and the input.
type XDG struct {
	// ConfigHome is $XDG_CONFIG_HOME, or ~/.config when that is unset.
	ConfigHome string
}

// NewXDG reads XDG_CONFIG_HOME and HOME as the specification says.
func NewXDG() (XDG, error) {
	if d := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return XDG{ConfigHome: d}, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return XDG{}, fmt.Errorf("home directory: %w", err)
	}
	return XDG{ConfigHome: filepath.Join(home, ".config")}, nil
}

// Path is the entry's file.
func (x XDG) Path() string { return filepath.Join(x.ConfigHome, "autostart", "tock-agent.desktop") }

func (x XDG) Install(cmd Command) (string, error) {
	path := x.Path()
	if ours, exists, err := x.read(); err != nil {
		return path, err
	} else if exists && !ours {
		return path, fmt.Errorf("%s exists and wasn't written by tock agent install: move it away first", path)
	}
	entry := "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Tock agent\n" +
		"Comment=Tracks time for Tock; remove with tock agent uninstall\n" +
		"Exec=" + execLine(cmd) + "\n" +
		"Terminal=false\n" +
		"NoDisplay=true\n" +
		"X-GNOME-Autostart-enabled=true\n" +
		xdgMarker + "\n"
	return path, writeAtomic(path, []byte(entry))
}

func (x XDG) Uninstall() (bool, string, error) {
	path := x.Path()
	ours, exists, err := x.read()
	if err != nil || !exists {
		return false, path, err
	}
	if !ours {
		return false, path, fmt.Errorf("%s wasn't written by tock agent install: left as it is", path)
	}
	if err := os.Remove(path); err != nil {
		return false, path, fmt.Errorf("remove %s: %w", path, err)
	}
	return true, path, nil
}

func (x XDG) Installed() (bool, string, error) {
	ours, _, err := x.read()
	return ours, x.Path(), err
}

// read says whether the entry exists and whether it is Tock's.
func (x XDG) read() (ours, exists bool, err error) { return readEntry(x.Path()) }

// readEntry says whether the desktop entry at path exists and whether it
// carries Tock's marker.
func readEntry(path string) (ours, exists bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("read %s: %w", path, err)
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if string(bytes.TrimSpace(line)) == xdgMarker {
			return true, true, nil
		}
	}
	return false, true, nil
}

// execLine quotes the command as the Desktop Entry specification asks:
// arguments with reserved characters in double quotes, with ", `, $ and \
// escaped inside; % doubled everywhere (it starts field codes).
func execLine(cmd Command) string {
	parts := make([]string, 0, 1+len(cmd.Args))
	for _, a := range append([]string{cmd.Exe}, cmd.Args...) {
		a = strings.ReplaceAll(a, "%", "%%")
		if a != "" && !strings.ContainsAny(a, " \t\n\"'\\><~|&;$*?#()`") {
			parts = append(parts, a)
			continue
		}
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
		parts = append(parts, `"`+r.Replace(a)+`"`)
	}
	return strings.Join(parts, " ")
}
