package xvfbtest

import "syscall"

// sysProcAttr makes the kernel kill Xvfb if the test binary dies without
// running its cleanups (e.g. a test timeout panic).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
