package blobstore

import "sync"

// dirSyncer lets concurrent Puts into one directory share its fsync. A Put
// must not return before its rename is durable, that is before a sync of the
// directory that began after the rename; one sync makes every rename before
// it durable. So a Put arriving while a sync runs waits for the next one,
// which starts as soon as the running one ends and covers every Put that
// arrived meanwhile: under load, one directory fsync for many uploads instead
// of one each.
type dirSyncer struct {
	sync func(dir string) error
	mu   sync.Mutex
	dirs map[string]*dirSync // directories with Puts waiting on them
}

// dirSync is one directory's syncs; its fields are guarded by dirSyncer.mu.
type dirSync struct {
	cond    sync.Cond
	running bool
	started uint64 // syncs begun
	done    uint64 // syncs ended, in order
	failed  uint64 // the last sync that failed, with err
	err     error
	waiters int
}

func newDirSyncer(sync func(string) error) *dirSyncer {
	return &dirSyncer{sync: sync, dirs: map[string]*dirSync{}}
}

// Sync returns once a sync of dir that began after the call has ended: nil
// when it succeeded.
func (s *dirSyncer) Sync(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dirs[dir]
	if d == nil {
		d = &dirSync{}
		d.cond.L = &s.mu
		s.dirs[dir] = d
	}
	d.waiters++
	target := d.started + 1 // the first sync to begin from now on
	for d.done < target {
		if d.running {
			d.cond.Wait()
			continue
		}
		d.running = true
		d.started++
		n := d.started
		s.mu.Unlock()
		err := s.sync(dir)
		s.mu.Lock()
		d.running, d.done = false, n
		if err != nil {
			d.failed, d.err = n, err
		}
		d.cond.Broadcast()
	}
	var err error
	if d.failed >= target { // ours failed (or a later one: fail safe)
		err = d.err
	}
	if d.waiters--; d.waiters == 0 {
		delete(s.dirs, dir)
	}
	return err
}
