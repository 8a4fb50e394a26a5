package tocktest

import (
	"os"
	"path/filepath"
	"testing"
)

// Two tests reporting into one file both reach CI's output.
func TestReportsAddUp(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TOCK_REPORT_DIR", dir)
	Report(t, "webapp.txt", "first figure")
	Report(t, "webapp.txt", "second figure")
	got, err := os.ReadFile(filepath.Join(dir, "webapp.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "first figure\nsecond figure\n" {
		t.Errorf("webapp.txt holds %q", got)
	}
}
