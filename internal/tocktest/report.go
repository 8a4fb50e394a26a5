package tocktest

import (
	"os"
	"path/filepath"
	"testing"
)

// Report logs a test's figures and, when TOCK_REPORT_DIR is set (make test
// sets it), writes them to a file there so CI prints them whatever the verbosity.
func Report(t testing.TB, name, text string) {
	t.Helper()
	t.Log(text)
	dir := os.Getenv("TOCK_REPORT_DIR")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("report dir: %v", err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text+"\n"), 0o644); err != nil {
		t.Errorf("write report %s: %v", name, err)
	}
}
