package blobstore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestConcurrentPutsShareDirectorySyncs: Puts into one directory at once
// share its fsyncs, and none returns before a sync that began with its blob
// already in the directory (so the acknowledged blob survives a crash).
func TestConcurrentPutsShareDirectorySyncs(t *testing.T) {
	s, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s.Dir(), "day")
	var mu sync.Mutex
	var seen []map[string]bool // each sync: the names present when it began
	s.dirSyncs = newDirSyncer(func(d string) error {
		entries, err := os.ReadDir(d)
		if err != nil {
			return err
		}
		names := map[string]bool{}
		for _, e := range entries {
			names[e.Name()] = true
		}
		mu.Lock()
		seen = append(seen, names)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // a slow disk: Puts pile up behind it
		return syncDir(d)
	})

	const puts = 16
	var wg sync.WaitGroup
	for i := range puts {
		wg.Go(func() {
			name := fmt.Sprintf("blob-%02d", i)
			if err := s.Put(context.Background(), "day/"+name, bytes.NewReader([]byte(name)), int64(len(name))); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, names := range seen {
				if names[name] {
					return
				}
			}
			t.Errorf("Put of %s returned before a sync of %s covered it", name, dir)
		})
	}
	wg.Wait()
	if len(seen) >= puts {
		t.Errorf("%d Puts at once synced the directory %d times; want them to share syncs", puts, len(seen))
	}
	t.Logf("%d Puts, %d directory syncs", puts, len(seen))
}

// TestDirSyncFailureReachesEveryWaiter: a Put whose directory sync failed
// fails, even when the sync was shared.
func TestDirSyncFailureReachesEveryWaiter(t *testing.T) {
	s, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.dirSyncs = newDirSyncer(func(string) error {
		time.Sleep(10 * time.Millisecond)
		return fmt.Errorf("fsync: input/output error")
	})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if err := s.Put(context.Background(), fmt.Sprintf("day/b%d", i), bytes.NewReader([]byte("x")), 1); err == nil {
				t.Errorf("Put %d succeeded though its directory sync failed", i)
			}
		})
	}
	wg.Wait()
}

// TestPutRemakesARemovedDirectory: a day's directory removed by hand after
// a Put is made again by the next Put into it.
func TestPutRemakesARemovedDirectory(t *testing.T) {
	s, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Put(ctx, "org/day/a", bytes.NewReader([]byte("a")), 1); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(s.Dir(), "org")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "org/day/b", bytes.NewReader([]byte("b")), 1); err != nil {
		t.Fatalf("Put after its directory was removed: %v", err)
	}
	if _, err := s.Stat(ctx, "org/day/b"); err != nil {
		t.Fatal(err)
	}
}
