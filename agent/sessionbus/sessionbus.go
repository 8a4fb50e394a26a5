//go:build linux

// Package sessionbus connects the agent to the desktop session's D-Bus,
// where the tray host and the notification server are.
package sessionbus

import (
	"fmt"

	"github.com/godbus/dbus/v5"
)

// Connect opens a private connection to the session bus the desktop
// announces (DBUS_SESSION_BUS_ADDRESS, or $XDG_RUNTIME_DIR/bus). It never
// launches a bus: an agent outside a desktop session has none and runs
// headless.
func Connect() (*dbus.Conn, error) {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return nil, fmt.Errorf("session bus: %w", err)
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("session bus auth: %w", err)
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("session bus hello: %w", err)
	}
	return conn, nil
}

// HasOwner reports whether some program owns name on the bus.
func HasOwner(conn *dbus.Conn, name string) (bool, error) {
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has); err != nil {
		return false, fmt.Errorf("ask the bus for %s: %w", name, err)
	}
	return has, nil
}
