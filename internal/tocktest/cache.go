package tocktest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// cachedSources are the module's folders whose Go code shapes a seeded
// fixture: the schema, the hooks that run while seeding, the matrix and the
// seeds themselves.
func cachedSources() []string {
	return []string{"migrations", "hooks", "perms", "internal/tocktest"}
}

// lockStale is how old a seeding lock may get before it is taken for a
// crashed process's leftover: seeding takes seconds.
const lockStale = 10 * time.Minute

// Cached returns the fixture seed makes, kept in the temporary directory and
// opened again by later test processes: each test package of hooks runs in
// its own process, and seeding once per package would cost them all. The
// kept copy is named after the day and a hash of the code that shapes it,
// so a change to the schema, the hooks or the seed makes a new one. Only one
// process seeds a key: the others wait for it and open what it kept. Kept
// fixtures of other keys that no process opened for KeptMaxAge are removed.
func Cached(name string, seed func(app core.App) error) (*Fixture, error) {
	sum, err := sourceSum()
	if err != nil {
		return nil, err
	}
	return cachedIn(os.TempDir(), name, fmt.Sprintf("%s-%s", time.Now().UTC().Format("20060102"), sum[:16]), seed)
}

// cachedIn is Cached with the folder and the key (day and source hash) given.
func cachedIn(dir, name, key string, seed func(app core.App) error) (*Fixture, error) {
	path := filepath.Join(dir, fmt.Sprintf("tock-fixture-%s-%s", name, key))
	PruneKept(dir, isCachedName, filepath.Base(path), time.Now())
	if kept(path) {
		return OpenFixture(path)
	}
	unlock, err := lockDir(path + ".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if kept(path) { // another process made it while we waited
		return OpenFixture(path)
	}
	fx, err := NewFixture(seed)
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", name, err)
	}
	// Renamed whole, so a half-made fixture is never opened.
	if err := os.Rename(fx.Dir(), path); err != nil {
		return fx, nil // kept elsewhere already: use ours, removed by Close
	}
	return OpenFixture(path)
}

// cachedName matches what Cached keeps: tock-fixture-NAME-DAY-HASH and its
// lock. Private fixtures (tock-fixture-RANDOM) never match.
var cachedName = regexp.MustCompile(`^tock-fixture-[a-z0-9_]+-[0-9]{8}-[0-9a-f]{16}(\.lock)?$`)

func isCachedName(name string) bool { return cachedName.MatchString(name) }

// KeptMaxAge is how long a kept fixture may go unopened before a process
// keeping another one removes it. Every open marks it used, and no test
// process runs for a day, so nothing still clones one that old.
const KeptMaxAge = 24 * time.Hour

// PruneKept marks the kept fixture named keep, in dir, as used now and
// removes the entries of dir that match (kept fixtures and their locks)
// whose last use is older than KeptMaxAge. Pruning is housekeeping: an entry
// that can't be read or removed is left for the next process.
func PruneKept(dir string, match func(name string) bool, keep string, now time.Time) (removed []string) {
	_ = os.Chtimes(filepath.Join(dir, keep), now, now)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		if e.Name() == keep || !e.IsDir() || !match(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < KeptMaxAge {
			continue
		}
		if os.RemoveAll(filepath.Join(dir, e.Name())) == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed
}

func kept(path string) bool {
	_, err := os.Stat(filepath.Join(path, "data.db"))
	return err == nil
}

// lockDir takes the lock named path (a directory: making one is atomic),
// waiting while another process holds it, and returns its release.
func lockDir(path string) (func(), error) {
	for {
		err := os.Mkdir(path, 0o700)
		if err == nil {
			return func() { _ = os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("fixture lock: %w", err)
		}
		if st, err := os.Stat(path); err == nil && time.Since(st.ModTime()) > lockStale {
			_ = os.Remove(path)
			continue
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sourceSum hashes the Go files (tests aside) of cachedSources.
func sourceSum() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, dir := range cachedSources() {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(p[len(root):]), len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("hash fixture sources: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// moduleRoot is the folder holding go.mod, above the test's working
// directory (its package's folder).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
