// Package autostart starts `tock agent run` at every login of the current
// user, without root: an XDG autostart entry on Linux, the per-user Run key
// on Windows. Both sit behind Entry, so the logic of each is tested on Linux
// (the Windows registry behind a small interface).
package autostart

// Entry is the agent's autostart for the current user.
type Entry interface {
	// Install makes cmd start at login, replacing an earlier entry of Tock's;
	// it returns where the entry is.
	Install(cmd Command) (where string, err error)
	// Uninstall removes the entry Install wrote, and only that: an entry of
	// the same name that Tock didn't write is left alone and reported.
	Uninstall() (removed bool, where string, err error)
	// Installed says whether Tock's entry is there.
	Installed() (installed bool, where string, err error)
}

// Command is what autostart runs: the executable and its arguments.
type Command struct {
	Exe  string
	Args []string
}
