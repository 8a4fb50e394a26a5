package blobstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/tock-app/tock/blobstore"
)

func randBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPut(t testing.TB, s blobstore.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("Put(%q, %d bytes): %v", key, len(data), err)
	}
}

func mustGet(t testing.TB, s blobstore.Store, key string) []byte {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q) read: %v", key, err)
	}
	return b
}

func assertNotFound(t testing.TB, s blobstore.Store, key string) {
	t.Helper()
	if info, err := s.Stat(context.Background(), key); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("Stat(%q) = %+v, %v; want ErrNotFound", key, info, err)
	}
	rc, err := s.Get(context.Background(), key)
	if err == nil {
		rc.Close()
	}
	if !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("Get(%q) error = %v; want ErrNotFound", key, err)
	}
}

func listKeys(t testing.TB, s blobstore.Store, prefix string) []string {
	t.Helper()
	var keys []string
	err := s.List(context.Background(), prefix, func(i blobstore.Info) error {
		keys = append(keys, i.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	slices.Sort(keys)
	return keys
}

// cancelAfterReader yields data and cancels ctx once n bytes have been read.
type cancelAfterReader struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfterReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
		time.Sleep(10 * time.Millisecond)
	}
	if len(p) > c.n && c.n > 0 {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= n
	return n, err
}

// badKeys are rejected as keys; badPrefix marks those also rejected as a List prefix.
var badKeys = []struct {
	key       string
	badPrefix bool
}{
	{"", false},
	{".", false},
	{"..", false},
	{"/abs", true},
	{"/", true},
	{"../x", true},
	{"a/../b", true},
	{"a/./b", true},
	{"a/..", false},
	{"a\\b", true},
	{"..\\x", true},
	{"a//b", true},
	{"a/", false},
	{"has space", true},
	{"tab\t", true},
	{"nul\x00", true},
	{"é", true},
	{"a:b", true},
	{"q?x", true},
	{"pct%2e", true},
	{strings.Repeat("a", blobstore.MaxKeyLen+1), true},
}

func TestValidateKey(t *testing.T) {
	for _, bk := range badKeys {
		if err := blobstore.ValidateKey(bk.key); !errors.Is(err, blobstore.ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v; want ErrInvalidKey", bk.key, err)
		}
	}
	for _, k := range []string{"a", "a.b", "A-Z_0.9", "..x", "x/..y", "u1/2026/01/02/shot-0001.env", strings.Repeat("a", blobstore.MaxKeyLen)} {
		if err := blobstore.ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v; want nil", k, err)
		}
	}
}

// testStore is the conformance suite every Store must pass. It expects an
// empty store.
func testStore(t *testing.T, s blobstore.Store) {
	ctx := context.Background()

	t.Run("RoundTrip", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			key  string
			size int
		}{
			{"empty", "rt/empty", 0},
			{"one byte", "rt/one", 1},
			{"300KB random", "rt/deep/er/big.env", 300 << 10},
		} {
			t.Run(tc.name, func(t *testing.T) {
				data := randBytes(t, tc.size)
				mustPut(t, s, tc.key, data)
				if got := mustGet(t, s, tc.key); !bytes.Equal(got, data) {
					t.Fatalf("Get(%q) returned %d bytes differing from the %d put", tc.key, len(got), len(data))
				}
				info, err := s.Stat(ctx, tc.key)
				if err != nil || info.Size != int64(tc.size) || info.Key != tc.key {
					t.Fatalf("Stat(%q) = %+v, %v; want size %d", tc.key, info, err, tc.size)
				}
			})
		}
	})

	t.Run("Overwrite", func(t *testing.T) {
		key := "ow/blob"
		first, second := randBytes(t, 5000), randBytes(t, 1234)
		mustPut(t, s, key, first)
		mustPut(t, s, key, second)
		if got := mustGet(t, s, key); !bytes.Equal(got, second) {
			t.Fatalf("after overwrite got %d bytes, want the second blob (%d)", len(got), len(second))
		}
		mustPut(t, s, key, second) // idempotent re-upload
		if got := mustGet(t, s, key); !bytes.Equal(got, second) {
			t.Fatal("re-upload of the same bytes changed the blob")
		}
		if info, err := s.Stat(ctx, key); err != nil || info.Size != int64(len(second)) {
			t.Fatalf("Stat after overwrite = %+v, %v", info, err)
		}
	})

	t.Run("StatModTime", func(t *testing.T) {
		before := time.Now()
		mustPut(t, s, "stat/blob", randBytes(t, 777))
		after := time.Now()
		info, err := s.Stat(ctx, "stat/blob")
		if err != nil {
			t.Fatal(err)
		}
		if info.Size != 777 {
			t.Errorf("Size = %d, want 777", info.Size)
		}
		// S3 Last-Modified has one-second resolution; allow clock slack.
		lo, hi := before.Add(-2*time.Second), after.Add(2*time.Second)
		if info.ModTime.Before(lo) || info.ModTime.After(hi) {
			t.Errorf("ModTime %v not within [%v, %v]", info.ModTime, lo, hi)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		mustPut(t, s, "missing/file", []byte("x"))
		for _, key := range []string{"missing/none", "nothing-here", "missing/file/child", "missing"} {
			assertNotFound(t, s, key)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		mustPut(t, s, "del/a", []byte("aaa"))
		mustPut(t, s, "del/b", []byte("bbb"))
		for i, key := range []string{"del/a", "del/a", "del/never", "del/a/x", "never/at/all"} {
			if err := s.Delete(ctx, key); err != nil {
				t.Fatalf("Delete #%d (%q): %v", i, key, err)
			}
		}
		assertNotFound(t, s, "del/a")
		if got := mustGet(t, s, "del/b"); string(got) != "bbb" {
			t.Fatalf("Delete of del/a disturbed del/b: %q", got)
		}
		if keys := listKeys(t, s, "del/"); !slices.Equal(keys, []string{"del/b"}) {
			t.Fatalf("List(del/) after delete = %v", keys)
		}
	})

	t.Run("List", func(t *testing.T) {
		blobs := map[string]int{
			"ls/u1/2026/a": 10, "ls/u1/2026/b": 20, "ls/u1/2027/c": 30,
			"ls/u10/x": 40, "ls/u2/y": 50, "lsother/z": 60,
		}
		for k, n := range blobs {
			mustPut(t, s, k, randBytes(t, n))
		}
		for _, tc := range []struct {
			prefix string
			want   []string
		}{
			{"ls/u1/", []string{"ls/u1/2026/a", "ls/u1/2026/b", "ls/u1/2027/c"}},
			{"ls/u1/2026/", []string{"ls/u1/2026/a", "ls/u1/2026/b"}},
			{"ls/u1/202", []string{"ls/u1/2026/a", "ls/u1/2026/b", "ls/u1/2027/c"}},
			{"ls/u1", []string{"ls/u1/2026/a", "ls/u1/2026/b", "ls/u1/2027/c", "ls/u10/x"}},
			{"ls/u1/2026/a", []string{"ls/u1/2026/a"}},
			{"ls/", []string{"ls/u1/2026/a", "ls/u1/2026/b", "ls/u1/2027/c", "ls/u10/x", "ls/u2/y"}},
			{"ls/u3/", nil},
			{"nope/", nil},
			{"ls/u2/y/", nil},
		} {
			if got := listKeys(t, s, tc.prefix); !slices.Equal(got, tc.want) {
				t.Errorf("List(%q) = %v, want %v", tc.prefix, got, tc.want)
			}
		}
		// "" lists everything, including these.
		all := listKeys(t, s, "")
		for k := range blobs {
			if !slices.Contains(all, k) {
				t.Errorf("List(\"\") misses %q", k)
			}
		}
		// Info carries the size.
		err := s.List(ctx, "ls/", func(i blobstore.Info) error {
			if want := int64(blobs[i.Key]); i.Size != want {
				t.Errorf("List info %q size %d, want %d", i.Key, i.Size, want)
			}
			if i.ModTime.IsZero() {
				t.Errorf("List info %q has zero ModTime", i.Key)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// fn's error stops the listing and is returned.
		errStop := errors.New("stop")
		calls := 0
		err = s.List(ctx, "ls/", func(blobstore.Info) error { calls++; return errStop })
		if !errors.Is(err, errStop) || calls != 1 {
			t.Fatalf("List with stopping fn = %v after %d calls; want errStop after 1", err, calls)
		}
	})

	t.Run("ListAfter", func(t *testing.T) {
		// Lexical order of whole keys: "-" and "." sort before "/".
		want := []string{"la/a-b", "la/a.c", "la/a/x", "la/a/y", "la/b/2026-01-01/z", "la/b0"}
		for _, k := range []string{"la/b0", "la/a/y", "la/a.c", "la/b/2026-01-01/z", "la/a/x", "la/a-b"} {
			mustPut(t, s, k, []byte("x"))
		}
		if got := listKeys(t, s, "la/"); !slices.Equal(got, want) {
			t.Fatalf("List(la/) = %v, want %v in lexical order", got, want)
		}
		// Resuming after each key lists exactly the keys after it, in order.
		for i, after := range append([]string{"", "la/", "la/a", "la/a/", "la/a/x0", "la/b/"}, want...) {
			var got []string
			err := s.ListAfter(ctx, "la/", after, func(i blobstore.Info) error { got = append(got, i.Key); return nil })
			if err != nil {
				t.Fatalf("ListAfter(%q): %v", after, err)
			}
			var exp []string
			for _, k := range want {
				if k > after {
					exp = append(exp, k)
				}
			}
			if !slices.Equal(got, exp) {
				t.Errorf("case %d: ListAfter(la/, %q) = %v, want %v", i, after, got, exp)
			}
		}
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		before := listKeys(t, s, "")
		for _, bk := range badKeys {
			name := fmt.Sprintf("%q", bk.key)
			if len(name) > 40 {
				name = name[:40]
			}
			t.Run(name, func(t *testing.T) {
				key := bk.key
				if err := s.Put(ctx, key, strings.NewReader("data"), 4); !errors.Is(err, blobstore.ErrInvalidKey) {
					t.Errorf("Put: %v; want ErrInvalidKey", err)
				}
				rc, err := s.Get(ctx, key)
				if err == nil {
					rc.Close()
				}
				if !errors.Is(err, blobstore.ErrInvalidKey) {
					t.Errorf("Get: %v; want ErrInvalidKey", err)
				}
				if _, err := s.Stat(ctx, key); !errors.Is(err, blobstore.ErrInvalidKey) {
					t.Errorf("Stat: %v; want ErrInvalidKey", err)
				}
				if err := s.Delete(ctx, key); !errors.Is(err, blobstore.ErrInvalidKey) {
					t.Errorf("Delete: %v; want ErrInvalidKey", err)
				}
				if bk.badPrefix {
					err := s.List(ctx, key, func(blobstore.Info) error { return nil })
					if !errors.Is(err, blobstore.ErrInvalidKey) {
						t.Errorf("List: %v; want ErrInvalidKey", err)
					}
				}
			})
		}
		if after := listKeys(t, s, ""); !slices.Equal(before, after) {
			t.Errorf("invalid-key calls changed the store: %v -> %v", before, after)
		}
	})

	t.Run("SizeMismatch", func(t *testing.T) {
		errBoom := errors.New("boom")
		data := randBytes(t, 64<<10)
		for _, tc := range []struct {
			name    string
			r       func() io.Reader
			size    int64
			wantErr error
		}{
			{"short", func() io.Reader { return bytes.NewReader(data[:1000]) }, 2000, blobstore.ErrSizeMismatch},
			{"short by one", func() io.Reader { return bytes.NewReader(data) }, int64(len(data)) + 1, blobstore.ErrSizeMismatch},
			{"empty reader", func() io.Reader { return strings.NewReader("") }, 10, blobstore.ErrSizeMismatch},
			{"short one byte at a time", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data[:300])) }, 301, blobstore.ErrSizeMismatch},
			{"long", func() io.Reader { return bytes.NewReader(data) }, 2000, blobstore.ErrSizeMismatch},
			{"long by one", func() io.Reader { return bytes.NewReader(data[:1001]) }, 1000, blobstore.ErrSizeMismatch},
			{"nonempty for size 0", func() io.Reader { return strings.NewReader("x") }, 0, blobstore.ErrSizeMismatch},
			{"reader error", func() io.Reader {
				return io.MultiReader(bytes.NewReader(data[:5000]), iotest.ErrReader(errBoom))
			}, int64(len(data)), errBoom},
			{"negative size", func() io.Reader { return strings.NewReader("") }, -1, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				key := "sz/" + strings.ReplaceAll(tc.name, " ", "-")
				err := s.Put(ctx, key, tc.r(), tc.size)
				if err == nil {
					t.Fatalf("Put succeeded; want error")
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("Put error %v; want %v", err, tc.wantErr)
				}
				assertNotFound(t, s, key)
			})
		}
		// A failed overwrite leaves the previous blob intact.
		old := randBytes(t, 3000)
		mustPut(t, s, "sz/keep", old)
		if err := s.Put(ctx, "sz/keep", bytes.NewReader(data[:100]), 3000); err == nil {
			t.Fatal("short overwrite succeeded")
		}
		if got := mustGet(t, s, "sz/keep"); !bytes.Equal(got, old) {
			t.Fatalf("failed overwrite changed the blob (%d bytes now)", len(got))
		}
	})

	t.Run("ContextCancelled", func(t *testing.T) {
		mustPut(t, s, "ctx/existing", []byte("here"))
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Put(cctx, "ctx/new", strings.NewReader("data"), 4); !errors.Is(err, context.Canceled) {
			t.Errorf("Put: %v; want context.Canceled", err)
		}
		rc, err := s.Get(cctx, "ctx/existing")
		if err == nil {
			rc.Close()
			t.Errorf("Get with cancelled context succeeded")
		}
		if _, err := s.Stat(cctx, "ctx/existing"); err == nil {
			t.Errorf("Stat with cancelled context succeeded")
		}
		if err := s.Delete(cctx, "ctx/existing"); err == nil {
			t.Errorf("Delete with cancelled context succeeded")
		}
		if err := s.List(cctx, "ctx/", func(blobstore.Info) error { return nil }); err == nil {
			t.Errorf("List with cancelled context succeeded")
		}
		assertNotFound(t, s, "ctx/new")
		if got := mustGet(t, s, "ctx/existing"); string(got) != "here" {
			t.Errorf("cancelled Delete removed the blob: %q", got)
		}

		// Cancelled mid-upload: nothing stored.
		data := randBytes(t, 200<<10)
		mctx, mcancel := context.WithCancel(ctx)
		defer mcancel()
		r := &cancelAfterReader{r: bytes.NewReader(data), n: 50 << 10, cancel: mcancel}
		if err := s.Put(mctx, "ctx/mid", r, int64(len(data))); err == nil {
			t.Errorf("Put cancelled mid-upload succeeded")
		}
		assertNotFound(t, s, "ctx/mid")
	})
}
