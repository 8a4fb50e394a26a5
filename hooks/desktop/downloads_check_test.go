package desktop

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tock-app/tock/hooks/config"
)

// TestDownloadsCheck: a --downloads directory that is missing, or holds no
// SHA256SUMS, or whose SHA256SUMS names no archive there, is told at start
// (else the page lists every other platform as unavailable with no word
// why); a release directory make release wrote, or none, says nothing.
func TestDownloadsCheck(t *testing.T) {
	dir := t.TempDir()
	check := func(d string) error { return New(config.Config{Downloads: d}).checkDownloads() }
	for name, want := range map[string]string{
		filepath.Join(dir, "typo"): "no such directory",
		dir:                        "holds no SHA256SUMS",
	} {
		if err := check(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
	os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(strings.Repeat("0", 64)+"  tock_v1_windows_amd64.zip\n"), 0o644)
	if err := check(dir); err == nil || !strings.Contains(err.Error(), "none of the archives") {
		t.Errorf("sums without their archives: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "tock_v1_windows_amd64.zip"), []byte("PK"), 0o644)
	if err := check(dir); err != nil {
		t.Errorf("a release directory: %v", err)
	}
	if err := check(""); err != nil {
		t.Errorf("no --downloads: %v", err)
	}
}
