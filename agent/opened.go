package agent

import (
	"os"
	"runtime"

	"github.com/inconshreveable/mousetrap"
	"golang.org/x/term"
)

// OpenedFromDesktop says whether the program was started by opening its
// file in the desktop (a double-click in Explorer or a file manager) rather
// than from a terminal or a script: `tock` with no arguments is then the
// desktop app, and runs the agent (`agent run --install`) instead of
// printing the server's help to no one.
func OpenedFromDesktop() bool {
	if runtime.GOOS == "windows" {
		return mousetrap.StartedByExplorer()
	}
	// A file manager runs a program with no terminal on either end; a
	// server started by a script or a service has no display.
	return os.Getenv("DISPLAY") != "" && !term.IsTerminal(int(os.Stdin.Fd())) && !term.IsTerminal(int(os.Stdout.Fd()))
}
