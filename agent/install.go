package agent

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tock-app/tock/agent/autostart"
	"github.com/tock-app/tock/agent/spool"
)

// install and uninstall make `tock agent run` start at every login of the
// current user, without root (autostart: an XDG autostart entry on Linux,
// the per-user Run key on Windows).
func (o *options) install() *cobra.Command {
	return &cobra.Command{
		Use:   "install",
		Short: "Start the agent at every login of this user (no administrator needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			where, err := o.installAutostart()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Installed: the agent starts at every login (%s).\n", where)
			linkAt, err := o.installLink()
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Registered: the web app's tock:// links sign this agent in (%s).\n", linkAt)
			if store, err := o.store(); err == nil {
				if _, err := store.Load(); err != nil {
					fmt.Fprintln(out, "Not signed in yet: run `tock agent enrol CODE` with the code from the web app.")
				}
			}
			return nil
		},
	}
}

func (o *options) uninstall() *cobra.Command {
	return &cobra.Command{
		Use:   "uninstall",
		Short: "Stop starting the agent at login and sign it out (the spool stays)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			removed, where, err := uninstallAutostart()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if removed {
				fmt.Fprintf(out, "Uninstalled: removed %s.\n", where)
			} else {
				fmt.Fprintln(out, "Not installed: nothing to remove.")
			}
			unlinked, linkAt, err := uninstallLink()
			if err != nil {
				return err
			}
			if unlinked {
				fmt.Fprintf(out, "Unregistered: tock:// links no longer open the agent (removed %s).\n", linkAt)
			}
			if err := o.removeState(out); err != nil {
				return err
			}
			o.reportSpool(out)
			return nil
		},
	}
}

// stateFiles are what the agent keeps beside its spool: the session, what
// it tracks to, what `run` last showed, the organization's settings, the
// run lock. slot.json (the open slot, time not yet in the spool) is kept
// with the spool.
var stateFiles = []string{"session.json", "assignment.json", "status.json", "settings.json", "run.lock"}

// removeState signs the agent out and removes its state but the spool, so
// uninstall leaves nothing else behind; not while `run` still runs (it
// would go on tracking with no session to upload with).
func (o *options) removeState(out io.Writer) error {
	lock, err := o.lockRun()
	var running *AlreadyRunningError
	if errors.As(err, &running) {
		fmt.Fprintln(out, "The agent is still running, so it stays signed in: quit it (tray → Quit Tock) and run `tock agent uninstall` again to sign it out.")
		return nil
	}
	if err != nil {
		return err
	}
	lock.Close() // it goes with the rest
	removed := 0
	for _, name := range stateFiles {
		p, err := o.path(name)
		if err != nil {
			return err
		}
		switch err := os.Remove(p); {
		case err == nil:
			removed++
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	if spoolDir, err := o.path("spool"); err == nil && !holdsFiles(spoolDir) {
		if err := os.RemoveAll(spoolDir); err != nil {
			return fmt.Errorf("remove the empty spool %s: %w", spoolDir, err)
		}
	}
	if dir, err := o.stateDir(); err == nil {
		_ = os.Remove(dir) // only if empty: a spool with items stays
	}
	if removed > 0 {
		fmt.Fprintln(out, "Signed out: the session and the agent's settings on this computer are removed.")
	}
	return nil
}

// holdsFiles says whether the directory tree holds any file (an item, one
// set aside, a half-written one); a tree that can't be read counts as
// holding some, so it is kept.
func holdsFiles(dir string) bool {
	found := false
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found || err != nil && !errors.Is(err, fs.ErrNotExist)
}

// installAutostart is what `install` and the tray's "Start at login" do:
// write the autostart entry for this executable's `agent run`.
func (o *options) installAutostart() (where string, err error) {
	entry, err := autostart.Default()
	if err != nil {
		return "", err
	}
	run, err := o.agentCommand("run")
	if err != nil {
		return "", err
	}
	return entry.Install(run)
}

// installLink makes this executable's `agent enrol` the current user's
// handler of tock:// links, so the web app's "enrol this computer" link
// signs the agent in without a terminal.
func (o *options) installLink() (where string, err error) {
	entry, err := autostart.DefaultLink()
	if err != nil {
		return "", err
	}
	enrol, err := o.agentCommand("enrol")
	if err != nil {
		return "", err
	}
	return entry.Install(enrol)
}

// installQuietly is `run --install`, the program opened from the desktop:
// autostart and the link handler, as `install` makes them, told in the log
// (there is no terminal); a failure leaves the run to go on without them.
func (o *options) installQuietly() {
	for what, do := range map[string]func() (string, error){"autostart": o.installAutostart, "tock:// link handler": o.installLink} {
		if where, err := do(); err != nil {
			slog.Warn("install: "+what, "error", err)
		} else {
			slog.Info("installed: "+what, "entry", where)
		}
	}
}

// uninstallLink removes what installLink wrote, and only that.
func uninstallLink() (removed bool, where string, err error) {
	entry, err := autostart.DefaultLink()
	if err != nil {
		return false, "", err
	}
	return entry.Uninstall()
}

// uninstallAutostart is what `uninstall` and the tray's "Start at login"
// do: remove the entry (uninstall then removes the state but the spool).
func uninstallAutostart() (removed bool, where string, err error) {
	entry, err := autostart.Default()
	if err != nil {
		return false, "", err
	}
	return entry.Uninstall()
}

// autostartInstalled says whether the agent starts at login (false when
// that can't be read: the tray's box then shows unchecked).
func autostartInstalled() bool {
	entry, err := autostart.Default()
	if err != nil {
		return false
	}
	ok, _, err := entry.Installed()
	return ok && err == nil
}

// agentCommand is what autostart and the link handler run: this
// executable's `agent SUB`, with the state directory when one was chosen
// (the environment of a login or of a browser doesn't carry TOCK_AGENT_DIR).
func (o *options) agentCommand(sub string) (autostart.Command, error) {
	exe, err := os.Executable()
	if err != nil {
		return autostart.Command{}, fmt.Errorf("this program's path: %w", err)
	}
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	args := []string{"agent", sub}
	if o.dir != "" {
		dir, err := filepath.Abs(o.dir)
		if err != nil {
			return autostart.Command{}, fmt.Errorf("state dir %s: %w", o.dir, err)
		}
		args = append(args, "--state-dir", dir)
	}
	return autostart.Command{Exe: exe, Args: args}, nil
}

// reportSpool tells of items not uploaded yet: uninstalling never deletes
// them, and the person should know they are there.
func (o *options) reportSpool(out io.Writer) {
	dir, err := o.path("spool")
	if err != nil {
		return
	}
	if _, err := os.Stat(dir); err != nil {
		return
	}
	sp, err := spool.Open(dir, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return
	}
	if n, bytes, _ := sp.Stats(); n > 0 {
		fmt.Fprintf(out, "The spool still holds %d items (%d bytes) not uploaded yet, in %s: they were kept, and upload the next time the agent runs signed in.\n", n, bytes, dir)
	}
}

// autostartLine is `status`'s line about autostart.
func autostartLine() string {
	entry, err := autostart.Default()
	if err != nil {
		return "Autostart: unknown (" + err.Error() + ")"
	}
	ok, where, err := entry.Installed()
	switch {
	case err != nil:
		return "Autostart: unknown (" + err.Error() + ")"
	case ok:
		return "Autostart: installed (" + where + ")"
	}
	return "Autostart: not installed (`tock agent install` starts the agent at login)"
}

// linkLine is `status`'s line about the tock:// link handler.
func linkLine() string {
	entry, err := autostart.DefaultLink()
	if err != nil {
		return "Link handler: unknown (" + err.Error() + ")"
	}
	ok, where, err := entry.Installed()
	switch {
	case err != nil:
		return "Link handler: unknown (" + err.Error() + ")"
	case ok:
		return "Link handler: registered for tock:// links (" + where + ")"
	}
	return "Link handler: not registered (`tock agent install` lets the web app's tock:// links sign the agent in)"
}
