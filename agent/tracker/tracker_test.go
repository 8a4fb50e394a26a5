package tracker

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tock-app/tock/agent/desktop"
	"github.com/tock-app/tock/agent/spool"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/ingest"
)

// scripted is a desktop whose input the test writes second by second; the
// real X11 desktop is exercised by the agent's end-to-end test.
type scripted struct {
	in       desktop.Input
	window   desktop.Window
	screens  []*image.RGBA
	captures int
}

func (s *scripted) Sample() (desktop.Input, error)        { return s.in, nil }
func (s *scripted) ActiveWindow() (desktop.Window, error) { return s.window, nil }

// Capture hands each screen over in a frame of its own, as the X11 desktop
// does, so nothing the tracker does to it reaches the test's pictures.
func (s *scripted) Capture(fn func(int, *image.RGBA) error) error {
	s.captures++
	for i, m := range s.screens {
		frame := *m
		frame.Pix = bytes.Clone(m.Pix)
		if err := fn(i, &frame); err != nil {
			return err
		}
	}
	return nil
}

func picture(seed uint8) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x*4) + seed, uint8(y * 5), 90, 255})
		}
	}
	return img
}

type world struct {
	t     *testing.T
	sp    *spool.Spool
	desk  *scripted
	kp    envelope.KeyPair
	cfg   Config
	clock time.Time
}

func newWorld(t *testing.T, shots int) *world {
	t.Helper()
	dir := t.TempDir()
	sp, err := spool.Open(filepath.Join(dir, "spool"), 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	kp, _ := envelope.GenerateKeyPair(bytes.NewReader(bytes.Repeat([]byte{3}, 32)))
	w := &world{t: t, sp: sp, kp: kp, desk: &scripted{screens: []*image.RGBA{picture(1), picture(2)}, window: desktop.Window{App: "editor", Title: "notes"}}}
	w.cfg = Config{
		Spool: sp, Desktop: w.desk, User: "user1", Slot: time.Minute, StateFile: filepath.Join(dir, "slot.json"),
		Rand: mrand.New(mrand.NewPCG(1, 2)), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Settings: func(context.Context) (Settings, error) {
			return Settings{Org: "org1", PublicKey: kp.Public, ScreenshotsPerSlot: shots, IdleTimeout: 5 * time.Second}, nil
		},
	}
	w.clock = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	return w
}

// run ticks n seconds; active makes each second carry input.
func (w *world) run(tr *Tracker, n int, active bool) {
	for i := 0; i < n; i++ {
		if active {
			w.desk.in.PointerX++
			w.desk.in.Idle = 0
		} else {
			w.desk.in.Idle += time.Second
		}
		if err := tr.Tick(context.Background(), w.clock, Assignment{Tracking: true, Project: "proj1"}); err != nil {
			w.t.Fatal(err)
		}
		w.clock = w.clock.Add(time.Second)
	}
}

// drain reads every spooled item in order.
func (w *world) drain() (acts []ingest.Activity, shots []ingest.Screenshot, envs [][]byte) {
	for {
		it, ok, err := w.sp.Oldest()
		if err != nil || !ok {
			return
		}
		b, _ := w.sp.Read(it)
		switch it.Kind {
		case spool.KindActivity:
			a, _ := spool.DecodeActivity(b)
			acts = append(acts, a)
		case spool.KindScreenshot:
			m, env, _ := spool.DecodeScreenshot(b)
			shots = append(shots, m)
			envs = append(envs, env)
		}
		w.sp.Remove(it)
	}
}

func TestSlotsAreCountedAndReported(t *testing.T) {
	w := newWorld(t, 2)
	tr := New(w.cfg)
	w.run(tr, 60, true) // one full slot of input
	w.run(tr, 1, true)  // the next slot closes it
	acts, shots, envs := w.drain()
	if len(acts) < 2 {
		t.Fatalf("activities spooled: %d", len(acts))
	}
	first := acts[0]
	if first.ClientID != ActivityID("user1", "proj1", w.clock.Add(-61*time.Second)) || first.TrackedSeconds != 60 || first.ActiveSeconds != 60 || first.MouseSeconds < 59 {
		t.Fatalf("first slot: %+v", first)
	}
	if len(first.Apps) != 1 || first.Apps[0].App != "editor" || first.Apps[0].Seconds != 60 {
		t.Fatalf("apps: %+v", first.Apps)
	}
	// 2 moments x 2 monitors, each sealed for the org and bound to its metadata.
	if len(shots) != 4 || w.desk.captures != 2 {
		t.Fatalf("screenshots %d, captures %d", len(shots), w.desk.captures)
	}
	for i, m := range shots {
		if m.Activity != first.ClientID || m.Org != "org1" || m.TakenAt.Before(first.SlotStart) || !m.TakenAt.Before(first.SlotStart.Add(time.Minute)) {
			t.Fatalf("screenshot %d: %+v", i, m)
		}
		if envelope.HasImageMagic(envs[i]) {
			t.Fatal("an image was spooled in the clear")
		}
		img, err := envelope.Open(w.kp.Private, envelope.Metadata{ID: m.ClientID, Org: m.Org, User: "user1", TakenAt: m.TakenAt, Screen: m.Screen}, envs[i])
		if err != nil || !envelope.HasImageMagic(img) {
			t.Fatalf("screenshot %d doesn't open to a JPEG: %v", i, err)
		}
	}
}

func TestIdleTimeIsDiscardedOrKept(t *testing.T) {
	for _, keep := range []bool{false, true} {
		w := newWorld(t, 3)
		w.cfg.KeepIdle = keep
		tr := New(w.cfg)
		w.run(tr, 10, true)
		w.run(tr, 30, false) // idle past the 5 s timeout
		w.run(tr, 10, true)
		if err := tr.Flush(); err != nil {
			t.Fatal(err)
		}
		acts, _, _ := w.drain()
		last := acts[len(acts)-1]
		// 10 active + 4 seconds before the 5 s idle timeout is reached + 10
		// after; kept idle adds the other 26.
		want := 24
		if keep {
			want = 50
		}
		if last.TrackedSeconds != want {
			t.Errorf("keep=%v: tracked %d, want %d", keep, last.TrackedSeconds, want)
		}
		if last.ActiveSeconds > 24 {
			t.Errorf("keep=%v: idle seconds counted as active: %d", keep, last.ActiveSeconds)
		}
	}
}

func TestBlankCapturesAreReportedNotUploaded(t *testing.T) {
	w := newWorld(t, 1)
	w.desk.screens = []*image.RGBA{image.NewRGBA(image.Rect(0, 0, 64, 48)), picture(3)}
	tr := New(w.cfg)
	w.run(tr, 61, true)
	acts, shots, _ := w.drain()
	if len(shots) != 1 || shots[0].Screen != 1 {
		t.Fatalf("screenshots spooled: %+v", shots)
	}
	if tr.Problem == nil {
		t.Fatal("the blank capture wasn't reported in status")
	}
	if acts[0].CaptureErrors != 1 {
		t.Fatalf("the blank capture wasn't reported to the server: %+v", acts[0])
	}
}

func TestRestartResumesTheSlot(t *testing.T) {
	w := newWorld(t, 0)
	tr := New(w.cfg)
	w.run(tr, 40, true) // reported at 30 s
	// The process dies; a new one starts in the same slot.
	tr = New(w.cfg)
	w.run(tr, 20, true)
	w.run(tr, 1, true)
	acts, _, _ := w.drain()
	if acts[0].TrackedSeconds < 50 {
		t.Fatalf("restart lost the slot: %d seconds", acts[0].TrackedSeconds)
	}
}

func TestStopClosesTheSlot(t *testing.T) {
	w := newWorld(t, 0)
	tr := New(w.cfg)
	w.run(tr, 10, true)
	if err := tr.Tick(context.Background(), w.clock, Assignment{}); err != nil {
		t.Fatal(err)
	}
	acts, _, _ := w.drain()
	if len(acts) == 0 || acts[len(acts)-1].TrackedSeconds != 10 {
		t.Fatalf("stop didn't report the slot: %+v", acts)
	}
}

// A window whose title or URL is longer than the protocol allows must not
// cost the slot: the server would refuse the whole activity.
func TestLongWindowTextIsClipped(t *testing.T) {
	w := newWorld(t, 0)
	w.desk.window = desktop.Window{App: strings.Repeat("a", 300), Title: strings.Repeat("é", 2000), URL: "https://example.com/" + strings.Repeat("q", 5000)}
	tr := New(w.cfg)
	w.run(tr, 3, true)
	acts, _, _ := w.drain()
	if len(acts) == 0 || len(acts[0].Apps) != 1 {
		t.Fatalf("activities: %+v", acts)
	}
	a := acts[0].Apps[0]
	if n := utf8.RuneCountInString(a.App); n != ingest.MaxAppLen {
		t.Errorf("app: %d characters", n)
	}
	if n := utf8.RuneCountInString(a.Title); n != ingest.MaxTitleLen || !utf8.ValidString(a.Title) {
		t.Errorf("title: %d characters, valid UTF-8 %v", n, utf8.ValidString(a.Title))
	}
	if n := utf8.RuneCountInString(a.URL); n != ingest.MaxURLLen {
		t.Errorf("url: %d characters", n)
	}
}

// Switching task inside a slot keeps the slot's seconds: the server holds
// one activity per slot and project, so a fresh tally under the same id
// would replace what was tracked before the switch.
func TestTaskSwitchKeepsTheSlotsSeconds(t *testing.T) {
	w := newWorld(t, 0)
	tr := New(w.cfg)
	for i, task := range []string{"task1", "task2"} {
		for range 20 {
			w.desk.in.PointerX++
			if err := tr.Tick(context.Background(), w.clock, Assignment{Tracking: true, Project: "proj1", Task: task}); err != nil {
				t.Fatal(err)
			}
			w.clock = w.clock.Add(time.Second)
		}
		if i == 0 {
			w.drain() // the first task's reports reached the server
		}
	}
	if err := tr.Flush(); err != nil {
		t.Fatal(err)
	}
	acts, _, _ := w.drain()
	if len(acts) == 0 {
		t.Fatal("nothing reported after the switch")
	}
	last := acts[len(acts)-1]
	if last.TrackedSeconds != 40 || last.Task != "task2" {
		t.Fatalf("after the switch the slot reports %d s on %q, want 40 s on task2", last.TrackedSeconds, last.Task)
	}
}
