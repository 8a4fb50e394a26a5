package tray

import (
	"fmt"
	"os/exec"
)

// Browse opens url in the person's default browser.
func Browse(url string) error {
	cmd := exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", url, err)
	}
	go cmd.Wait()
	return nil
}
