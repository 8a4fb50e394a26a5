package autostart

import (
	"fmt"
	"strings"
)

// classesPath is where Windows keeps the current user's URL schemes.
const classesPath = `HKCU\Software\Classes`

// Tree is the part of the current user's Software\Classes key ClassesKey
// needs: values of subkeys (name "" is a key's default value) and the
// removal of one key without subkeys. The Windows build opens the real key
// (registry_windows.go), tests a map.
type Tree interface {
	Get(key, name string) (value string, ok bool, err error)
	Set(key, name, value string) error
	DeleteKey(key string) error
}

// ClassesKey makes the agent the handler of tock:// links on Windows, for
// the current user only (no administrator): HKCU\Software\Classes\tock with
// "URL Protocol", and its shell\open\command running the agent with the
// link. It is an Entry: Install takes the command, "%1" (the link) is
// appended to it.
type ClassesKey struct{ Key Tree }

// the keys Install writes, deepest last: Uninstall deletes them in reverse.
var classesKeys = []string{Scheme, Scheme + `\shell`, Scheme + `\shell\open`, Scheme + `\shell\open\command`}

func (k ClassesKey) where() string { return classesPath + `\` + Scheme }

func (k ClassesKey) Install(cmd Command) (string, error) {
	if ours, exists, err := k.read(); err != nil {
		return k.where(), err
	} else if exists && !ours {
		return k.where(), fmt.Errorf("%s opens another program: left as it is", k.where())
	}
	values := []struct{ key, name, value string }{
		{Scheme, "", "URL:Tock agent sign-in"},
		{Scheme, "URL Protocol", ""},
		{classesKeys[3], "", commandLine(cmd) + ` "%1"`},
	}
	for _, v := range values {
		if err := k.Key.Set(v.key, v.name, v.value); err != nil {
			return k.where(), fmt.Errorf("set %s\\%s: %w", classesPath, v.key, err)
		}
	}
	return k.where(), nil
}

func (k ClassesKey) Uninstall() (bool, string, error) {
	ours, exists, err := k.read()
	if err != nil || !exists {
		return false, k.where(), err
	}
	if !ours {
		return false, k.where(), fmt.Errorf("%s opens another program: left as it is", k.where())
	}
	for i := len(classesKeys) - 1; i >= 0; i-- {
		if err := k.Key.DeleteKey(classesKeys[i]); err != nil {
			return false, k.where(), fmt.Errorf("delete %s\\%s: %w", classesPath, classesKeys[i], err)
		}
	}
	return true, k.where(), nil
}

func (k ClassesKey) Installed() (bool, string, error) {
	ours, _, err := k.read()
	return ours, k.where(), err
}

// read: Tock's command runs "… agent enrol"; anything else opens another
// program.
func (k ClassesKey) read() (ours, exists bool, err error) {
	v, ok, err := k.Key.Get(classesKeys[3], "")
	if err != nil {
		return false, false, fmt.Errorf("read %s: %w", k.where(), err)
	}
	return ok && strings.Contains(v, `" agent enrol`), ok, nil
}
