package agent

import "io"

// LockRun takes dir's run lock as `tock agent run` does, for the external
// tests that need an agent "running" without starting one.
func LockRun(dir string) (io.Closer, error) { return (&options{dir: dir}).lockRun() }
