package agent

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// errLocked is what lockFile answers when another process holds the lock.
var errLocked = errors.New("locked by another process")

// AlreadyRunningError: another `run` holds the state directory.
type AlreadyRunningError struct{ Dir string }

func (e *AlreadyRunningError) Error() string {
	return fmt.Sprintf("tock agent is already running with the state directory %s", e.Dir)
}

// lockRun takes the state directory's run lock, held until the process ends
// (the system lets go of it even after kill -9). Two runs of one state
// directory would each draw their own screenshot moments for a slot and
// upload them all: the slot's screenshots twice over.
func (o *options) lockRun() (io.Closer, error) {
	dir, err := o.stateDir()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	name := filepath.Join(dir, "run.lock")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, &AlreadyRunningError{Dir: dir}
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return f, nil
}
