package tray

import (
	"fmt"

	"github.com/tock-app/tock/agent/sessionbus"
)

// watcher is the StatusNotifierWatcher: the desktop's tray host owns it
// and items register with it.
const watcher = "org.kde.StatusNotifierWatcher"

// hostPresent checks that the session bus has a StatusNotifierWatcher.
func hostPresent() error {
	conn, err := sessionbus.Connect()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoHost, err)
	}
	defer conn.Close()
	has, err := sessionbus.HasOwner(conn, watcher)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoHost, err)
	}
	if !has {
		return fmt.Errorf("%w: nothing owns %s on the session bus", ErrNoHost, watcher)
	}
	return nil
}

// iconBytes is the icon as the library takes it on Linux: a PNG.
func iconBytes(s State) []byte { return IconPNG(s) }
