//go:build unix

package tocktest

import (
	"syscall"
	"time"
)

// ProcessCPU is the processor time, user and system, this process has used
// so far: steadier than wall time on a busy machine.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
