package blobstore_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/blobstore"
)

// crashHelperEnv makes the test binary act as a process that dies mid-Put
// (see TestLocalCrashMidWrite).
const crashHelperEnv = "BLOBSTORE_CRASH_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashHelperEnv); dir != "" {
		crashHelper(dir)
		return // not reached: the parent kills us
	}
	os.Exit(m.Run())
}

// crashHelper writes half a blob, says so on stdout, and blocks until killed.
func crashHelper(dir string) {
	s, err := blobstore.NewLocal(dir)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	half := bytes.Repeat([]byte("partial!"), 8<<10) // 64 KB
	r := io.MultiReader(bytes.NewReader(half), &announceBlock{})
	err = s.Put(context.Background(), "crash/blob", r, int64(len(half))*2)
	fmt.Println("ERR Put returned", err)
	os.Exit(2)
}

type announceBlock struct{}

func (*announceBlock) Read([]byte) (int, error) {
	fmt.Println("HALF")
	select {} // "crash" happens here
}

func newLocal(t testing.TB) *blobstore.Local {
	t.Helper()
	s, err := blobstore.NewLocal(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tmpEntries(t *testing.T, s *blobstore.Local) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(s.Dir(), ".tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestLocal(t *testing.T) {
	s := newLocal(t)
	testStore(t, s)
	if left := tmpEntries(t, s); len(left) != 0 {
		t.Errorf("conformance suite left temp files: %v", left)
	}
}

func TestNewLocal(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		dir     string
		wantErr bool
	}{
		{"new nested dir", filepath.Join(base, "a", "b"), false},
		{"existing dir", base, false},
		{"empty", "", true},
		{"under a file", filepath.Join(file, "x"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := blobstore.NewLocal(tc.dir)
			if (err != nil) != tc.wantErr {
				t.Fatalf("NewLocal(%q) error = %v, wantErr %v", tc.dir, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if !filepath.IsAbs(s.Dir()) {
				t.Errorf("Dir() = %q, not absolute", s.Dir())
			}
			fi, err := os.Stat(filepath.Join(s.Dir(), ".tmp"))
			if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
				t.Errorf(".tmp: %v, %v", fi, err)
			}
		})
	}
}

func TestLocalFailedPutLeavesNoTemp(t *testing.T) {
	s := newLocal(t)
	data := randBytes(t, 100<<10)
	cctx, cancel := context.WithCancel(context.Background())
	for _, tc := range []struct {
		name string
		ctx  context.Context
		r    io.Reader
		size int64
	}{
		{"short", context.Background(), bytes.NewReader(data[:10]), 100},
		{"long", context.Background(), bytes.NewReader(data), 100},
		{"cancelled mid-write", cctx, &cancelAfterReader{r: bytes.NewReader(data), n: 30 << 10, cancel: cancel}, int64(len(data))},
		{"parent is a blob", context.Background(), bytes.NewReader(data[:5]), 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "f/" + strings.ReplaceAll(tc.name, " ", "-")
			if tc.name == "parent is a blob" {
				mustPut(t, s, "f/plain", []byte("x"))
				key = "f/plain/child"
			}
			if err := s.Put(tc.ctx, key, tc.r, tc.size); err == nil {
				t.Fatal("Put succeeded")
			}
			if left := tmpEntries(t, s); len(left) != 0 {
				t.Fatalf(".tmp not empty after failed Put: %v", left)
			}
			if _, err := os.Stat(filepath.Join(s.Dir(), filepath.FromSlash(key))); !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errNotDir) {
				t.Fatalf("destination exists after failed Put: %v", err)
			}
		})
	}
}

func TestLocalModes(t *testing.T) {
	s := newLocal(t)
	mustPut(t, s, "u1/2026/07/shot.env", randBytes(t, 100))
	for _, tc := range []struct {
		rel  string
		want fs.FileMode
		dir  bool
	}{
		{"u1/2026/07/shot.env", 0o600, false},
		{"u1/2026/07", 0o700, true},
		{"u1/2026", 0o700, true},
		{"u1", 0o700, true},
		{".tmp", 0o700, true},
	} {
		fi, err := os.Stat(filepath.Join(s.Dir(), filepath.FromSlash(tc.rel)))
		if err != nil {
			t.Fatal(err)
		}
		if fi.IsDir() != tc.dir || fi.Mode().Perm() != tc.want {
			t.Errorf("%s: mode %v dir=%v; want %v dir=%v", tc.rel, fi.Mode(), fi.IsDir(), tc.want, tc.dir)
		}
	}
}

func TestLocalListSkipsTmpAndStrays(t *testing.T) {
	s := newLocal(t)
	mustPut(t, s, "k/real", []byte("real"))
	strays := map[string]string{
		".tmp/put-123456":   "leftover",
		".tmp/k/real":       "nested leftover",
		"k/bad name":        "not a valid key",
		"k/dir.d/.keep.tmp": "", // valid key: listed
	}
	for rel, content := range strays {
		p := filepath.Join(s.Dir(), filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", []string{"k/dir.d/.keep.tmp", "k/real"}},
		{".", nil},
		{".tmp", nil},
		{".tmp/", nil},
		{"k/", []string{"k/dir.d/.keep.tmp", "k/real"}},
	} {
		if got := listKeys(t, s, tc.prefix); !slices.Equal(got, tc.want) {
			t.Errorf("List(%q) = %v, want %v", tc.prefix, got, tc.want)
		}
	}
	for _, key := range []string{".tmp/put-123456", ".tmp", ".tmp/k/real"} {
		if _, err := s.Stat(context.Background(), key); !errors.Is(err, blobstore.ErrInvalidKey) {
			t.Errorf("Stat(%q) = %v; want ErrInvalidKey (reserved)", key, err)
		}
	}
}

// TestLocalCrashMidWrite kills a real process in the middle of Put (after
// half the blob reached the temp file) and checks the store shows nothing
// partial afterwards, and that an earlier version of the blob survives.
func TestLocalCrashMidWrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		old  []byte
	}{
		{"new key", nil},
		{"overwrite", []byte("the old, complete version")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "blobs")
			if tc.old != nil {
				s, err := blobstore.NewLocal(dir)
				if err != nil {
					t.Fatal(err)
				}
				mustPut(t, s, "crash/blob", tc.old)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), crashHelperEnv+"="+dir)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string, 4)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			select {
			case line := <-lines:
				if line != "HALF" {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("helper said %q (stderr %s)", line, stderr.String())
				}
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("helper never reached mid-write (stderr %s)", stderr.String())
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()

			// "Restart": reopen the store.
			s, err := blobstore.NewLocal(dir)
			if err != nil {
				t.Fatal(err)
			}
			left := tmpEntries(t, s)
			if len(left) != 1 {
				t.Fatalf("want exactly one leftover temp file from the crash, got %v", left)
			}
			fi, err := os.Stat(filepath.Join(dir, ".tmp", left[0]))
			if err != nil || fi.Size() != 64<<10 {
				t.Fatalf("leftover temp file should hold the 64 KB written before the crash: %v, %v", fi, err)
			}
			if tc.old == nil {
				assertNotFound(t, s, "crash/blob")
				if keys := listKeys(t, s, ""); len(keys) != 0 {
					t.Fatalf("List after crash = %v, want nothing", keys)
				}
			} else {
				if got := mustGet(t, s, "crash/blob"); !bytes.Equal(got, tc.old) {
					t.Fatalf("after crash Get = %q, want the old version", got)
				}
				if keys := listKeys(t, s, ""); !slices.Equal(keys, []string{"crash/blob"}) {
					t.Fatalf("List after crash = %v", keys)
				}
			}
			if _, err := s.Get(context.Background(), ".tmp/"+left[0]); !errors.Is(err, blobstore.ErrInvalidKey) {
				t.Fatalf("Get of the temp file = %v; want ErrInvalidKey", err)
			}
			// The store keeps working after the crash.
			mustPut(t, s, "crash/blob", []byte("new"))
			if got := mustGet(t, s, "crash/blob"); string(got) != "new" {
				t.Fatalf("Put after crash: got %q", got)
			}
			sweepLeftover(t, s, left[0])
		})
	}
}

// sweepLeftover checks SweepTemp on a crash's leftover: kept while younger
// than the cutoff (it could be a write in flight), removed once older, and
// no blob goes with it.
func sweepLeftover(t *testing.T, s *blobstore.Local, leftover string) {
	t.Helper()
	ctx := context.Background()
	if n, err := s.SweepTemp(ctx, time.Now().Add(-5*time.Minute)); err != nil || n != 0 {
		t.Fatalf("sweep of a fresh leftover removed %d (%v), want 0", n, err)
	}
	if left := tmpEntries(t, s); !slices.Equal(left, []string{leftover}) {
		t.Fatalf("after sweeping, .tmp holds %v, want the fresh %s", left, leftover)
	}
	old := time.Now().Add(-10 * time.Minute)
	if err := os.Chtimes(filepath.Join(s.Dir(), ".tmp", leftover), old, old); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SweepTemp(ctx, time.Now().Add(-5*time.Minute)); err != nil || n != 1 {
		t.Fatalf("sweep of an old leftover removed %d (%v), want 1", n, err)
	}
	if left := tmpEntries(t, s); len(left) != 0 {
		t.Fatalf("after sweeping, .tmp holds %v", left)
	}
	if got := mustGet(t, s, "crash/blob"); string(got) != "new" {
		t.Fatalf("after sweeping, Get = %q", got)
	}
}

func BenchmarkLocalPut(b *testing.B) { benchPut(b, newLocal(b)) }

// benchPut stores 200 KB blobs, as screenshots are, over a few keys.
func benchPut(b *testing.B, s blobstore.Store) {
	data := randBytes(b, 200<<10)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	i := 0
	for b.Loop() {
		key := fmt.Sprintf("bench/u%d/shot-%d.env", i%4, i%64)
		if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// DeleteAll removes every blob it is given, across directories, skips
// missing keys like Delete, and reports a bad key without stopping at it.
func TestLocalDeleteAll(t *testing.T) {
	s := newLocal(t)
	ctx := context.Background()
	keep := "screenshots/o/2026-01-03/keep.tock"
	gone := []string{"screenshots/o/2026-01-01/a.tock", "screenshots/o/2026-01-01/b.tock", "screenshots/o/2026-01-02/c.tock"}
	for _, k := range append([]string{keep}, gone...) {
		if err := s.Put(ctx, k, strings.NewReader("sealed"), 6); err != nil {
			t.Fatal(err)
		}
	}
	err := s.DeleteAll(ctx, append([]string{"../escape", "screenshots/o/2026-01-01/missing.tock"}, gone...))
	if !errors.Is(err, blobstore.ErrInvalidKey) {
		t.Errorf("DeleteAll with a bad key: %v, want ErrInvalidKey", err)
	}
	for _, k := range gone {
		if _, err := s.Stat(ctx, k); !errors.Is(err, blobstore.ErrNotFound) {
			t.Errorf("%s after DeleteAll: %v, want ErrNotFound", k, err)
		}
	}
	if _, err := s.Stat(ctx, keep); err != nil {
		t.Errorf("%s, not listed, was touched: %v", keep, err)
	}
	if err := s.DeleteAll(ctx, gone); err != nil {
		t.Errorf("DeleteAll of deleted blobs: %v", err)
	}
}
