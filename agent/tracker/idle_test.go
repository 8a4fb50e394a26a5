package tracker

import (
	"context"
	"testing"
	"time"
)

// TestIdleAnswerReachesEverySlotOfTheIdleTime: idle time that spans a slot
// boundary is held, uncounted, when the person comes back and asked about
// once; keeping it reports both slots again with their idle seconds tracked,
// discarding it leaves them as they were.
func TestIdleAnswerReachesEverySlotOfTheIdleTime(t *testing.T) {
	for _, keep := range []bool{false, true} {
		w := newWorld(t, 0)
		var asked []time.Duration
		w.cfg.AskIdle = func(d time.Duration) { asked = append(asked, d) }
		tr := New(w.cfg)
		w.run(tr, 10, true)  // 09:00:00–09:00:09
		w.run(tr, 80, false) // idle into the next slot; the timeout is 5 s
		w.run(tr, 10, true)  // back at 09:01:30
		// 4 idle seconds before the timeout count; 46 of the first slot and
		// 30 of the second wait for the answer.
		if len(asked) != 1 || asked[0] != 76*time.Second {
			t.Fatalf("keep=%v: asked %v, want once about 76s", keep, asked)
		}
		if err := tr.Flush(); err != nil {
			t.Fatal(err)
		}
		before := tracked(w)
		if before[0] != 14 || before[1] != 10 {
			t.Fatalf("keep=%v: before the answer slots tracked %v, want [14 10]", keep, before)
		}
		if err := tr.ResolveIdle(w.clock, keep); err != nil {
			t.Fatal(err)
		}
		w.run(tr, 1, true)
		if err := tr.Flush(); err != nil {
			t.Fatal(err)
		}
		after := tracked(w)
		want := [2]int{0, 11} // the first slot isn't reported again
		if keep {
			want = [2]int{60, 41}
		}
		if after != want {
			t.Errorf("keep=%v: after the answer slots tracked %v, want %v", keep, after, want)
		}
		if keep && tr.Today != 101 || !keep && tr.Today != 25 {
			t.Errorf("keep=%v: today %d", keep, tr.Today)
		}
	}
}

// tracked drains the spool and returns the last tracked seconds reported
// for the first and second slot of the world (0 when not reported again).
func tracked(w *world) (got [2]int) {
	acts, _, _ := w.drain()
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, a := range acts {
		if i := int(a.SlotStart.Sub(start) / time.Minute); i >= 0 && i < 2 {
			got[i] = a.TrackedSeconds
		}
	}
	return got
}

// TestHeldIdleIsAskedAgainAfterARestart: the question dies with the
// process; a restart in the same slot asks again rather than losing the
// idle time silently.
func TestHeldIdleIsAskedAgainAfterARestart(t *testing.T) {
	w := newWorld(t, 0)
	asked := 0
	w.cfg.AskIdle = func(time.Duration) { asked++ }
	tr := New(w.cfg)
	w.run(tr, 5, true)
	w.run(tr, 20, false)
	w.run(tr, 2, true)
	if asked != 1 {
		t.Fatalf("asked %d times", asked)
	}
	again := New(w.cfg)
	w.run(again, 1, true)
	if asked != 2 {
		t.Fatalf("a restart didn't ask again: asked %d times", asked)
	}
	if err := again.ResolveIdle(w.clock, true); err != nil {
		t.Fatal(err)
	}
	if err := again.Tick(context.Background(), w.clock, Assignment{Tracking: true, Project: "proj1"}); err != nil {
		t.Fatal(err)
	}
	if got := tracked(w); got[0] != 29 {
		t.Fatalf("kept after a restart: tracked %d, want 29", got[0])
	}
}
