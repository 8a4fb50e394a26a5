package tocktest

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// counting is a seed that counts its runs and takes a while, as a real one.
func counting(n *atomic.Int32) func(core.App) error {
	return func(core.App) error {
		n.Add(1)
		time.Sleep(300 * time.Millisecond)
		return nil
	}
}

// A second open of a key reuses the kept fixture; a new key (changed code,
// another day) seeds a new one.
func TestCachedReusesAKeyAndRebuildsAnother(t *testing.T) {
	dir := t.TempDir()
	var n atomic.Int32
	first, err := cachedIn(dir, "unit", "20260101-0123456789abcdef", counting(&n))
	if err != nil {
		t.Fatal(err)
	}
	again, err := cachedIn(dir, "unit", "20260101-0123456789abcdef", counting(&n))
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 || first.Dir() != again.Dir() {
		t.Fatalf("a hit seeded again or opened another copy: %d seeds, %s vs %s", n.Load(), first.Dir(), again.Dir())
	}
	other, err := cachedIn(dir, "unit", "20260101-fedcba9876543210", counting(&n))
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 || other.Dir() == first.Dir() {
		t.Fatalf("a changed key reused the old fixture: %d seeds, %s", n.Load(), other.Dir())
	}
}

// Processes starting together seed a key once: the others wait on the lock
// and open what the first kept. (The lock is a directory, so goroutines
// stand for processes here.)
func TestCachedSeedsOnceForConcurrentCallers(t *testing.T) {
	dir := t.TempDir()
	var n atomic.Int32
	var wg sync.WaitGroup
	dirs := make([]string, 3)
	for i := range dirs {
		wg.Go(func() {
			fx, err := cachedIn(dir, "unit", "20260101-0123456789abcdef", counting(&n))
			if err != nil {
				t.Error(err)
				return
			}
			dirs[i] = fx.Dir()
		})
	}
	wg.Wait()
	if n.Load() != 1 || dirs[0] != dirs[1] || dirs[1] != dirs[2] {
		t.Fatalf("concurrent callers seeded %d times, dirs %v", n.Load(), dirs)
	}
}

// Kept fixtures of other keys unused for a day go; the one in use, recent
// ones and anything Cached didn't keep stay.
func TestPruneKeptRemovesOnlyStaleCachedEntries(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	old, recent := now.Add(-KeptMaxAge-time.Hour), now.Add(-time.Hour)
	entries := map[string]time.Time{
		"tock-fixture-basic-20260101-0123456789abcdef":       old,    // the key in use: stays, and is marked used
		"tock-fixture-basic-20251231-fedcba9876543210":       old,    // yesterday's: goes
		"tock-fixture-matrix-20251231-fedcba9876543210.lock": old,    // a crashed seeder's lock: goes
		"tock-fixture-matrix-20260101-aaaaaaaaaaaaaaaa":      recent, // another process may use it: stays
		"tock-fixture-123456789":                             old,    // a private fixture: not the cache's
		"pb_test_other":                                      old,    // not Tock's
	}
	for name, at := range entries {
		p := filepath.Join(dir, name)
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	removed := PruneKept(dir, isCachedName, "tock-fixture-basic-20260101-0123456789abcdef", now)
	slices.Sort(removed)
	want := []string{"tock-fixture-basic-20251231-fedcba9876543210", "tock-fixture-matrix-20251231-fedcba9876543210.lock"}
	if !slices.Equal(removed, want) {
		t.Fatalf("removed %v, want %v", removed, want)
	}
	for name := range entries {
		_, err := os.Stat(filepath.Join(dir, name))
		if gone := os.IsNotExist(err); gone != slices.Contains(want, name) {
			t.Errorf("%s: gone=%v", name, gone)
		}
	}
	st, err := os.Stat(filepath.Join(dir, "tock-fixture-basic-20260101-0123456789abcdef"))
	if err != nil || now.Sub(st.ModTime()) > time.Minute {
		t.Fatalf("the fixture in use was not marked used: %v %v", st.ModTime(), err)
	}
}
