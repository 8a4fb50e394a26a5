package desktop

import (
	"sync"
	"time"
)

// Refused enrolment codes allowed per address in a window. A code carries
// 60 random bits, so guessing one is hopeless anyway; the limit stops a
// script from hammering the route (and the database behind it), and a person
// who mistypes a few times is never caught by it.
const (
	maxWrongCodes    = 10
	wrongCodesWindow = 10 * time.Minute
)

// wrongCodes counts refused enrolment attempts per client address. It lives
// in the desktop Server, so each app has its own.
type wrongCodes struct {
	mu   sync.Mutex
	seen map[string]wrongTries
}

type wrongTries struct {
	count int
	since time.Time
}

// wait says how long the address must wait before trying again; zero when
// it may try now.
func (w *wrongCodes) wait(addr string, now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.seen[addr]
	if !ok || now.Sub(t.since) >= wrongCodesWindow || t.count < maxWrongCodes {
		return 0
	}
	return t.since.Add(wrongCodesWindow).Sub(now)
}

// refused counts one more refused attempt of the address.
func (w *wrongCodes) refused(addr string, now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen == nil {
		w.seen = map[string]wrongTries{}
	}
	t := w.seen[addr]
	if now.Sub(t.since) >= wrongCodesWindow {
		t = wrongTries{since: now}
	}
	t.count++
	w.seen[addr] = t
	w.forgetOld(now)
}

// forgetOld drops the addresses whose window has passed once the map grows,
// so that many addresses trying once don't keep memory for ever.
func (w *wrongCodes) forgetOld(now time.Time) {
	if len(w.seen) < 1024 {
		return
	}
	for addr, t := range w.seen {
		if now.Sub(t.since) >= wrongCodesWindow {
			delete(w.seen, addr)
		}
	}
}
