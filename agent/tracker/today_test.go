package tracker

import (
	"testing"
	"time"
)

// TestTodaySeeded: a restart goes on counting today from what the previous
// run counted, and a seed from another day doesn't count.
func TestTodaySeeded(t *testing.T) {
	for _, c := range []struct {
		name    string
		seedDay time.Duration // before the world's clock
		want    int
	}{
		{"same day", 0, 500 + 10},
		{"earlier the same day", -time.Hour, 500 + 10},
		{"yesterday", -24 * time.Hour, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, 0)
			w.clock = time.Date(2026, 11, 2, 12, 0, 0, 0, time.Local) // local noon: an hour earlier is the same day
			w.cfg.Today, w.cfg.TodayOf = 500, w.clock.Add(c.seedDay)
			tr := New(w.cfg)
			if c.seedDay == 0 && tr.Today != 500 {
				t.Errorf("Today = %d before any tick, want the seed", tr.Today)
			}
			w.run(tr, 10, true)
			if tr.Today != c.want {
				t.Errorf("Today = %d, want %d", tr.Today, c.want)
			}
		})
	}
}
