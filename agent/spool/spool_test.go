package spool

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tock-app/tock/ingest"
)

// logBuf is a goroutine-safe buffer for a captured slog handler.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuf) lines(substr string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

func open(t *testing.T, dir string, budget int64) (*Spool, *logBuf) {
	t.Helper()
	lb := &logBuf{}
	s, err := Open(dir, budget, slog.New(slog.NewTextHandler(lb, nil)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, lb
}

func put(t *testing.T, s *Spool, kind, id string, payload []byte) {
	t.Helper()
	if err := s.Put(kind, id, payload); err != nil {
		t.Fatalf("Put(%s, %s): %v", kind, id, err)
	}
}

// keys lists the queue as "kind/id".
func keys(s *Spool) []string {
	var out []string
	for _, it := range s.Items() {
		out = append(out, it.Kind+"/"+it.ID)
	}
	return out
}

func TestOrderAcrossManyItems(t *testing.T) {
	for _, n := range []int{1, 7, 250} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			s, _ := open(t, t.TempDir(), 0)
			type rec struct{ kind, id, payload string }
			var want []rec
			for i := range n {
				kind := KindActivity
				if i%3 == 0 {
					kind = KindScreenshot
				}
				r := rec{kind, fmt.Sprintf("id-%d", i), strings.Repeat(strconv.Itoa(i), i%5+1)}
				put(t, s, r.kind, r.id, []byte(r.payload))
				want = append(want, r)
			}
			names := map[string]bool{}
			for i, w := range want {
				it, ok, err := s.Oldest()
				if err != nil || !ok {
					t.Fatalf("Oldest #%d: ok=%v err=%v", i, ok, err)
				}
				if it.Kind != w.kind || it.ID != w.id || it.Size != int64(len(w.payload)) {
					t.Fatalf("Oldest #%d = %+v, want %s/%s size %d", i, it, w.kind, w.id, len(w.payload))
				}
				if !strings.HasSuffix(it.Name, "-"+w.kind+"-"+w.id) || names[it.Name] {
					t.Fatalf("bad or repeated name %q", it.Name)
				}
				names[it.Name] = true
				b, err := s.Read(it)
				if err != nil || string(b) != w.payload {
					t.Fatalf("Read #%d = %q, %v; want %q", i, b, err, w.payload)
				}
				if err := s.Remove(it); err != nil {
					t.Fatal(err)
				}
				if err := s.Remove(it); err != nil { // idempotent
					t.Fatalf("second Remove: %v", err)
				}
				if _, err := s.Read(it); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("Read after Remove: %v, want ErrNotExist", err)
				}
			}
			if _, ok, _ := s.Oldest(); ok {
				t.Fatal("queue not empty after removing everything")
			}
			if c, b, _ := s.Stats(); c != 0 || b != 0 {
				t.Fatalf("Stats = %d, %d; want 0, 0", c, b)
			}
		})
	}
}

func TestReplaceKeepsPosition(t *testing.T) {
	tests := []struct {
		name    string
		replace string // id to put again
		kind    string
	}{
		{"first", "a", KindActivity},
		{"middle", "b", KindScreenshot},
		{"last", "c", KindActivity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := open(t, t.TempDir(), 0)
			put(t, s, KindActivity, "a", []byte("a1"))
			put(t, s, KindScreenshot, "b", []byte("b1"))
			put(t, s, KindActivity, "c", []byte("c1"))
			before := s.Items()
			put(t, s, tc.kind, tc.replace, []byte(tc.replace+"-second-report"))
			after := s.Items()
			if got, want := keys(s), []string{"activity/a", "screenshot/b", "activity/c"}; !slices.Equal(got, want) {
				t.Fatalf("order = %v, want %v", got, want)
			}
			for i := range before {
				if before[i].Name != after[i].Name {
					t.Fatalf("name changed: %q -> %q", before[i].Name, after[i].Name)
				}
				b, _ := s.Read(after[i])
				want := after[i].ID + "1"
				if after[i].ID == tc.replace {
					want = tc.replace + "-second-report"
				}
				if string(b) != want || after[i].Size != int64(len(want)) {
					t.Fatalf("item %s = %q (size %d), want %q", after[i].ID, b, after[i].Size, want)
				}
			}
			if c, n, _ := s.Stats(); c != 3 || n != int64(4+len(tc.replace+"-second-report")) {
				t.Fatalf("Stats = %d, %d", c, n)
			}
			// The same id under the other kind is a different item.
			other := KindScreenshot
			if tc.kind == KindScreenshot {
				other = KindActivity
			}
			put(t, s, other, tc.replace, []byte("x"))
			if c, _, _ := s.Stats(); c != 4 {
				t.Fatalf("count = %d after putting another kind, want 4", c)
			}
		})
	}
}

// An item replaced while the uploader holds the older version: Remove and
// Reject of the old version must leave the new one queued.
func TestReplaceWhileInFlight(t *testing.T) {
	for _, op := range []string{"remove", "reject"} {
		t.Run(op, func(t *testing.T) {
			s, _ := open(t, t.TempDir(), 0)
			put(t, s, KindActivity, "slot", []byte("v1"))
			put(t, s, KindActivity, "next", []byte("n"))
			it, _, _ := s.Oldest()
			put(t, s, KindActivity, "slot", []byte("v2"))
			var err error
			if op == "remove" {
				err = s.Remove(it)
			} else {
				err = s.Reject(it, "bad v1")
			}
			if err != nil {
				t.Fatal(err)
			}
			it2, ok, _ := s.Oldest()
			if !ok || it2.Name != it.Name {
				t.Fatalf("Oldest = %+v, want the replaced item %s still first", it2, it.Name)
			}
			if b, _ := s.Read(it2); string(b) != "v2" {
				t.Fatalf("payload = %q, want v2", b)
			}
			if err := s.Remove(it2); err != nil {
				t.Fatal(err)
			}
			if got := keys(s); !slices.Equal(got, []string{"activity/next"}) {
				t.Fatalf("queue = %v", got)
			}
		})
	}
}

func TestPutValidation(t *testing.T) {
	tests := []struct {
		kind, id string
		payload  []byte
		ok       bool
	}{
		{KindActivity, "a", []byte("x"), true},
		{KindScreenshot, "A-z_09", []byte("x"), true},
		{KindActivity, strings.Repeat("x", 64), []byte("x"), true},
		{KindActivity, strings.Repeat("x", 65), []byte("x"), false},
		{KindActivity, "", []byte("x"), false},
		{KindActivity, "a/b", []byte("x"), false},
		{KindActivity, "../escape", []byte("x"), false},
		{KindActivity, "a.b", []byte("x"), false},
		{KindActivity, "a b", []byte("x"), false},
		{KindActivity, "é", []byte("x"), false},
		{KindActivity, "a\x00", []byte("x"), false},
		{"video", "a", []byte("x"), false},
		{"", "a", []byte("x"), false},
		{KindActivity, "a", nil, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%q", tc.kind, tc.id), func(t *testing.T) {
			dir := t.TempDir()
			s, _ := open(t, dir, 0)
			err := s.Put(tc.kind, tc.id, tc.payload)
			if (err == nil) != tc.ok {
				t.Fatalf("Put err = %v, want ok=%v", err, tc.ok)
			}
			c, _, _ := s.Stats()
			if want := map[bool]int{true: 1, false: 0}[tc.ok]; c != want {
				t.Fatalf("count = %d, want %d", c, want)
			}
			if tmp, _ := os.ReadDir(filepath.Join(dir, tmpDir)); len(tmp) != 0 {
				t.Fatalf("temp files left: %v", tmp)
			}
		})
	}
	s, _ := open(t, t.TempDir(), 0)
	for _, name := range []string{"", "../x", "00000000000000000001-000001-activity-a/../../x"} {
		if _, err := s.Read(Item{Name: name}); err == nil {
			t.Errorf("Read(%q) succeeded", name)
		}
		if err := s.Remove(Item{Name: name}); err == nil {
			t.Errorf("Remove(%q) succeeded", name)
		}
	}
}

func TestReject(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 0)
	put(t, s, KindScreenshot, "bad", []byte("refused"))
	put(t, s, KindActivity, "good1", []byte("g1"))
	put(t, s, KindActivity, "good2", []byte("g2"))
	it, _, _ := s.Oldest()
	if err := s.Reject(it, "The envelope doesn't open for this screenshot's metadata."); err != nil {
		t.Fatal(err)
	}
	if err := s.Reject(it, "again"); err != nil { // gone: no-op
		t.Fatalf("second Reject: %v", err)
	}
	if got := keys(s); !slices.Equal(got, []string{"activity/good1", "activity/good2"}) {
		t.Fatalf("queue = %v", got)
	}
	if c, n, _ := s.Stats(); c != 2 || n != 4 {
		t.Fatalf("Stats = %d, %d; want 2, 4", c, n)
	}
	b, err := os.ReadFile(filepath.Join(dir, "rejected", it.Name))
	if err != nil || string(b) != "refused" {
		t.Fatalf("rejected payload = %q, %v", b, err)
	}
	r, err := os.ReadFile(filepath.Join(dir, "rejected", it.Name+".reason"))
	if err != nil || !strings.Contains(string(r), "doesn't open") {
		t.Fatalf("reason = %q, %v", r, err)
	}
	// Re-opened, the rejected item stays out of the queue.
	s2, _ := open(t, dir, 0)
	if got := keys(s2); !slices.Equal(got, []string{"activity/good1", "activity/good2"}) {
		t.Fatalf("queue after re-Open = %v", got)
	}
	// Putting the same id again queues a fresh item.
	put(t, s2, KindScreenshot, "bad", []byte("fixed"))
	if got := keys(s2); !slices.Equal(got, []string{"activity/good1", "activity/good2", "screenshot/bad"}) {
		t.Fatalf("queue = %v", got)
	}
}

func TestStats(t *testing.T) {
	s, _ := open(t, t.TempDir(), 0)
	steps := []struct {
		do        func()
		count     int
		bytes     int64
		operation string
	}{
		{func() {}, 0, 0, "empty"},
		{func() { put(t, s, KindActivity, "a", make([]byte, 10)) }, 1, 10, "put a"},
		{func() { put(t, s, KindScreenshot, "b", make([]byte, 100)) }, 2, 110, "put b"},
		{func() { put(t, s, KindActivity, "a", make([]byte, 25)) }, 2, 125, "replace a"},
		{func() { it, _, _ := s.Oldest(); s.Remove(it) }, 1, 100, "remove a"},
		{func() { it, _, _ := s.Oldest(); s.Reject(it, "no") }, 0, 0, "reject b"},
	}
	for _, st := range steps {
		st.do()
		c, b, err := s.Stats()
		if err != nil || c != st.count || b != st.bytes {
			t.Fatalf("after %s: Stats = %d, %d, %v; want %d, %d", st.operation, c, b, err, st.count, st.bytes)
		}
	}
}

func TestBudget(t *testing.T) {
	type op struct {
		kind, id string
		size     int
		err      error
	}
	tests := []struct {
		name     string
		budget   int64
		ops      []op
		queue    []string // after the ops
		bytes    int64
		dropped  []string // ids named in drop errors, in order
		warnings int      // "ALMOST FULL" lines
	}{
		{
			name: "under 80% is quiet", budget: 1000,
			ops:   []op{{KindActivity, "a", 400, nil}, {KindScreenshot, "s", 400, nil}},
			queue: []string{"activity/a", "screenshot/s"}, bytes: 800,
		},
		{
			name: "crossing 80% warns once", budget: 1000,
			ops:   []op{{KindActivity, "a", 700, nil}, {KindScreenshot, "s1", 150, nil}, {KindScreenshot, "s2", 10, nil}, {KindActivity, "a", 710, nil}},
			queue: []string{"activity/a", "screenshot/s1", "screenshot/s2"}, bytes: 870, warnings: 1,
		},
		{
			name: "oldest screenshot dropped, activities kept", budget: 1000,
			ops: []op{
				{KindActivity, "a1", 100, nil}, {KindScreenshot, "s1", 300, nil}, {KindScreenshot, "s2", 300, nil},
				{KindActivity, "a2", 100, nil}, {KindScreenshot, "s3", 300, nil},
			},
			queue: []string{"activity/a1", "screenshot/s2", "activity/a2", "screenshot/s3"}, bytes: 800,
			dropped: []string{"s1"}, warnings: 1,
		},
		{
			name: "several screenshots dropped for a large activity", budget: 1000,
			ops: []op{
				{KindScreenshot, "s1", 200, nil}, {KindActivity, "a1", 100, nil}, {KindScreenshot, "s2", 200, nil},
				{KindScreenshot, "s3", 200, nil}, {KindActivity, "a2", 650, nil},
			},
			queue: []string{"activity/a1", "screenshot/s3", "activity/a2"}, bytes: 950,
			dropped: []string{"s1", "s2"}, warnings: 1,
		},
		{
			name: "only activities left: ErrFull, nothing dropped or stored", budget: 1000,
			ops: []op{
				{KindActivity, "a1", 400, nil}, {KindActivity, "a2", 400, nil}, {KindScreenshot, "s1", 100, nil},
				{KindActivity, "a3", 300, ErrFull},
			},
			queue: []string{"activity/a1", "activity/a2", "screenshot/s1"}, bytes: 900, warnings: 1,
		},
		{
			name: "screenshot larger than the budget", budget: 1000,
			ops:   []op{{KindScreenshot, "s1", 100, nil}, {KindScreenshot, "huge", 1001, ErrFull}},
			queue: []string{"screenshot/s1"}, bytes: 100,
		},
		{
			name: "a replacement counts only its growth and never drops itself", budget: 1000,
			ops:   []op{{KindScreenshot, "s1", 500, nil}, {KindActivity, "a", 300, nil}, {KindScreenshot, "s1", 650, nil}},
			queue: []string{"screenshot/s1", "activity/a"}, bytes: 950, warnings: 1,
		},
		{
			name: "unlimited", budget: 0,
			ops:   []op{{KindScreenshot, "s1", 5000, nil}, {KindActivity, "a", 5000, nil}},
			queue: []string{"screenshot/s1", "activity/a"}, bytes: 10000,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, logs := open(t, dir, tc.budget)
			names := map[string]string{}
			for _, o := range tc.ops {
				err := s.Put(o.kind, o.id, bytes.Repeat([]byte{'x'}, o.size))
				if !errors.Is(err, o.err) || (o.err == nil && err != nil) {
					t.Fatalf("Put %s %d bytes: %v, want %v", o.id, o.size, err, o.err)
				}
				for _, it := range s.Items() {
					names[it.ID] = it.Name
				}
			}
			if got := keys(s); !slices.Equal(got, tc.queue) {
				t.Fatalf("queue = %v, want %v", got, tc.queue)
			}
			if _, b, _ := s.Stats(); b != tc.bytes {
				t.Fatalf("bytes = %d, want %d", b, tc.bytes)
			}
			drops := logs.lines("dropped the oldest screenshot")
			if len(drops) != len(tc.dropped) {
				t.Fatalf("drop logs = %q, want %d", drops, len(tc.dropped))
			}
			for i, id := range tc.dropped {
				if !strings.Contains(drops[i], "level=ERROR") || !strings.Contains(drops[i], names[id]) {
					t.Fatalf("drop log %q doesn't name %s (%s) at ERROR", drops[i], id, names[id])
				}
				if _, err := os.Stat(filepath.Join(dir, names[id])); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("dropped %s still on disk: %v", id, err)
				}
			}
			warns := logs.lines("ALMOST FULL")
			if len(warns) != tc.warnings {
				t.Fatalf("warnings = %q, want %d", warns, tc.warnings)
			}
			for _, w := range warns {
				if !strings.Contains(w, "level=WARN") || !strings.Contains(w, "used_bytes=") || !strings.Contains(w, fmt.Sprintf("budget_bytes=%d", tc.budget)) {
					t.Fatalf("warning lacks level/used/budget: %q", w)
				}
			}
			// Disk agrees with Stats; nothing half-stored.
			var onDisk int64
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if !e.IsDir() {
					info, _ := e.Info()
					onDisk += info.Size()
				}
			}
			if onDisk != tc.bytes {
				t.Fatalf("bytes on disk = %d, want %d", onDisk, tc.bytes)
			}
			if tmp, _ := os.ReadDir(filepath.Join(dir, tmpDir)); len(tmp) != 0 {
				t.Fatalf("temp files left: %v", tmp)
			}
		})
	}
}

// The 80% warning fires again after the queue falls back under 80%.
func TestBudgetWarningRearms(t *testing.T) {
	s, logs := open(t, t.TempDir(), 1000)
	put(t, s, KindActivity, "a", make([]byte, 850))
	put(t, s, KindActivity, "b", make([]byte, 10))
	if n := len(logs.lines("ALMOST FULL")); n != 1 {
		t.Fatalf("warnings = %d, want 1", n)
	}
	it, _, _ := s.Oldest()
	if err := s.Remove(it); err != nil {
		t.Fatal(err)
	}
	put(t, s, KindActivity, "c", make([]byte, 800))
	if n := len(logs.lines("ALMOST FULL")); n != 2 {
		t.Fatalf("warnings = %d, want 2 after a second crossing", n)
	}
}

func TestOpenRemovesLeftoverTemp(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 0)
	put(t, s, KindActivity, "kept", []byte("payload"))
	// What a crash mid-Put leaves: a partial temp file, long untouched...
	stale := filepath.Join(dir, tmpDir, "put-crashed")
	if err := os.WriteFile(stale, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	// ...a Put in progress in another process (fresh)...
	fresh := filepath.Join(dir, tmpDir, "put-inflight")
	if err := os.WriteFile(fresh, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	// ...and junk that isn't an item.
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, logs := open(t, dir, 0)
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stale temp file survived Open: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Fatalf("a fresh temp file (another process's Put) was removed: %v", err)
	}
	if got := keys(s2); !slices.Equal(got, []string{"activity/kept"}) {
		t.Fatalf("queue = %v, want only the real item", got)
	}
	if c, b, _ := s2.Stats(); c != 1 || b != 7 {
		t.Fatalf("Stats = %d, %d", c, b)
	}
	if len(logs.lines("notes.txt")) != 1 {
		t.Fatalf("no warning about the junk file: %s", logs)
	}
	fresh2 := filepath.Join(t.TempDir(), "state", "spool")
	open(t, fresh2, 0)
	for _, d := range []string{fresh2, filepath.Join(fresh2, tmpDir), filepath.Join(fresh2, rejectedDir)} {
		if info, err := os.Stat(d); err != nil || info.Mode().Perm() != 0o700 {
			t.Fatalf("%s: mode %v, %v; want 0700", d, info.Mode(), err)
		}
	}
}

func TestReopenSeesSameItems(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 0)
	for i := range 40 {
		kind := []string{KindActivity, KindScreenshot}[i%2]
		put(t, s, kind, fmt.Sprintf("i%02d", i), []byte(fmt.Sprintf("payload %d", i)))
	}
	put(t, s, KindActivity, "i04", []byte("replaced"))
	for range 5 {
		it, _, _ := s.Oldest()
		if err := s.Remove(it); err != nil {
			t.Fatal(err)
		}
	}
	before := s.Items()
	s2, _ := open(t, dir, 0)
	after := s2.Items()
	if len(after) != len(before) {
		t.Fatalf("re-Open sees %d items, want %d", len(after), len(before))
	}
	for i := range before {
		a, b := before[i], after[i]
		if a.Name != b.Name || a.Kind != b.Kind || a.ID != b.ID || a.Size != b.Size {
			t.Fatalf("item %d: %+v after re-Open, want %+v", i, b, a)
		}
		p1, _ := s.Read(a)
		p2, _ := s2.Read(b)
		if !bytes.Equal(p1, p2) {
			t.Fatalf("item %d payload differs", i)
		}
	}
	// An item from a clock far ahead: new Puts still queue after it.
	future := "04102444800000000000-000001-activity-future"
	if err := os.WriteFile(filepath.Join(dir, future), []byte("f"), 0o600); err != nil {
		t.Fatal(err)
	}
	s3, _ := open(t, dir, 0)
	put(t, s3, KindActivity, "after-future", []byte("x"))
	items := s3.Items()
	if n := len(items); items[n-2].Name != future || items[n-1].ID != "after-future" {
		t.Fatalf("tail = %v, %v; a new Put must sort after every existing item", items[n-2].Name, items[n-1].Name)
	}
}

func TestNotify(t *testing.T) {
	s, _ := open(t, t.TempDir(), 0)
	select {
	case <-s.Notify():
		t.Fatal("notified before any Put")
	default:
	}
	for i := range 3 { // never blocks though nobody reads
		put(t, s, KindActivity, fmt.Sprintf("a%d", i), []byte("x"))
	}
	select {
	case <-s.Notify():
	default:
		t.Fatal("no notification after Put")
	}
	select {
	case <-s.Notify():
		t.Fatal("notifications beyond the buffer of 1")
	default:
	}
	if err := s.Put(KindActivity, "bad id", []byte("x")); err == nil {
		t.Fatal("bad id accepted")
	}
	select {
	case <-s.Notify():
		t.Fatal("notified after a failed Put")
	default:
	}
}

// One producer and one uploader at once (run with -race).
func TestConcurrentProducerAndConsumer(t *testing.T) {
	s, _ := open(t, t.TempDir(), 0)
	const n = 300
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			if err := s.Put(KindActivity, fmt.Sprintf("c%04d", i), []byte(strconv.Itoa(i))); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var got []int
	for len(got) < n {
		it, ok, err := s.Oldest()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			<-s.Notify()
			continue
		}
		b, err := s.Read(it)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := strconv.Atoi(string(b))
		got = append(got, v)
		if err := s.Remove(it); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for i, v := range got {
		if v != i {
			t.Fatalf("consumed %d at position %d", v, i)
		}
	}
}

func TestPayloadEncoding(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 8_000_000, time.UTC)
	meta := ingest.Screenshot{ClientID: "shot1", Org: "org1", Activity: "act1", TakenAt: at, Screen: 2, Width: 1920, Height: 1080, Blurred: true}
	for _, env := range [][]byte{{}, {0, 1, 2, 255}, bytes.Repeat([]byte{7}, 100_000)} {
		b := EncodeScreenshot(meta, env)
		m, e, err := DecodeScreenshot(b)
		if err != nil || m != meta || !bytes.Equal(e, env) {
			t.Fatalf("screenshot round trip: %+v, %d bytes, %v", m, len(e), err)
		}
	}
	if b := EncodeScreenshot(ingest.Screenshot{TakenAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, []byte{1}); b != nil {
		t.Fatal("unencodable metadata gave a payload")
	}
	bad := [][]byte{nil, {0, 0}, {0, 0, 0, 9, '{', '}'}, append([]byte{0, 0, 0, 2}, "no"...)}
	for _, b := range bad {
		if _, _, err := DecodeScreenshot(b); err == nil {
			t.Errorf("DecodeScreenshot(%q) succeeded", b)
		}
	}
	act := ingest.Activity{ClientID: "a1", Org: "o", Project: "p", Task: "t", SlotStart: at.Truncate(10 * time.Minute),
		TrackedSeconds: 600, KeyboardSeconds: 100, MouseSeconds: 200, ActiveSeconds: 250,
		Apps: []ingest.AppSeconds{{App: "code", Title: "main.go", URL: "", Seconds: 300}}}
	b, err := EncodeActivity(act)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeActivity(b)
	if err != nil || got.ClientID != act.ClientID || !got.SlotStart.Equal(act.SlotStart) || len(got.Apps) != 1 || got.Apps[0] != act.Apps[0] || got.ActiveSeconds != 250 {
		t.Fatalf("activity round trip: %+v, %v", got, err)
	}
	if _, err := DecodeActivity([]byte("{")); err == nil {
		t.Fatal("DecodeActivity of bad JSON succeeded")
	}
}

const crashEnv = "TOCK_SPOOL_CRASH_DIR"

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	noise      = func() []byte {
		r := rand.New(rand.NewPCG(1, 2))
		b := make([]byte, 3<<20)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}()
)

// checksummed is "<id>\n", a slice of noise, then the CRC-32C of all that:
// cheap to make, so the child spends its time inside Put.
func checksummed(id string, r *rand.Rand) []byte {
	n, off := r.IntN(2<<20), r.IntN(512<<10)
	b := make([]byte, 0, len(id)+1+n+4)
	b = append(b, id+"\n"...)
	b = append(b, noise[off:off+n]...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func intact(id string, b []byte) bool {
	if len(b) < 4 || !bytes.HasPrefix(b, []byte(id+"\n")) {
		return false
	}
	return crc32.Checksum(b[:len(b)-4], castagnoli) == binary.BigEndian.Uint32(b[len(b)-4:])
}

// crashChild puts checksummed items forever, acknowledging each on stdout.
func crashChild(dir string) {
	s, err := Open(dir, 0, nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	r := rand.New(rand.NewPCG(1, 2))
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		n := i
		if i%5 == 4 { // re-report the previous item
			n = i - 1
		}
		id := fmt.Sprintf("item-%08d", n)
		kind := KindActivity
		if (n/5)%2 == 1 {
			kind = KindScreenshot
		}
		if err := s.Put(kind, id, checksummed(id, r)); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Fprintln(w, "ok", id)
		w.Flush()
	}
}

// A process killed (SIGKILL on Unix) while putting in a loop leaves a spool
// whose every item is complete: each acknowledged Put is there, and no torn
// or temp file is ever returned.
func TestCrashDuringPut(t *testing.T) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("subprocess test")
	}
	for round := range 16 {
		t.Run(strconv.Itoa(round), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDuringPut$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashEnv+"="+dir)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			acked := map[string]bool{}
			sc := bufio.NewScanner(out)
			want := 5 + (round*7)%30 // kill at a different point each round
			for len(acked) < want && sc.Scan() {
				line := sc.Text()
				if id, ok := strings.CutPrefix(line, "ok "); ok {
					acked[id] = true
				} else if strings.HasPrefix(line, "error") {
					t.Fatalf("child: %s", line)
				}
			}
			if len(acked) < want {
				t.Fatalf("child stopped after %d items: %v", len(acked), sc.Err())
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()

			s, _ := open(t, dir, 0)
			seen := map[string]bool{}
			last := ""
			for {
				it, ok, err := s.Oldest()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				b, err := s.Read(it)
				if err != nil {
					t.Fatalf("Read %s: %v", it.Name, err)
				}
				if !intact(it.ID, b) || int64(len(b)) != it.Size {
					t.Fatalf("item %s is torn (%d bytes, size %d)", it.Name, len(b), it.Size)
				}
				if seen[it.ID] || it.ID <= last {
					t.Fatalf("item %s out of order or repeated (after %s)", it.ID, last)
				}
				seen[it.ID], last = true, it.ID
				if err := s.Remove(it); err != nil {
					t.Fatal(err)
				}
			}
			for id := range acked {
				if !seen[id] {
					t.Fatalf("acknowledged item %s is missing after the crash", id)
				}
			}
			if len(seen) > len(acked)+1 {
				t.Fatalf("%d items for %d acknowledged Puts", len(seen), len(acked))
			}
		})
	}
}
