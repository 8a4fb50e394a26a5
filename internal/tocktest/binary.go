package tocktest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Binary is the real tock binary, built from the current source, in the
// test's temp dir (so a data directory that defaults to "next to the binary"
// stays the test's own).
func Binary(t testing.TB) string {
	t.Helper()
	cached, err := tockBuild()
	if err != nil {
		t.Fatal(err)
	}
	return linkInto(t, cached, "tock")
}

// tockBuild is the cached build of tock, looked up once per test process (the
// look-up itself asks the go command, a fraction of a second): every test of
// a process runs the same binary.
var tockBuild = sync.OnceValues(func() (string, error) { return cachedBuild("github.com/tock-app/tock", "tock") })

// Build puts the command pkg, built from the current source, into the test's
// temp dir as name. Linking the tock binary takes seconds, and the suite runs
// it in many tests of many packages, so it is linked once per source tree for
// all of them: the build is kept in the user's cache under a key that changes
// whenever anything compiled into it does (see buildKey), and each test gets
// a hard link to it (a copy across file systems).
func Build(t testing.TB, pkg, name string) string {
	t.Helper()
	cached, err := cachedBuild(pkg, name)
	if err != nil {
		t.Fatal(err)
	}
	return linkInto(t, cached, name)
}

// linkInto gives the test its own name for the build at cached, in its temp dir.
func linkInto(t testing.TB, cached, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	if err := linkOrCopy(cached, bin); err != nil {
		t.Fatalf("build %s: %v", name, err)
	}
	return bin
}

// binCacheAge is how long an unused build stays in the cache: longer than
// any test run, so a build is never removed under a test still running it.
const binCacheAge = 24 * time.Hour

// cachedBuild returns the path of pkg's build in the cache, linking it first
// if no test process has yet. Two processes that miss at once both link and
// rename into place atomically; the second rename swaps in an identical file.
func cachedBuild(pkg, name string) (string, error) {
	key, err := buildKey("", pkg)
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("build cache of %s: %w", name, err)
	}
	dir := filepath.Join(cache, "tock-test-bin")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("build cache of %s: %w", name, err)
	}
	path := filepath.Join(dir, name+"-"+key)
	if _, err := os.Stat(path); err == nil {
		now := time.Now()
		os.Chtimes(path, now, now) // still in use: keep it from pruneBuilds
		return path, nil
	}
	tmp, err := os.MkdirTemp(dir, "building-")
	if err != nil {
		return "", fmt.Errorf("build %s: %w", name, err)
	}
	defer os.RemoveAll(tmp)
	if out, err := exec.Command("go", "build", "-o", filepath.Join(tmp, name), pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", name, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, name), path); err != nil {
		return "", fmt.Errorf("build %s: %w", name, err)
	}
	pruneBuilds(dir)
	return path, nil
}

// buildKey names what `go build pkg` would link: the go command lists the
// compiled archive of pkg and of each package it imports, by content hash in
// its build cache (compiling what changed), so any change to a source file,
// an embedded file, a dependency, the toolchain, the target or the build
// tags gives another key. GOFLAGS is added for what it passes the linker.
// dir is where the go command runs ("": here, in the module under test).
func buildKey(dir, pkg string) (string, error) {
	list := exec.Command("go", "list", "-deps", "-export", "-f", "{{.ImportPath}} {{.Export}}", pkg)
	list.Dir = dir
	out, err := list.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		return "", fmt.Errorf("list the build of %s: %v\n%s", pkg, err, stderr)
	}
	h := sha256.New()
	h.Write(out)
	fmt.Fprintf(h, "GOFLAGS=%s\n", os.Getenv("GOFLAGS"))
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

// pruneBuilds removes the builds (and abandoned partial ones) no test has
// used for binCacheAge: each source change leaves a build of tens of MB.
func pruneBuilds(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > binCacheAge {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// linkOrCopy makes dst the same file as src: a hard link, or a copy where
// src is on another file system.
func linkOrCopy(src, dst string) error {
	if os.Link(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}

// FreeAddr is a loopback address nothing listens on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Server is a running `tock serve`.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	logs syncBuffer
	once sync.Once
}

// Serve starts `bin serve --http addr` with env added to the test's
// environment, waits until /api/health answers and stops it when the test ends.
func Serve(t testing.TB, bin, addr string, env ...string) *Server {
	t.Helper()
	s := &Server{URL: "http://" + addr}
	s.cmd = exec.Command(bin, "serve", "--http", addr)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = &s.logs, &s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start tock serve: %v", err)
	}
	t.Cleanup(s.Kill)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.URL + "/api/health"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("tock serve not healthy after 30s:\n%s", s.Logs())
	return nil
}

// Kill stops the server at once, as a crash would.
func (s *Server) Kill() {
	s.once.Do(func() {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	})
}

// CPU is the processor time, user and system, the server has used so far
// (Linux: /proc/<pid>/stat, in clock ticks of 10 ms).
func (s *Server) CPU() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("cpu of the server: %w", err)
	}
	// Fields after the command's closing parenthesis start at field 3
	// (state); utime and stime are fields 14 and 15.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("cpu of the server: short stat %q", b)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu of the server: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// Logs is what the server printed.
func (s *Server) Logs() string { return s.logs.String() }

// API sends a JSON request (body marshalled when not nil), decodes a JSON
// answer into out when not nil and returns the status.
func API(t testing.TB, method, url, token string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil {
		json.Unmarshal(data, out)
	}
	return res.StatusCode
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
