// Package miniotest starts a real MinIO server on loopback for tests.
//
// The binary is $TOCK_MINIO_BIN, else <module root>/bin/minio (installed by
// scripts/test-deps), else `minio` on PATH. Without one, Start skips the test
// loudly, or fails it when TOCK_REQUIRE_S3=1 (as `make test` and CI set).
package miniotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tock-app/tock/internal/component"
)

// Config mirrors blobstore.S3Config.
type Config struct {
	Endpoint  string
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	UseTLS    bool
}

const (
	// AccessKey is the root user of every server Start launches.
	AccessKey = "tockminio"
	// SecretKey is the root password of every server Start launches.
	SecretKey = "tockminio-secret-key"
	// Region is the region reported in Config.
	Region = "us-east-1"

	readyTimeout = 30 * time.Second
	maxOutput    = 64 << 10
)

// EnvBin names the MinIO binary explicitly; EnvRequire=1 turns a missing
// binary into a failure instead of a skip.
const (
	EnvBin     = "TOCK_MINIO_BIN"
	EnvRequire = "TOCK_REQUIRE_S3"
)

// Start launches a MinIO server on a free loopback port with a fresh temp
// data dir, waits until it is ready and registers t.Cleanup to stop it. The
// returned Config names a fresh, not yet created bucket.
func Start(t testing.TB) Config {
	t.Helper()
	bin, err := locateBinary()
	if err != nil {
		component.Missing(t, EnvRequire, "S3", fmt.Sprintf("miniotest: %v; run scripts/test-deps to build bin/minio", err))
		return Config{}
	}
	dataDir := t.TempDir()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a free port can be taken before MinIO binds it
		srv, err := launch(bin, dataDir)
		if err != nil {
			lastErr = err
			continue
		}
		t.Cleanup(func() {
			srv.stop()
			if t.Failed() {
				t.Logf("miniotest: MinIO output (%s):\n%s", srv.endpoint, srv.out.String())
			}
		})
		return Config{
			Endpoint:  srv.endpoint,
			Bucket:    uniqueBucket(),
			Region:    Region,
			AccessKey: AccessKey,
			SecretKey: SecretKey,
			UseTLS:    false,
		}
	}
	t.Fatalf("miniotest: starting %s: %v", bin, lastErr)
	return Config{}
}

// locateBinary is a variable so tests can simulate a machine without MinIO.
var locateBinary = func() (string, error) {
	return findBinary(os.Getenv(EnvBin), moduleRoot(), exec.LookPath)
}

type server struct {
	cmd      *exec.Cmd
	endpoint string
	out      *syncBuffer
	done     chan struct{} // closed when the process has exited
	waitErr  error
}

func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

func launch(bin, dataDir string) (*server, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	console := "127.0.0.1:" + strconv.Itoa(ports[1])
	out := &syncBuffer{}
	cmd := exec.Command(bin, "server", "--address", addr, "--console-address", console, "--quiet", dataDir)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+AccessKey,
		"MINIO_ROOT_PASSWORD="+SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("exec: %w", err)
	}
	srv := &server{cmd: cmd, endpoint: addr, out: out, done: make(chan struct{})}
	go func() {
		srv.waitErr = cmd.Wait()
		close(srv.done)
	}()
	if err := waitReady(srv, readyTimeout); err != nil {
		srv.stop()
		return nil, fmt.Errorf("%w\nMinIO output:\n%s", err, out.String())
	}
	return srv, nil
}

// waitReady waits for the health check and then for the S3 API itself:
// MinIO reports ready a moment before it stops answering S3 requests with
// 503, and a test must never see that moment.
func waitReady(srv *server, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	if err := waitStatus(srv, "/minio/health/ready", deadline, func(code int) bool { return code == http.StatusOK }); err != nil {
		return err
	}
	return waitStatus(srv, "/", deadline, func(code int) bool { return code != http.StatusServiceUnavailable })
}

func waitStatus(srv *server, path string, deadline time.Time, ok func(int) bool) error {
	url := "http://" + srv.endpoint + path
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-srv.done:
			return fmt.Errorf("MinIO exited before becoming ready: %v", srv.waitErr)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if ok(resp.StatusCode) {
				cancel()
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		cancel()
		if time.Now().After(deadline) {
			return fmt.Errorf("MinIO at %s: %s not ready: %v", srv.endpoint, path, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// findBinary resolves the MinIO binary: explicit (must exist if set), then
// <root>/bin/minio, then lookPath("minio").
func findBinary(explicit, root string, lookPath func(string) (string, error)) (string, error) {
	if explicit != "" {
		if isExecutable(explicit) {
			return explicit, nil
		}
		return "", fmt.Errorf("%s=%q is not an executable file", EnvBin, explicit)
	}
	if root != "" {
		p := filepath.Join(root, "bin", "minio")
		if isExecutable(p) {
			return p, nil
		}
	}
	if p, err := lookPath("minio"); err == nil {
		return p, nil
	}
	where := "no bin/minio"
	if root != "" {
		where = "no " + filepath.Join(root, "bin", "minio")
	}
	return "", fmt.Errorf("no MinIO binary found (%s unset, %s, no minio on PATH)", EnvBin, where)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// moduleRoot walks up from the working directory (a package dir under go
// test) to the directory holding go.mod; "" if there is none.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func uniqueBucket() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(errors.New("miniotest: crypto/rand failed"))
	}
	return "tock-test-" + hex.EncodeToString(b[:])
}

// syncBuffer collects process output, keeping at most maxOutput bytes (the
// first half and the most recent bytes).
type syncBuffer struct {
	mu   sync.Mutex
	head bytes.Buffer
	tail []byte
	cut  int64
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	if room := maxOutput/2 - b.head.Len(); room > 0 {
		k := min(room, len(p))
		b.head.Write(p[:k])
		p = p[k:]
	}
	b.tail = append(b.tail, p...)
	if over := len(b.tail) - maxOutput/2; over > 0 {
		b.cut += int64(over)
		b.tail = append(b.tail[:0], b.tail[over:]...)
	}
	return n, nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.head.String()
	if b.cut > 0 {
		s += fmt.Sprintf("\n[... %d bytes cut ...]\n", b.cut)
	}
	s += string(b.tail)
	if s == "" {
		return "(no output)"
	}
	return s
}
