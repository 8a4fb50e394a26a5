package autostart

import (
	"fmt"
	"strings"
)

// RunValue is the name of Tock's value under the Run key.
const RunValue = "TockAgent"

// runKeyPath is where Windows keeps the current user's login programs.
const runKeyPath = `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`

// Registry is the part of the current user's Run key RunKey needs; the
// Windows build opens the real key (registry_windows.go), tests a map.
type Registry interface {
	Get(name string) (value string, ok bool, err error)
	Set(name, value string) error
	Delete(name string) error
}

// RunKey is the per-user Run key: Windows starts its values' commands when
// the user signs in, no administrator needed.
type RunKey struct{ Key Registry }

func (k RunKey) where() string { return runKeyPath + `\` + RunValue }

func (k RunKey) Install(cmd Command) (string, error) {
	if err := k.Key.Set(RunValue, commandLine(cmd)); err != nil {
		return k.where(), fmt.Errorf("set %s: %w", k.where(), err)
	}
	return k.where(), nil
}

func (k RunKey) Uninstall() (bool, string, error) {
	ours, exists, err := k.read()
	if err != nil || !exists {
		return false, k.where(), err
	}
	if !ours {
		return false, k.where(), fmt.Errorf("%s doesn't run tock agent: left as it is", k.where())
	}
	if err := k.Key.Delete(RunValue); err != nil {
		return false, k.where(), fmt.Errorf("delete %s: %w", k.where(), err)
	}
	return true, k.where(), nil
}

func (k RunKey) Installed() (bool, string, error) {
	ours, _, err := k.read()
	return ours, k.where(), err
}

// read: Tock's value runs "… agent run"; anything else under the name was
// written by someone else.
func (k RunKey) read() (ours, exists bool, err error) {
	v, ok, err := k.Key.Get(RunValue)
	if err != nil {
		return false, false, fmt.Errorf("read %s: %w", k.where(), err)
	}
	return ok && strings.Contains(v, `" agent run`), ok, nil
}

// commandLine quotes the executable and every argument with spaces, as
// Windows' command-line parsing expects.
func commandLine(cmd Command) string {
	parts := []string{`"` + cmd.Exe + `"`}
	for _, a := range cmd.Args {
		if a == "" || strings.ContainsAny(a, " \t\"") {
			a = `"` + strings.ReplaceAll(a, `"`, `\"`) + `"`
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
