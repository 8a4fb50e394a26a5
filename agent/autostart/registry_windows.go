//go:build windows

package autostart

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// Default is the per-user Run key.
func Default() (Entry, error) { return RunKey{Key: winRun{}}, nil }

// winRun is HKCU\Software\Microsoft\Windows\CurrentVersion\Run.
type winRun struct{}

func (winRun) open(access uint32) (registry.Key, error) {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, `Software\Microsoft\Windows\CurrentVersion\Run`, access)
	if err != nil {
		return 0, fmt.Errorf("open the Run key: %w", err)
	}
	return k, nil
}

func (r winRun) Get(name string) (string, bool, error) {
	k, err := r.open(registry.QUERY_VALUE)
	if err != nil {
		return "", false, err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	if errors.Is(err, registry.ErrNotExist) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (r winRun) Set(name, value string) error {
	k, err := r.open(registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	return k.SetStringValue(name, value)
}

func (r winRun) Delete(name string) error {
	k, err := r.open(registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	return k.DeleteValue(name)
}

// DefaultLink is the handler of tock:// links: HKCU\Software\Classes\tock.
func DefaultLink() (Entry, error) { return ClassesKey{Key: winClasses{}}, nil }

// winClasses is HKCU\Software\Classes.
type winClasses struct{}

func (winClasses) Get(key, name string) (string, bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, `Software\Classes\`+key, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("open Software\\Classes\\%s: %w", key, err)
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	if errors.Is(err, registry.ErrNotExist) {
		return "", false, nil
	}
	return v, err == nil, err
}

func (winClasses) Set(key, name, value string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, `Software\Classes\`+key, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open Software\\Classes\\%s: %w", key, err)
	}
	defer k.Close()
	return k.SetStringValue(name, value)
}

func (winClasses) DeleteKey(key string) error {
	err := registry.DeleteKey(registry.CURRENT_USER, `Software\Classes\`+key)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	return err
}
