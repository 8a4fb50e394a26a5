package autostart

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Scheme is the links the agent handles: tock://enrol?server=…&code=…, as
// the web app's "Get the desktop app" page shows them.
const Scheme = "tock"

// linkDesktop is the name of the desktop entry that handles tock:// links.
const linkDesktop = "tock-enrol.desktop"

// mimeDefault is mimeapps.list's line that makes it the default handler.
const mimeDefault = "x-scheme-handler/" + Scheme + "=" + linkDesktop

// XDGLink makes the agent the current user's handler of tock:// links on a
// freedesktop.org desktop: a desktop entry in $XDG_DATA_HOME/applications
// declaring the scheme, and the default in $XDG_CONFIG_HOME/mimeapps.list,
// which xdg-open, gio and the browsers read. It is an Entry: Install takes
// the command to run, the link is appended to it.
type XDGLink struct {
	DataHome, ConfigHome string
}

// NewXDGLink reads XDG_DATA_HOME, XDG_CONFIG_HOME and HOME as the
// specification says.
func NewXDGLink() (XDGLink, error) {
	cfg, err := NewXDG()
	if err != nil {
		return XDGLink{}, err
	}
	l := XDGLink{ConfigHome: cfg.ConfigHome, DataHome: os.Getenv("XDG_DATA_HOME")}
	if !filepath.IsAbs(l.DataHome) {
		home, err := os.UserHomeDir()
		if err != nil {
			return XDGLink{}, fmt.Errorf("home directory: %w", err)
		}
		l.DataHome = filepath.Join(home, ".local", "share")
	}
	return l, nil
}

// Path is the desktop entry's file.
func (l XDGLink) Path() string { return filepath.Join(l.DataHome, "applications", linkDesktop) }

// MimeApps is the file that names the default handler.
func (l XDGLink) MimeApps() string { return filepath.Join(l.ConfigHome, "mimeapps.list") }

func (l XDGLink) Install(cmd Command) (string, error) {
	if ours, exists, err := readEntry(l.Path()); err != nil {
		return l.Path(), err
	} else if exists && !ours {
		return l.Path(), fmt.Errorf("%s exists and wasn't written by tock agent install: move it away first", l.Path())
	}
	text := "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Tock agent: sign in\n" +
		"Comment=Signs the Tock agent in from a tock:// link; remove with tock agent uninstall\n" +
		"Exec=" + execLine(cmd) + " %u\n" +
		"MimeType=x-scheme-handler/" + Scheme + ";\n" +
		"Terminal=false\n" +
		"NoDisplay=true\n" +
		xdgMarker + "\n"
	if err := writeAtomic(l.Path(), []byte(text)); err != nil {
		return l.Path(), err
	}
	if err := l.editMimeApps(true); err != nil {
		return l.Path(), err
	}
	return l.Path(), nil
}

func (l XDGLink) Uninstall() (bool, string, error) {
	ours, exists, err := readEntry(l.Path())
	if err != nil {
		return false, l.Path(), err
	}
	if exists && !ours {
		return false, l.Path(), fmt.Errorf("%s wasn't written by tock agent install: left as it is", l.Path())
	}
	if err := l.editMimeApps(false); err != nil {
		return false, l.Path(), err
	}
	if !exists {
		return false, l.Path(), nil
	}
	if err := os.Remove(l.Path()); err != nil {
		return false, l.Path(), fmt.Errorf("remove %s: %w", l.Path(), err)
	}
	return true, l.Path(), nil
}

// Installed: the entry is Tock's and mimeapps.list makes it the default.
func (l XDGLink) Installed() (bool, string, error) {
	ours, _, err := readEntry(l.Path())
	if err != nil || !ours {
		return false, l.Path(), err
	}
	b, err := os.ReadFile(l.MimeApps())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, l.Path(), fmt.Errorf("read %s: %w", l.MimeApps(), err)
	}
	_, has := setDefault(string(b), false)
	return has, l.Path(), nil
}

// editMimeApps adds Tock's default (on) or removes it, keeping every other
// line of the file as it was.
func (l XDGLink) editMimeApps(on bool) error {
	path := l.MimeApps()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	text, had := setDefault(string(b), on)
	if !on && !had || on && text == string(b) {
		return nil
	}
	// A file left with nothing but section headings (the one install made)
	// goes with Tock's line: uninstall leaves nothing behind.
	if !on && onlyHeadings(text) {
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("remove %s: %w", path, err)
		}
		return nil
	}
	return writeAtomic(path, []byte(text))
}

// onlyHeadings says whether an ini-style text holds no key, no comment,
// only [section] lines and blanks.
func onlyHeadings(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "[") {
			return false
		}
	}
	return true
}

// setDefault returns mimeapps.list's text with the tock scheme's default
// line set to Tock's entry (on; another handler's line for the scheme is
// replaced) or with Tock's line taken out (!on), and whether Tock's line
// was there.
func setDefault(text string, on bool) (string, bool) {
	var out []string
	section, had, placed := "", false, false
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "[") {
			if on && !placed && section == "[Default Applications]" {
				out, placed = insertBeforeBlanks(out, mimeDefault), true
			}
			section = trimmed
		}
		key, value, _ := strings.Cut(trimmed, "=")
		if section == "[Default Applications]" && strings.TrimSpace(key) == "x-scheme-handler/"+Scheme {
			ours := strings.TrimSpace(value) == linkDesktop
			had = had || ours
			if on && !placed {
				out, placed = append(out, mimeDefault), true
			} else if !on && !ours {
				out = append(out, line)
			}
			continue
		}
		out = append(out, line)
	}
	if on && !placed {
		if section != "[Default Applications]" {
			if len(out) > 0 && strings.TrimSpace(out[len(out)-1]) != "" {
				out = append(out, "")
			}
			out = append(out, "[Default Applications]")
		}
		out = append(out, mimeDefault)
	}
	if len(out) == 0 {
		return "", had
	}
	return strings.Join(out, "\n") + "\n", had
}

// insertBeforeBlanks adds line to the end of a section, before the blank
// lines that part it from the next.
func insertBeforeBlanks(lines []string, line string) []string {
	n := len(lines)
	for n > 0 && strings.TrimSpace(lines[n-1]) == "" {
		n--
	}
	return append(lines[:n], append([]string{line}, lines[n:]...)...)
}

// writeAtomic writes a file through a temporary one, so a crash leaves the
// old or the new text, never half.
func writeAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("make %s: %w", filepath.Dir(path), err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
