package tracker

import (
	"context"
	"errors"
	mrand "math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/ingest"
)

// offline makes the settings unreachable, as when the server is down.
func (w *world) offline() {
	w.cfg.Settings = func(context.Context) (Settings, error) { return Settings{}, errors.New("connection refused") }
}

// opens checks that every screenshot opens with the organization's key and
// names org1.
func (w *world) opens(shots []ingest.Screenshot, envs [][]byte) {
	w.t.Helper()
	for i, m := range shots {
		if m.Org != "org1" {
			w.t.Errorf("screenshot %d has org %q", i, m.Org)
		}
		if _, err := envelope.Open(w.kp.Private, envelope.Metadata{ID: m.ClientID, Org: m.Org, User: "user1", TakenAt: m.TakenAt, Screen: m.Screen}, envs[i]); err != nil {
			w.t.Errorf("screenshot %d doesn't open: %v", i, err)
		}
	}
}

// A restart inside a slot, with the server unreachable, reports the resumed
// slot for the organization and seals its screenshots to its key.
func TestResumeCarriesSettings(t *testing.T) {
	w := newWorld(t, 3)
	tr := New(w.cfg)
	w.run(tr, 5, true)
	w.offline()
	tr = New(w.cfg) // killed and restarted
	w.run(tr, 56, true)
	acts, shots, envs := w.drain()
	for _, a := range acts {
		if a.Org != "org1" {
			t.Errorf("activity of %s reported with org %q", a.SlotStart, a.Org)
		}
	}
	if len(shots) == 0 {
		t.Fatal("no screenshot after the restart")
	}
	w.opens(shots, envs)
}

// Without a public key from the server nothing is sealed: the moment counts
// as a capture error, status says why, and the slot is still reported.
func TestZeroKeyIsRefused(t *testing.T) {
	w := newWorld(t, 2)
	w.cfg.Settings = func(context.Context) (Settings, error) {
		return Settings{Org: "org1", ScreenshotsPerSlot: 2}, nil
	}
	tr := New(w.cfg)
	w.run(tr, 61, true)
	acts, shots, _ := w.drain()
	if len(shots) != 0 || w.desk.captures != 0 {
		t.Fatalf("%d screenshots spooled and %d captures without a key", len(shots), w.desk.captures)
	}
	if tr.Problem == nil {
		t.Fatal("status isn't told why no screenshot was taken")
	}
	if acts[0].CaptureErrors != 2 || acts[0].TrackedSeconds != 60 {
		t.Fatalf("slot: %+v", acts[0])
	}
}

// Without the organization (first start, offline, nothing cached) nothing is
// queued that the server must refuse; the slot is kept and queued as soon as
// the settings come.
func TestNoOrgQueuesNothingUntilSettingsCome(t *testing.T) {
	w := newWorld(t, 0)
	online := w.cfg.Settings
	w.offline()
	tr := New(w.cfg)
	for range 10 {
		tr.Tick(context.Background(), w.clock, Assignment{Tracking: true, Project: "proj1"})
		w.clock = w.clock.Add(time.Second)
	}
	if n, _, _ := w.sp.Stats(); n != 0 {
		t.Fatalf("%d items queued without an organization", n)
	}
	w.cfg.Settings = online
	tr.cfg.Settings = online
	w.run(tr, 40, true)
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	acts, _, _ := w.drain()
	if len(acts) != 1 || acts[0].Org != "org1" || acts[0].TrackedSeconds != 50 {
		t.Fatalf("activities: %+v", acts)
	}
}

// Every second is saved: a kill loses none of the slot.
func TestKillLosesNoSecond(t *testing.T) {
	w := newWorld(t, 0)
	tr := New(w.cfg)
	w.run(tr, 41, true) // reported at 30 s, saved at 41
	tr = New(w.cfg)
	w.run(tr, 19, true)
	w.run(tr, 1, true) // closes the slot
	acts, _, _ := w.drain()
	if acts[0].TrackedSeconds != 60 {
		t.Fatalf("tracked %d of 60 seconds across a kill", acts[0].TrackedSeconds)
	}
}

// A slot begun late takes its screenshots in the time left, one moment at a
// time: never several images of one moment.
func TestMomentsFromRemainingTime(t *testing.T) {
	for seed := range uint64(20) {
		w := newWorld(t, 4)
		w.cfg.Rand = mrand.New(mrand.NewPCG(seed, 7))
		w.clock = w.clock.Add(45 * time.Second)
		tr := New(w.cfg)
		w.run(tr, 15, true) // to the slot's last second
		_, shots, _ := w.drain()
		if len(shots) != 8 {
			t.Fatalf("seed %d: %d screenshots, want 4 moments x 2 screens", seed, len(shots))
		}
		seen := map[string]bool{}
		for _, m := range shots {
			k := m.TakenAt.String() + string(rune('0'+m.Screen))
			if seen[k] {
				t.Fatalf("seed %d: two screenshots of screen %d at %s", seed, m.Screen, m.TakenAt)
			}
			seen[k] = true
		}
	}
}

// A capture repeated after a kill (its spool item written, the slot's state
// not yet) has the same client ids: exactly one screenshot per screen and
// moment.
func TestRepeatedCaptureHasTheSameIDs(t *testing.T) {
	w := newWorld(t, 1)
	tr := New(w.cfg)
	at := tr.Moments()
	if at != nil {
		t.Fatal("moments before the slot began")
	}
	w.run(tr, 1, true)
	moment := tr.Moments()[0]
	for w.clock.Sub(w.clock.Truncate(time.Minute)) < moment-time.Second {
		w.run(tr, 1, true)
	}
	before, err := os.ReadFile(w.cfg.StateFile)
	if err != nil {
		t.Fatal(err)
	}
	w.run(tr, 2, true) // the capture is spooled
	if w.desk.captures != 1 {
		t.Fatalf("captures: %d", w.desk.captures)
	}
	// Killed before the state recorded the moment as taken.
	if err := os.WriteFile(w.cfg.StateFile, before, 0o600); err != nil {
		t.Fatal(err)
	}
	tr = New(w.cfg)
	w.run(tr, 2, true)
	if w.desk.captures != 2 {
		t.Fatalf("the moment wasn't taken again: %d captures", w.desk.captures)
	}
	_, shots, _ := w.drain()
	if len(shots) != 2 {
		t.Fatalf("%d screenshots for one moment of two screens", len(shots))
	}
	for _, m := range shots {
		if want := ScreenshotID("user1", "proj1", w.clock.Truncate(time.Minute), moment, m.Screen); m.ClientID != want {
			t.Errorf("screen %d id %s, want %s", m.Screen, m.ClientID, want)
		}
	}
}
