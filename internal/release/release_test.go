package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestArchivesAndSums: the archives hold the files with their modes and the
// same bytes every time, and `sha256sum -c SHA256SUMS` accepts them.
func TestArchivesAndSums(t *testing.T) {
	files := []entry{{"tock", []byte("binary"), 0o755}, {"README.md", []byte("# Tock"), 0o644}}
	tgz, err := tarGz(files)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := tarGz(files)
	if !bytes.Equal(tgz, again) {
		t.Error("the same files made different archives")
	}
	gz, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != "tock" || hdr.Mode != 0o755 {
		t.Fatalf("first entry %+v %v", hdr, err)
	}
	if b, _ := io.ReadAll(tr); string(b) != "binary" {
		t.Errorf("tock holds %q", b)
	}
	z, err := zipOf(files)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil || len(zr.File) != 2 || zr.File[0].Name != "tock" {
		t.Fatalf("zip: %v", err)
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.tar.gz"), tgz, 0o644)
	os.WriteFile(filepath.Join(dir, "b.zip"), z, 0o644)
	if err := writeSums(dir, []string{"b.zip", "a.tar.gz"}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sha256sum", "-c", "SHA256SUMS")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
}

func TestVersionIsRequired(t *testing.T) {
	for _, v := range []string{"", "v1 2", "a/b"} {
		if err := run(v, t.TempDir()); err == nil {
			t.Errorf("version %q accepted", v)
		}
	}
}
