// Package spool is the agent's durable outbox: every activity report and
// encrypted screenshot is written here first (temp file, fsync, rename, fsync
// of the directory) and leaves only when the uploader has the server's
// confirmation. The directory is the state: re-opening it after a crash sees
// every item that Put acknowledged, in the order they arrived.
//
// Layout of dir:
//
//	<20-digit unix nanos>-<6-digit sequence>-<kind>-<id>   queued items; lexical order = arrival order
//	.tmp/                                                 temp files of Puts in progress
//	rejected/<name>, rejected/<name>.reason               items the server refused for good
package spool

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tock-app/tock/ingest"
)

// Kind of a spooled item.
const (
	KindActivity   = "activity"
	KindScreenshot = "screenshot"
)

// ErrFull means the item doesn't fit in the disk budget even after dropping
// every screenshot: only activities are left, and those are never dropped.
var ErrFull = errors.New("spool: disk budget exhausted")

const (
	tmpDir      = ".tmp"
	rejectedDir = "rejected"
	reasonExt   = ".reason"
	// staleTmp is how old a temp file must be before Open (or a later Put)
	// removes it. Younger ones may belong to a Put in progress in another
	// process on the same directory (`tock agent status` opens the spool
	// while the daemon runs); a Put holds its temp file for milliseconds.
	staleTmp = time.Minute
)

// Item is one queued item, as Oldest returns it.
type Item struct {
	Name string // file name in the spool directory; lexical order = arrival order
	Kind string // KindActivity or KindScreenshot
	ID   string // the agent's client id
	Size int64  // payload bytes

	// gen identifies the payload version Oldest saw: Remove and Reject of an
	// item whose payload a later Put replaced leave the newer payload queued.
	// Zero (an Item built by hand) matches any version.
	gen uint64
}

type entry struct {
	name, kind, id string
	size           int64
	gen            uint64
}

// Spool is a durable FIFO of items in one directory. It is safe for
// concurrent use (one producer and one uploader is the intended use).
type Spool struct {
	dir    string
	budget int64
	log    *slog.Logger
	notify chan struct{}

	mu        sync.Mutex
	order     []*entry          // sorted by name
	byKey     map[string]*entry // kind + "/" + id
	total     int64
	last      int64 // unix nanos of the newest name
	seq       int
	gen       uint64
	warned    bool // the 80% warning was logged for the current crossing
	lastSweep time.Time
}

// Open creates dir (0700) if needed, removes temp files a crash left behind,
// and indexes the queued items. budget is the most bytes the queued items may
// take (0 = unlimited); logger gets the warnings (nil = discard).
func Open(dir string, budget int64, logger *slog.Logger) (*Spool, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if budget < 0 {
		return nil, fmt.Errorf("spool: negative budget %d", budget)
	}
	for _, d := range []string{dir, filepath.Join(dir, tmpDir), filepath.Join(dir, rejectedDir)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	s := &Spool{
		dir: dir, budget: budget, log: logger,
		notify: make(chan struct{}, 1),
		byKey:  map[string]*entry{},
	}
	if err := s.sweepTmp(time.Now()); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	for _, de := range ents { // ReadDir sorts by name: arrival order
		if de.IsDir() {
			continue
		}
		nanos, kind, id, ok := parseName(de.Name())
		if !ok || !de.Type().IsRegular() {
			logger.Warn("spool: ignoring a file that isn't an item", "dir", dir, "name", de.Name())
			continue
		}
		info, err := de.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("spool: %w", err)
		}
		s.gen++
		e := &entry{name: de.Name(), kind: kind, id: id, size: info.Size(), gen: s.gen}
		s.order = append(s.order, e)
		// Two files for one (kind, id) can't come from Put; should they exist,
		// both upload in order and a replacement goes to the newer one.
		s.byKey[key(kind, id)] = e
		s.total += e.size
		s.last = max(s.last, nanos)
	}
	if s.budget > 0 && s.total*5 > s.budget*4 {
		s.warned = true
		logger.Warn("SPOOL ALMOST FULL: uploads are not keeping up; the oldest screenshots will be dropped at the budget",
			"dir", dir, "used_bytes", s.total, "budget_bytes", s.budget)
	}
	return s, nil
}

// sweepTmp removes temp files older than staleTmp.
func (s *Spool) sweepTmp(now time.Time) error {
	s.lastSweep = now
	d := filepath.Join(s.dir, tmpDir)
	ents, err := os.ReadDir(d)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	for _, de := range ents {
		info, err := de.Info()
		if err != nil || now.Sub(info.ModTime()) < staleTmp {
			continue
		}
		if err := os.RemoveAll(filepath.Join(d, de.Name())); err != nil {
			s.log.Warn("spool: can't remove a leftover temp file", "name", de.Name(), "error", err)
		}
	}
	return nil
}

// Put stores payload durably. Putting a (kind, id) that is already queued
// replaces its payload in place: it keeps its position in the queue.
//
// With a budget, the first Put that takes the queue past 80% of it logs a
// warning (again after the queue falls back under 80%). A Put that would pass
// the budget drops the oldest screenshots until the item fits, logging an
// error for each; when even dropping every screenshot wouldn't make room it
// returns ErrFull, drops nothing and stores nothing.
func (s *Spool) Put(kind, id string, payload []byte) error {
	return s.put(kind, id, payload, nil)
}

// ErrReplaced means Replace found a newer payload than the one it was to
// replace (or none): that one stays.
var ErrReplaced = errors.New("spool: the item was replaced or removed meanwhile")

// Replace is Put of its kind and id on the condition that its payload is
// still the version Oldest returned: a repair of what the server refused
// must not overwrite a newer report of the same slot.
func (s *Spool) Replace(it Item, payload []byte) error {
	return s.put(it.Kind, it.ID, payload, &it)
}

// put is Put; with cond, only over that version of the item.
func (s *Spool) put(kind, id string, payload []byte, cond *Item) error {
	if err := validKind(kind); err != nil {
		return err
	}
	if err := ValidID(id); err != nil {
		return err
	}
	if len(payload) == 0 {
		return errors.New("spool: empty payload")
	}
	size := int64(len(payload))
	if s.budget > 0 && size > s.budget {
		s.log.Error("spool: an item is larger than the whole budget; not stored",
			"kind", kind, "id", id, "size_bytes", size, "budget_bytes", s.budget)
		return ErrFull
	}

	// Write and fsync outside the lock: the uploader keeps going meanwhile.
	tmp, err := s.writeTemp(payload)
	if err != nil {
		return err
	}
	stored := false
	defer func() {
		if !stored {
			os.Remove(tmp)
		}
	}()

	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.byKey[key(kind, id)]
	if cond != nil && (old == nil || old.name != cond.Name || cond.gen != 0 && old.gen != cond.gen) {
		return ErrReplaced
	}
	newTotal := s.total + size
	if old != nil {
		newTotal -= old.size
	}
	if s.budget > 0 {
		if newTotal*5 > s.budget*4 && !s.warned {
			s.warned = true
			s.log.Warn("SPOOL ALMOST FULL: uploads are not keeping up; the oldest screenshots will be dropped at the budget",
				"dir", s.dir, "used_bytes", newTotal, "budget_bytes", s.budget)
		}
		if newTotal > s.budget {
			if err := s.makeRoom(newTotal-s.budget, old); err != nil {
				return err
			}
		}
	}

	var name string
	if old != nil {
		name = old.name
	} else {
		name = s.nextName(kind, id)
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, name)); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	stored = true
	if err := syncDir(s.dir); err != nil {
		// The item is in place but may not survive a power loss; index it so
		// memory matches the directory, and say so.
		s.log.Warn("spool: fsync of the directory failed", "error", err)
	}
	s.gen++
	if old != nil {
		s.total += size - old.size
		old.size, old.gen = size, s.gen
	} else {
		e := &entry{name: name, kind: kind, id: id, size: size, gen: s.gen}
		s.order = append(s.order, e)
		s.byKey[key(kind, id)] = e
		s.total += size
	}
	s.rearmWarning()
	if time.Since(s.lastSweep) > staleTmp {
		_ = s.sweepTmp(time.Now())
	}
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return nil
}

// nextName names an item that goes to the back of the queue. Called with
// s.mu held.
func (s *Spool) nextName(kind, id string) string {
	n := time.Now().UnixNano()
	if n <= s.last { // the clock went back or didn't move: keep order
		n = s.last + 1
	}
	s.last = n
	s.seq = (s.seq + 1) % 1_000_000
	return fmt.Sprintf("%020d-%06d-%s-%s", n, s.seq, kind, id)
}

// Requeue moves a queued item to the back of the queue, e.g. a screenshot
// the server refused because its activity, queued behind it, hadn't
// arrived yet. It returns the item's new Item; an item that is gone is left
// alone (ok false).
func (s *Spool) Requeue(it Item) (moved Item, ok bool, err error) {
	if _, _, _, valid := parseName(it.Name); !valid {
		return Item{}, false, fmt.Errorf("spool: not an item name: %q", it.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(it.Name)
	if e == nil {
		return Item{}, false, nil
	}
	name := s.nextName(e.kind, e.id)
	if err := os.Rename(filepath.Join(s.dir, e.name), filepath.Join(s.dir, name)); err != nil {
		return Item{}, false, fmt.Errorf("spool: requeue %s: %w", e.name, err)
	}
	if err := syncDir(s.dir); err != nil {
		s.log.Warn("spool: fsync of the directory failed", "error", err)
	}
	i := sort.Search(len(s.order), func(i int) bool { return s.order[i].name >= e.name })
	s.order = append(append(s.order[:i:i], s.order[i+1:]...), e)
	e.name = name
	return Item{Name: e.name, Kind: e.kind, ID: e.id, Size: e.size, gen: e.gen}, true, nil
}

// Rejected is an item the server refused for good, set aside with its reason.
type Rejected struct {
	Name, Kind, ID, Reason string
}

// Rejected lists the items set aside in dir/rejected/, oldest first.
func (s *Spool) Rejected() ([]Rejected, error) {
	dir := filepath.Join(s.dir, rejectedDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var out []Rejected
	for _, de := range ents {
		_, kind, id, ok := parseName(de.Name())
		if !ok {
			continue
		}
		reason, err := os.ReadFile(filepath.Join(dir, de.Name()+reasonExt))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("spool: %w", err)
		}
		out = append(out, Rejected{Name: de.Name(), Kind: kind, ID: id, Reason: strings.TrimSpace(string(reason))})
	}
	return out, nil
}

// ReadRejected returns a rejected item's payload.
func (s *Spool) ReadRejected(r Rejected) ([]byte, error) {
	if _, _, _, ok := parseName(r.Name); !ok {
		return nil, fmt.Errorf("spool: not an item name: %q", r.Name)
	}
	b, err := os.ReadFile(filepath.Join(s.dir, rejectedDir, r.Name))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return b, nil
}

// Restore queues a rejected item again, at the back, with payload (the
// repaired one), and removes it from rejected/.
func (s *Spool) Restore(r Rejected, payload []byte) error {
	if _, _, _, ok := parseName(r.Name); !ok {
		return fmt.Errorf("spool: not an item name: %q", r.Name)
	}
	if err := s.Put(r.Kind, r.ID, payload); err != nil {
		return err
	}
	dir := filepath.Join(s.dir, rejectedDir)
	for _, name := range []string{r.Name, r.Name + reasonExt} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("spool: %w", err)
		}
	}
	return nil
}

// makeRoom drops the oldest screenshots (never keep, never activities) until
// need bytes are freed. Called with s.mu held. If that can't free need bytes
// it drops nothing and returns ErrFull.
func (s *Spool) makeRoom(need int64, keep *entry) error {
	var victims []*entry
	var freed int64
	for _, e := range s.order {
		if freed >= need {
			break
		}
		if e.kind == KindScreenshot && e != keep {
			victims = append(victims, e)
			freed += e.size
		}
	}
	if freed < need {
		s.log.Error("SPOOL FULL: only activities are left and the item doesn't fit; not stored",
			"dir", s.dir, "used_bytes", s.total, "budget_bytes", s.budget, "need_bytes", need)
		return ErrFull
	}
	for _, e := range victims {
		if err := os.Remove(filepath.Join(s.dir, e.name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("spool: drop %s: %w", e.name, err)
		}
		s.forget(e)
		s.log.Error("SPOOL FULL: dropped the oldest screenshot to stay within the budget",
			"name", e.name, "size_bytes", e.size, "budget_bytes", s.budget)
	}
	if err := syncDir(s.dir); err != nil {
		s.log.Warn("spool: fsync of the directory failed", "error", err)
	}
	return nil
}

func (s *Spool) writeTemp(payload []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, tmpDir), "put-*")
	if err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	_, err = f.Write(payload)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("spool: %w", err)
	}
	return f.Name(), nil
}

// Oldest returns the first queued item; false when the queue is empty.
// Rejected items are not queued.
func (s *Spool) Oldest() (Item, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.order) == 0 {
		return Item{}, false, nil
	}
	e := s.order[0]
	return Item{Name: e.name, Kind: e.kind, ID: e.id, Size: e.size, gen: e.gen}, true, nil
}

// Items lists the queued items in order.
func (s *Spool) Items() []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Item, len(s.order))
	for i, e := range s.order {
		out[i] = Item{Name: e.name, Kind: e.kind, ID: e.id, Size: e.size, gen: e.gen}
	}
	return out
}

// Read returns an item's current payload (the latest Put of its kind and id).
// An item that is gone (removed, dropped) returns an error matching
// fs.ErrNotExist.
func (s *Spool) Read(it Item) ([]byte, error) {
	if _, _, _, ok := parseName(it.Name); !ok {
		return nil, fmt.Errorf("spool: not an item name: %q", it.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := os.ReadFile(filepath.Join(s.dir, it.Name))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return b, nil
}

// Remove deletes an item after the server confirmed it. It is idempotent. If
// a Put replaced the item's payload after Oldest returned it, the newer
// payload stays queued (the server hasn't seen it yet).
func (s *Spool) Remove(it Item) error {
	if _, _, _, ok := parseName(it.Name); !ok {
		return fmt.Errorf("spool: not an item name: %q", it.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(it.Name)
	if e != nil && it.gen != 0 && e.gen != it.gen {
		return nil
	}
	if err := os.Remove(filepath.Join(s.dir, it.Name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	if e != nil {
		s.forget(e)
		s.rearmWarning()
	}
	if err := syncDir(s.dir); err != nil {
		s.log.Warn("spool: fsync of the directory failed", "error", err)
	}
	return nil
}

// Reject moves an item the server refused for good into dir/rejected/, with
// the reason beside it in <name>.reason; it no longer blocks the queue. If a
// Put replaced the payload after Oldest returned it, the newer payload stays
// queued (it deserves its own try) and only the reason is logged. Rejecting
// an item that is gone is a no-op.
func (s *Spool) Reject(it Item, reason string) error {
	if _, _, _, ok := parseName(it.Name); !ok {
		return fmt.Errorf("spool: not an item name: %q", it.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.find(it.Name)
	if e != nil && it.gen != 0 && e.gen != it.gen {
		s.log.Warn("spool: the server refused an item that has since been replaced; the new version stays queued",
			"name", it.Name, "reason", reason)
		return nil
	}
	src := filepath.Join(s.dir, it.Name)
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		if e != nil {
			s.forget(e)
		}
		return nil
	}
	rej := filepath.Join(s.dir, rejectedDir)
	tmp, err := s.writeTemp([]byte(strings.TrimRight(reason, "\n") + "\n"))
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(rej, it.Name+reasonExt)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool: %w", err)
	}
	if err := os.Rename(src, filepath.Join(rej, it.Name)); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if e != nil {
		s.forget(e)
		s.rearmWarning()
	}
	for _, d := range []string{rej, s.dir} {
		if err := syncDir(d); err != nil {
			s.log.Warn("spool: fsync of the directory failed", "error", err)
		}
	}
	return nil
}

// Stats returns the number of queued items and their payload bytes (rejected
// items not included).
func (s *Spool) Stats() (count int, bytes int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.order), s.total, nil
}

// Notify returns a channel that receives after every Put (buffered 1, never
// blocking the producer), so an uploader waiting on an empty queue wakes up.
func (s *Spool) Notify() <-chan struct{} { return s.notify }

// Dir is the spool's directory.
func (s *Spool) Dir() string { return s.dir }

func (s *Spool) find(name string) *entry {
	i := sort.Search(len(s.order), func(i int) bool { return s.order[i].name >= name })
	if i < len(s.order) && s.order[i].name == name {
		return s.order[i]
	}
	return nil
}

func (s *Spool) forget(e *entry) {
	i := sort.Search(len(s.order), func(i int) bool { return s.order[i].name >= e.name })
	if i < len(s.order) && s.order[i] == e {
		s.order = append(s.order[:i], s.order[i+1:]...)
	}
	if s.byKey[key(e.kind, e.id)] == e {
		delete(s.byKey, key(e.kind, e.id))
	}
	s.total -= e.size
}

// rearmWarning lets the 80% warning fire again once the queue is back under.
func (s *Spool) rearmWarning() {
	if s.budget > 0 && s.total*5 <= s.budget*4 {
		s.warned = false
	}
}

func key(kind, id string) string { return kind + "/" + id }

func validKind(kind string) error {
	if kind != KindActivity && kind != KindScreenshot {
		return fmt.Errorf("spool: unknown kind %q", kind)
	}
	return nil
}

// ValidID reports whether id is usable as an item id: 1 to 64 of
// [A-Za-z0-9_-].
func ValidID(id string) error {
	if len(id) == 0 || len(id) > 64 {
		return fmt.Errorf("spool: id must be 1 to 64 characters, got %d", len(id))
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("spool: id %q may hold only A-Z a-z 0-9 _ -", id)
		}
	}
	return nil
}

// parseName splits "%020d-%06d-<kind>-<id>".
func parseName(name string) (nanos int64, kind, id string, ok bool) {
	parts := strings.SplitN(name, "-", 4)
	if len(parts) != 4 || len(parts[0]) != 20 || len(parts[1]) != 6 || !digits(parts[0]) || !digits(parts[1]) {
		return 0, "", "", false
	}
	if validKind(parts[2]) != nil || ValidID(parts[3]) != nil {
		return 0, "", "", false
	}
	n, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return 0, "", "", false
	}
	return n, parts[2], parts[3], true
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// syncDir makes renames and removals in dir durable. Windows can't open a
// directory for fsync (NTFS journals the metadata), so it is skipped there.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// EncodeActivity is the payload of an activity item: its JSON.
func EncodeActivity(a ingest.Activity) ([]byte, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("spool: encode activity: %w", err)
	}
	return b, nil
}

// DecodeActivity reads an activity item's payload.
func DecodeActivity(b []byte) (ingest.Activity, error) {
	var a ingest.Activity
	if err := json.Unmarshal(b, &a); err != nil {
		return ingest.Activity{}, fmt.Errorf("spool: decode activity: %w", err)
	}
	return a, nil
}

// EncodeScreenshot is the payload of a screenshot item: the 4-byte big-endian
// length of the metadata's JSON, the JSON, then the envelope. Metadata that
// can't be encoded as JSON (a time outside years 0-9999) yields nil, which
// Put refuses.
func EncodeScreenshot(meta ingest.Screenshot, envelope []byte) []byte {
	j, err := json.Marshal(meta)
	if err != nil || len(j) > 1<<31 {
		return nil
	}
	b := make([]byte, 4, 4+len(j)+len(envelope))
	binary.BigEndian.PutUint32(b, uint32(len(j)))
	b = append(b, j...)
	return append(b, envelope...)
}

// DecodeScreenshot reads a screenshot item's payload. The envelope aliases b.
func DecodeScreenshot(b []byte) (ingest.Screenshot, []byte, error) {
	if len(b) < 4 {
		return ingest.Screenshot{}, nil, errors.New("spool: screenshot payload too short")
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return ingest.Screenshot{}, nil, fmt.Errorf("spool: screenshot metadata length %d exceeds the payload", n)
	}
	var meta ingest.Screenshot
	if err := json.Unmarshal(b[4:4+n], &meta); err != nil {
		return ingest.Screenshot{}, nil, fmt.Errorf("spool: decode screenshot metadata: %w", err)
	}
	return meta, b[4+n:], nil
}
