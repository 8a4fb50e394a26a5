// Package tracker is the agent's clock: once a second it turns what the
// desktop reports into 10-minute slots of tracked, keyboard, mouse and active
// seconds with the apps in focus, and at random moments of each slot it
// captures every monitor, seals each image and spools it. Nothing leaves the
// tracker but spool items; the uploader does the rest.
package tracker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"sort"
	"time"

	"github.com/tock-app/tock/agent/capture"
	"github.com/tock-app/tock/agent/desktop"
	"github.com/tock-app/tock/agent/session"
	"github.com/tock-app/tock/agent/spool"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/ingest"
)

// Desktop is what the tracker reads of the machine (desktop.Desktop).
type Desktop interface {
	Sample() (desktop.Input, error)
	ActiveWindow() (desktop.Window, error)
	Capture(fn func(screen int, img *image.RGBA) error) error
}

// Settings are the organization's, as the agent needs them for a slot.
type Settings struct {
	Org                string        `json:"org"`
	PublicKey          [32]byte      `json:"public_key"`
	ScreenshotsPerSlot int           `json:"screenshots_per_slot"`
	Blur               bool          `json:"blur"`
	IdleTimeout        time.Duration `json:"idle_timeout"`
}

// Assignment is what the person is tracking to (`tock agent start`).
type Assignment struct {
	Tracking bool   `json:"tracking"`
	Project  string `json:"project"`
	Task     string `json:"task"`
}

// Config wires a Tracker.
type Config struct {
	Spool    *spool.Spool
	Desktop  Desktop
	User     string
	Slot     time.Duration // 10 minutes; tests shorten it
	KeepIdle bool          // count idle time as tracked once the person is back
	// Settings returns the organization's settings at the start of a slot.
	Settings func(ctx context.Context) (Settings, error)
	// StateFile keeps the open slot across restarts.
	StateFile string
	Logger    *slog.Logger
	Rand      *mrand.Rand
}

// slot is the open slot's tally; it is saved so a restart resumes it.
type slot struct {
	Start       time.Time       `json:"start"`
	Project     string          `json:"project"`
	Task        string          `json:"task"`
	Tracked     int             `json:"tracked"`
	Keyboard    int             `json:"keyboard"`
	Mouse       int             `json:"mouse"`
	Active      int             `json:"active"`
	PendingIdle int             `json:"pending_idle"`
	Apps        map[string]*app `json:"apps"`
	ShotsAt     []time.Duration `json:"shots_at"` // offsets into the slot still to take
	Reported    bool            `json:"reported"` // an activity is spooled for it
	Ticks       int             `json:"ticks"`
	// CaptureErrors counts unusable captures, reported with the slot.
	CaptureErrors int `json:"capture_errors"`
}

type app struct {
	ingest.AppSeconds
}

// Problem is the last capture that couldn't be used, for `status`.
type Problem struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Tracker accounts one person's time; not safe for concurrent use.
type Tracker struct {
	cfg      Config
	settings Settings
	open     *slot
	prev     desktop.Input
	hasPrev  bool
	meter    desktop.Meter
	// Problem is the last unusable capture, if any.
	Problem *Problem
	// Today counts tracked seconds since local midnight, for `status`.
	Today    int
	todayKey string
	enc      capture.Encoder // the screenshots' JPEG buffers
}

// New returns a tracker, resuming a slot a previous run left open.
func New(cfg Config) *Tracker {
	if cfg.Slot <= 0 {
		cfg.Slot = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Rand == nil {
		cfg.Rand = mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 1))
	}
	t := &Tracker{cfg: cfg}
	if b, err := os.ReadFile(cfg.StateFile); err == nil {
		var s slot
		if json.Unmarshal(b, &s) == nil && !s.Start.IsZero() {
			t.open = &s
		}
	}
	return t
}

// ActivityID is the client id of a person's slot on a project: the same
// after any restart, so every report of a slot lands on one record.
func ActivityID(user, project string, start time.Time) string {
	return fmt.Sprintf("a-%s-%s-%d", user, project, start.Unix())
}

// Tick accounts one second at now for the assignment.
func (t *Tracker) Tick(ctx context.Context, now time.Time, as Assignment) error {
	start := now.Truncate(t.cfg.Slot)
	if t.open != nil && (!as.Tracking || !t.open.Start.Equal(start) || t.open.Project != as.Project || t.open.Task != as.Task) {
		if err := t.close(); err != nil {
			return err
		}
	}
	if !as.Tracking {
		t.hasPrev = false
		return nil
	}
	if t.open == nil {
		t.begin(ctx, start, as)
	}

	in, err := t.cfg.Desktop.Sample()
	if err != nil {
		return fmt.Errorf("sample input: %w", err)
	}
	sec := desktop.Second{Active: true}
	if t.hasPrev {
		sec = t.meter.Observe(t.prev, in)
	}
	t.prev, t.hasPrev = in, true
	s := t.open
	if sec.Idle {
		s.PendingIdle++
	} else {
		if s.PendingIdle > 0 && t.cfg.KeepIdle {
			s.Tracked += s.PendingIdle
			t.countToday(now, s.PendingIdle)
		}
		s.PendingIdle = 0
		s.Tracked++
		t.countToday(now, 1)
		if sec.Keyboard {
			s.Keyboard++
		}
		if sec.Mouse {
			s.Mouse++
		}
		if sec.Active {
			s.Active++
		}
		if w, err := t.cfg.Desktop.ActiveWindow(); err == nil && w.App != "" {
			key := w.App + "\x00" + w.Title
			if s.Apps[key] == nil {
				s.Apps[key] = &app{ingest.AppSeconds{App: w.App, Title: w.Title, URL: w.URL}}
			}
			s.Apps[key].Seconds++
		}
	}
	s.clamp(int(t.cfg.Slot / time.Second))

	// Screenshots due by now; none while idle (that moment is skipped).
	for len(s.ShotsAt) > 0 && now.Sub(s.Start) >= s.ShotsAt[0] {
		s.ShotsAt = s.ShotsAt[1:]
		if sec.Idle {
			continue
		}
		if err := t.screenshots(now); err != nil {
			return err
		}
	}
	// Reported every half minute: a crash loses at most that much.
	s.Ticks++
	if s.Ticks%30 == 0 || !s.Reported {
		return t.report()
	}
	return nil
}

// Flush reports the open slot as it stands (before the agent stops).
func (t *Tracker) Flush() error {
	if t.open == nil {
		return nil
	}
	return t.report()
}

func (s *slot) clamp(max int) {
	for _, v := range []*int{&s.Tracked, &s.Keyboard, &s.Mouse, &s.Active} {
		if *v > max {
			*v = max
		}
	}
}

func (t *Tracker) countToday(now time.Time, n int) {
	key := now.Local().Format("2006-01-02")
	if key != t.todayKey {
		t.todayKey, t.Today = key, 0
	}
	t.Today += n
}

func (t *Tracker) begin(ctx context.Context, start time.Time, as Assignment) {
	if st, err := t.cfg.Settings(ctx); err == nil {
		t.settings = st
	} else {
		t.cfg.Logger.Warn("organization settings unavailable; using the last known", "error", err)
	}
	t.meter = desktop.Meter{IdleAfter: t.settings.IdleTimeout}
	s := &slot{Start: start, Project: as.Project, Task: as.Task, Apps: map[string]*app{}}
	// Uniformly random moments inside the slot (PRODUCT.md §3).
	for range t.settings.ScreenshotsPerSlot {
		s.ShotsAt = append(s.ShotsAt, time.Duration(t.cfg.Rand.Int64N(int64(t.cfg.Slot))))
	}
	sort.Slice(s.ShotsAt, func(i, j int) bool { return s.ShotsAt[i] < s.ShotsAt[j] })
	t.open = s
}

func (t *Tracker) close() error {
	err := t.report()
	t.open = nil
	if rmErr := os.Remove(t.cfg.StateFile); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		t.cfg.Logger.Warn("couldn't clear the slot state", "error", rmErr)
	}
	return err
}

// report spools the slot's activity (replacing an earlier report of it that
// is still waiting) and saves the slot for a restart.
func (t *Tracker) report() error {
	s := t.open
	act := ingest.Activity{
		ClientID: ActivityID(t.cfg.User, s.Project, s.Start), Org: t.settings.Org, Project: s.Project, Task: s.Task,
		SlotStart: s.Start.UTC(), TrackedSeconds: s.Tracked, KeyboardSeconds: s.Keyboard, MouseSeconds: s.Mouse, ActiveSeconds: s.Active,
		CaptureErrors: s.CaptureErrors,
	}
	for _, a := range s.Apps {
		act.Apps = append(act.Apps, a.AppSeconds)
	}
	sort.Slice(act.Apps, func(i, j int) bool { return act.Apps[i].Seconds > act.Apps[j].Seconds })
	if len(act.Apps) > 20 {
		act.Apps = act.Apps[:20]
	}
	payload, err := spool.EncodeActivity(act)
	if err != nil {
		return err
	}
	if err := t.cfg.Spool.Put(spool.KindActivity, act.ClientID, payload); err != nil {
		return fmt.Errorf("spool activity %s: %w", act.ClientID, err)
	}
	s.Reported = true
	b, _ := json.Marshal(s)
	return session.WriteFileAtomic(t.cfg.StateFile, b)
}

// screenshots captures the monitors one at a time, seals each usable image
// for the organization and spools it; pixels never touch the disk. One
// frame and one JPEG are in memory at a time, in buffers kept for the next
// moment (fresh memory costs more CPU than encoding into it).
func (t *Tracker) screenshots(now time.Time) error {
	takenAt := now.UTC().Truncate(time.Millisecond)
	var spoolErr error
	err := t.cfg.Desktop.Capture(func(screen int, img *image.RGBA) error {
		spoolErr = t.screenshot(&t.enc, takenAt, screen, img)
		return spoolErr
	})
	if spoolErr != nil {
		return spoolErr
	}
	if err != nil {
		t.Problem = &Problem{At: now, Reason: err.Error()}
		t.open.CaptureErrors++
		t.cfg.Logger.Warn("screen capture failed", "error", err)
		return t.report()
	}
	return nil
}

// screenshot spools one monitor's capture of a moment: a blank one is
// counted as a problem, not uploaded.
func (t *Tracker) screenshot(enc *capture.Encoder, takenAt time.Time, screen int, img *image.RGBA) error {
	if capture.IsBlank(img) {
		t.Problem = &Problem{At: takenAt, Reason: fmt.Sprintf("screen %d captured blank: not uploaded", screen)}
		t.open.CaptureErrors++
		t.cfg.Logger.Warn("blank capture skipped", "screen", screen)
		return nil
	}
	if !t.open.Reported {
		// The server needs the slot before its screenshots.
		if err := t.report(); err != nil {
			return err
		}
	}
	jpeg, err := enc.Encode(img, t.settings.Blur)
	if err != nil {
		return fmt.Errorf("encode screen %d: %w", screen, err)
	}
	meta := ingest.Screenshot{
		ClientID: randomID(), Org: t.settings.Org, Activity: ActivityID(t.cfg.User, t.open.Project, t.open.Start),
		TakenAt: takenAt, Screen: screen, Width: img.Bounds().Dx(), Height: img.Bounds().Dy(), Blurred: t.settings.Blur,
	}
	sealed, err := envelope.Seal(rand.Reader, t.settings.PublicKey,
		envelope.Metadata{ID: meta.ClientID, Org: meta.Org, User: t.cfg.User, TakenAt: takenAt, Screen: screen}, jpeg)
	clear(jpeg)
	if err != nil {
		return fmt.Errorf("seal screen %d: %w", screen, err)
	}
	if err := t.cfg.Spool.Put(spool.KindScreenshot, meta.ClientID, spool.EncodeScreenshot(meta, sealed)); err != nil {
		return fmt.Errorf("spool screenshot: %w", err)
	}
	return nil
}

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "s-" + hex.EncodeToString(b)
}
