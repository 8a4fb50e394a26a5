package desktop

import "time"

// Second is what one second of input amounted to.
type Second struct {
	Keyboard bool // a key changed state or is held down
	Mouse    bool // the pointer moved or a button changed state
	Active   bool // Keyboard || Mouse || the system saw input in the last 1.5 s
	Idle     bool // no input for at least the organization's idle timeout
}

// activeWithin is how recent the system's last input must be for a second
// without a visible change to count as active: 1.5 s covers the sampling
// interval plus jitter, so input between two samples is not lost.
const activeWithin = 1500 * time.Millisecond

// Meter turns consecutive Input samples into per-second activity.
type Meter struct {
	// IdleAfter is the organization's idle timeout. Zero or negative
	// disables idle detection (Second.Idle is never set).
	IdleAfter time.Duration
}

// Observe compares a sample with the previous one. Keyboard: any key bit
// changed or any key is down. Mouse: the pointer moved or the buttons
// changed. Active: Keyboard || Mouse || cur.Idle < 1.5 s. Idle: cur.Idle >=
// IdleAfter.
//
// The caller's first sample has no real predecessor; compare it with itself
// (Observe(cur, cur)) rather than with Input{} to avoid counting the pointer
// "moving" from (0,0).
func (m *Meter) Observe(prev, cur Input) Second {
	var s Second
	s.Keyboard = prev.Keys != cur.Keys || anyKeyDown(&cur.Keys)
	s.Mouse = prev.PointerX != cur.PointerX || prev.PointerY != cur.PointerY ||
		prev.Buttons != cur.Buttons
	s.Active = s.Keyboard || s.Mouse || cur.Idle < activeWithin
	s.Idle = m.IdleAfter > 0 && cur.Idle >= m.IdleAfter
	return s
}

func anyKeyDown(keys *[32]byte) bool {
	for _, b := range keys {
		if b != 0 {
			return true
		}
	}
	return false
}
