package tray

import (
	"fmt"
	"os/exec"
)

// Browse opens url in the person's browser (xdg-open, as the desktop
// chooses).
func Browse(url string) error { return start(exec.Command("xdg-open", url)) }

// start runs cmd without waiting for it, and reaps it when it ends.
func start(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", cmd.Args[len(cmd.Args)-1], err)
	}
	go cmd.Wait()
	return nil
}
