package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// tmpDirName is the directory under Local.Dir() that holds in-flight writes.
// Keys whose first segment is ".tmp" are rejected by Local.
const tmpDirName = ".tmp"

// Local stores each blob as a file under a directory. Writes go to a temp
// file in dir/.tmp (same filesystem), are fsynced, renamed into place and the
// parent directory fsynced, so a blob is either wholly present or absent,
// even across a crash. Files are 0600, directories 0700.
//
// Unlike S3, a key cannot be both a blob and a "directory" of other blobs:
// with "a" stored, Put("a/b") fails (and vice versa).
type Local struct {
	dir string
	tmp string
	// dirSyncs shares a directory's fsync among concurrent Puts into it.
	dirSyncs *dirSyncer
	// made holds the directories known to exist (Local never removes one),
	// so a Put into a day's directory doesn't stat its way down each time.
	made sync.Map
}

var (
	_ Store       = (*Local)(nil)
	_ TempSweeper = (*Local)(nil)
)

// NewLocal opens (creating if needed) a Local store rooted at dir.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("blobstore: NewLocal: empty dir")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blobstore: NewLocal %s: %w", dir, err)
	}
	tmp := filepath.Join(abs, tmpDirName)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("blobstore: NewLocal %s: %w", dir, err)
	}
	return &Local{dir: abs, tmp: tmp, dirSyncs: newDirSyncer(syncDir)}, nil
}

// Dir returns the absolute root directory of the store.
func (s *Local) Dir() string { return s.dir }

func (s *Local) validate(key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if key == tmpDirName || strings.HasPrefix(key, tmpDirName+"/") {
		return fmt.Errorf("%w: %q: %s is reserved", ErrInvalidKey, key, tmpDirName)
	}
	return nil
}

func (s *Local) path(key string) string {
	return filepath.Join(s.dir, filepath.FromSlash(key))
}

// Put implements Store.
func (s *Local) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := s.put(ctx, key, r, size); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

func (s *Local) put(ctx context.Context, key string, r io.Reader, size int64) (err error) {
	if err := s.validate(key); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("negative size %d", size)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return err
	}
	tmpName := f.Name()
	defer func() {
		if f != nil {
			_ = f.Close()
		}
		if err != nil {
			_ = os.Remove(tmpName)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := io.Copy(f, newExactReader(ctx, r, size)); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	cerr := f.Close()
	f = nil
	if cerr != nil {
		return cerr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dst := s.path(key)
	if err := s.renameInto(tmpName, dst); err != nil {
		return err
	}
	return s.dirSyncs.Sync(filepath.Dir(dst))
}

// renameInto renames the temp file src to dst, making dst's directory first
// unless it is known to exist; if it has gone since (removed by hand), it is
// made again.
func (s *Local) renameInto(src, dst string) error {
	dir := filepath.Dir(dst)
	if _, ok := s.made.Load(dir); ok {
		err := os.Rename(src, dst)
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		s.made.Delete(dir)
	}
	if err := s.mkdirAll(dir); err != nil {
		return err
	}
	s.made.Store(dir, true)
	return os.Rename(src, dst)
}

// mkdirAll creates dir (inside s.dir) and any missing parents with mode 0700,
// fsyncing the parent of each directory it creates so the new entries are
// durable before a blob is renamed into them.
func (s *Local) mkdirAll(dir string) error {
	if dir == s.dir {
		return nil
	}
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s exists and is not a directory", dir)
		}
		return nil
	}
	if err := s.mkdirAll(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // a concurrent Put created it
		}
		return err
	}
	return syncDir(filepath.Dir(dir))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil {
		return fmt.Errorf("fsync %s: %w", dir, serr)
	}
	return cerr
}

// Get implements Store.
func (s *Local) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := s.validate(key); err != nil {
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	f, err := os.Open(s.path(key))
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", key, mapNotExist(err))
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("get %q: %w", key, ErrNotFound)
	}
	return f, nil
}

// Stat implements Store.
func (s *Local) Stat(ctx context.Context, key string) (Info, error) {
	if err := s.validate(key); err != nil {
		return Info{}, fmt.Errorf("stat %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("stat %q: %w", key, err)
	}
	fi, err := os.Stat(s.path(key))
	if err != nil {
		return Info{}, fmt.Errorf("stat %q: %w", key, mapNotExist(err))
	}
	if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("stat %q: %w", key, ErrNotFound)
	}
	return Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Delete implements Store. Emptied directories are left in place (removing
// them would race with a concurrent Put into the same directory).
func (s *Local) Delete(ctx context.Context, key string) error {
	dir, err := s.remove(ctx, key)
	if err != nil || dir == "" {
		return err
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	return nil
}

// DeleteAll implements BatchDeleter: it removes the keys, then syncs each
// directory it removed from once (a day's blobs share one), rather than
// once per blob.
func (s *Local) DeleteAll(ctx context.Context, keys []string) error {
	var errs []error
	dirs := map[string][]string{} // directory → keys removed from it
	for _, key := range keys {
		dir, err := s.remove(ctx, key)
		if err != nil {
			errs = append(errs, err)
		} else if dir != "" {
			dirs[dir] = append(dirs[dir], key)
		}
	}
	for dir, removed := range dirs {
		if err := syncDir(dir); err != nil {
			errs = append(errs, fmt.Errorf("delete %q: %w", removed, err))
		}
	}
	return errors.Join(errs...)
}

// remove unlinks key's file, unsynced, and says which directory to sync:
// none when there was no blob to remove.
func (s *Local) remove(ctx context.Context, key string) (string, error) {
	if err := s.validate(key); err != nil {
		return "", fmt.Errorf("delete %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("delete %q: %w", key, err)
	}
	p := s.path(key)
	fi, err := os.Lstat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscallENOTDIR) {
			return "", nil
		}
		return "", fmt.Errorf("delete %q: %w", key, err)
	}
	if fi.IsDir() {
		return "", nil // a "directory" of other blobs, not a blob: nothing to delete
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("delete %q: %w", key, err)
	}
	return filepath.Dir(p), nil
}

// List implements Store. It skips the .tmp directory and any file whose
// name is not a valid key.
func (s *Local) List(ctx context.Context, prefix string, fn func(Info) error) error {
	return s.ListAfter(ctx, prefix, "", fn)
}

// ListAfter implements Store, as List does.
func (s *Local) ListAfter(ctx context.Context, prefix, after string, fn func(Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	// Walk only the deepest directory the prefix pins down.
	dirKey := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dirKey = prefix[:i]
	}
	if dirKey == tmpDirName || strings.HasPrefix(dirKey, tmpDirName+"/") {
		return nil // writes in flight, never blobs
	}
	w := lister{s: s, ctx: ctx, prefix: prefix, after: after, fn: fn}
	if err := w.walk(dirKey); err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	return nil
}

// lister walks the store's directories in the lexical order of the keys
// below them, which is S3's order: entries are sorted as their keys start
// (a directory's name followed by "/"), not by name alone, so that "a-b"
// (a file) comes before "a/x" as it does on S3.
type lister struct {
	s             *Local
	ctx           context.Context
	prefix, after string
	fn            func(Info) error
}

// walk lists the directory dirKey ("" is the store's root).
func (w *lister) walk(dirKey string) error {
	entries, err := os.ReadDir(w.s.path(dirKey))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscallENOTDIR) {
			return nil // nothing under the prefix, or removed while listing
		}
		return err
	}
	sortKey := func(e fs.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(sortKey(a), sortKey(b)) })
	for _, e := range entries {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		key := e.Name()
		if dirKey != "" {
			key = dirKey + "/" + key
		}
		if e.IsDir() {
			if key == tmpDirName || !w.mayHold(key+"/") {
				continue
			}
			if err := w.walk(key); err != nil {
				return err
			}
			continue
		}
		if !e.Type().IsRegular() || !strings.HasPrefix(key, w.prefix) || key <= w.after || ValidateKey(key) != nil {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted while listing
		}
		if err != nil {
			return err
		}
		if err := w.fn(Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}

// mayHold says whether keys starting with dir (ending in "/") can match the
// prefix and sort after w.after.
func (w *lister) mayHold(dir string) bool {
	if !strings.HasPrefix(dir, w.prefix) && !strings.HasPrefix(w.prefix, dir) {
		return false
	}
	// Every key below sorts before after when dir does and isn't its start.
	return dir > w.after || strings.HasPrefix(w.after, dir)
}

func mapNotExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscallENOTDIR) {
		return fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	return err
}

// SweepTemp implements TempSweeper: it removes the files in .tmp last
// written before cutoff. Put renames its temp file into place before it
// returns, so nothing in .tmp was ever acknowledged; what stays there is a
// write in flight (spared by the cutoff) or the leftover of one a crash
// interrupted.
func (s *Local) SweepTemp(ctx context.Context, cutoff time.Time) (int, error) {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return 0, fmt.Errorf("sweep %s: %w", s.tmp, err)
	}
	removed := 0
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return removed, fmt.Errorf("sweep %s: %w", s.tmp, err)
		}
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // its Put finished meanwhile
		}
		if err != nil {
			return removed, fmt.Errorf("sweep %s: %w", s.tmp, err)
		}
		if !fi.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(s.tmp, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("sweep %s: %w", s.tmp, err)
		}
		removed++
	}
	return removed, nil
}
