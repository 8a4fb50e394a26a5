//go:build !linux && !windows

package desktop

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestOpenUnsupported(t *testing.T) {
	d, err := Open()
	if d != nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), runtime.GOOS) {
		t.Fatalf("Open = %v, %v; want ErrUnsupported naming %s", d, err, runtime.GOOS)
	}
}
