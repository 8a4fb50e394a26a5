// Command release builds Tock's release archives: `make release` runs it.
// For each platform it cross-compiles the tock binary (pure Go, CGO off, so
// no C toolchain and no network beyond the module proxy) with the version in
// main.version, packs it with README.md into tock_<version>_<os>_<arch>
// .tar.gz (.zip on Windows), and writes SHA256SUMS beside them: the
// directory `tock serve --downloads DIR` offers.
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// platforms are the agent's (and server's) release targets.
func platforms() []string { return []string{"linux/amd64", "linux/arm64", "windows/amd64"} }

// epoch stamps every archive entry, so the same sources give the same bytes.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	version := flag.String("version", "", "version to stamp (tock --version prints it)")
	out := flag.String("out", "dist", "directory to write the archives and SHA256SUMS into")
	flag.Parse()
	if err := run(*version, *out); err != nil {
		slog.Error("release failed", "error", err)
		os.Exit(1)
	}
}

func run(version, out string) error {
	if version == "" || strings.ContainsAny(version, " /\\") {
		return fmt.Errorf("version %q: give one without spaces or slashes, e.g. -version v1.4.0", version)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("make %s: %w", out, err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		return fmt.Errorf("read README.md: %w", err)
	}
	var names []string
	for _, p := range platforms() {
		name, err := release(version, p, out, readme)
		if err != nil {
			return err
		}
		names = append(names, name)
	}
	return writeSums(out, names)
}

// release builds one platform's binary and archives it; it returns the
// archive's file name.
func release(version, platform, out string, readme []byte) (string, error) {
	goos, goarch, _ := strings.Cut(platform, "/")
	exe := "tock"
	if goos == "windows" {
		exe = "tock.exe"
	}
	tmp, err := os.MkdirTemp("", "tock-release-")
	if err != nil {
		return "", fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, exe)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+version, "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build %s: %w", platform, err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		return "", fmt.Errorf("read %s build: %w", platform, err)
	}
	files := []entry{{exe, b, 0o755}, {"README.md", readme, 0o644}}
	base := fmt.Sprintf("tock_%s_%s_%s", version, goos, goarch)
	var archive []byte
	name := base + ".tar.gz"
	if goos == "windows" {
		name = base + ".zip"
		archive, err = zipOf(files)
	} else {
		archive, err = tarGz(files)
	}
	if err != nil {
		return "", fmt.Errorf("archive %s: %w", platform, err)
	}
	if err := os.WriteFile(filepath.Join(out, name), archive, 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	slog.Info("built", "archive", name, "bytes", len(archive))
	return name, nil
}

// entry is one file of an archive.
type entry struct {
	name string
	data []byte
	mode int64
}

func tarGz(files []entry) ([]byte, error) {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: epoch, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func zipOf(files []entry) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		hdr := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: epoch}
		hdr.SetMode(os.FileMode(f.mode))
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeSums writes SHA256SUMS in sha256sum's format, so `sha256sum -c
// SHA256SUMS` checks a download.
func writeSums(dir string, names []string) error {
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return fmt.Errorf("sum %s: %w", n, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("sum %s: %w", n, err)
		}
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h.Sum(nil)), n)
	}
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(b.String()), 0o644)
}
