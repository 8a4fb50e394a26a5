package tocktest

import (
	"os"
	"path/filepath"
	"testing"
)

// Report logs a test's figures and, when TOCK_REPORT_DIR is set (make test
// sets it), adds them to a file there so CI prints them whatever the
// verbosity. Several tests report into one file (webapp.txt), some of them in
// parallel: each adds its line, none replaces another's.
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
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Errorf("open report %s: %v", name, err)
		return
	}
	defer f.Close()
	// One write of a whole line: O_APPEND keeps parallel lines whole.
	if _, err := f.WriteString(text + "\n"); err != nil {
		t.Errorf("write report %s: %v", name, err)
	}
}
