// Package tracker is the agent's clock: once a second it turns what the
// desktop reports into 10-minute slots of tracked, keyboard, mouse and active
// seconds with the apps in focus, and at random moments of each slot it
// captures every monitor, seals each image and spools it. Nothing leaves the
// tracker but spool items; the uploader does the rest.
package tracker

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
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
	// IdleDefault is the organization's answer to the idle question when
	// the person gives none ("keep" or "discard"; empty is discard). The
	// agent's companion applies it; the tracker only carries it.
	IdleDefault string `json:"idle_default,omitempty"`
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
	// AskIdle, when set, is called (from Tick) when the person comes back
	// after idle time: the idle seconds are then held, uncounted, until
	// ResolveIdle says whether they count. Without it KeepIdle decides at
	// once.
	AskIdle func(idle time.Duration)
	// OnScreenshot, when set, is called once a moment's images are spooled.
	OnScreenshot func(at time.Time)
	// Settings returns the organization's settings at the start of a slot.
	Settings func(ctx context.Context) (Settings, error)
	// StateFile keeps the open slot across restarts.
	StateFile string
	Logger    *slog.Logger
	Rand      *mrand.Rand

	// Today seeds the Today counter with seconds already tracked on the
	// local day of TodayOf (by a previous run, as its status showed).
	Today   int
	TodayOf time.Time
}

// slot is the open slot's tally; it is saved every second, so a restart
// (even after kill -9) resumes it with nothing lost.
type slot struct {
	Start       time.Time `json:"start"`
	Project     string    `json:"project"`
	Task        string    `json:"task"`
	Tracked     int       `json:"tracked"`
	Keyboard    int       `json:"keyboard"`
	Mouse       int       `json:"mouse"`
	Active      int       `json:"active"`
	PendingIdle int       `json:"pending_idle"`
	// HeldIdle is idle time the person came back from, waiting for their
	// answer (Config.AskIdle): counted as tracked only if they keep it.
	HeldIdle int             `json:"held_idle,omitempty"`
	Apps     map[string]*app `json:"apps"`
	// Settings are the organization's as the slot began: a resumed slot
	// reports to the same organization and seals to the same key.
	Settings Settings `json:"settings"`
	// Moments are the screenshot moments (offsets into the slot, distinct
	// whole seconds, sorted), drawn once the settings are known; Next is the
	// first not yet taken. A moment counts as taken only once its images are
	// spooled, so a kill in between takes it again, under the same ids.
	Moments  []time.Duration `json:"moments"`
	Drawn    bool            `json:"drawn"`
	Next     int             `json:"next"`
	Reported bool            `json:"reported"` // an activity is spooled for it
	Ticks    int             `json:"ticks"`
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
	asked    bool // the settings were asked for in this run
	// Problem is the last unusable capture, if any.
	Problem *Problem
	// Today counts tracked seconds since local midnight, for `status`.
	Today    int
	todayKey string
	enc      capture.Encoder // the screenshots' JPEG buffers
	// held are closed slots with idle time waiting for the person's
	// answer; asking: the question is out (AskIdle was called).
	held   []*slot
	asking bool
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
	if cfg.Today > 0 {
		t.Today, t.todayKey = cfg.Today, dayKey(cfg.TodayOf)
	}
	if b, err := os.ReadFile(cfg.StateFile); err == nil {
		var s slot
		if json.Unmarshal(b, &s) == nil && !s.Start.IsZero() {
			t.open = &s
			t.settings = s.Settings
			t.meter = desktop.Meter{IdleAfter: s.Settings.IdleTimeout}
		}
	}
	return t
}

// ScreenshotID is the client id of one screen's image at one moment of a
// person's slot on a project: the same after any restart, so a capture
// repeated after a crash lands on the record of the first (the server keeps
// one screenshot per client id).
func ScreenshotID(user, project string, start time.Time, moment time.Duration, screen int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%d\x00%d\x00%d", user, project, start.Unix(), moment.Milliseconds(), screen))
	return "s-" + hex.EncodeToString(sum[:16])
}

// Moments returns the open slot's screenshot moments (offsets into it) not
// yet taken.
func (t *Tracker) Moments() []time.Duration {
	if t.open == nil {
		return nil
	}
	return t.open.Moments[t.open.Next:]
}

// ActivityID is the client id of a person's slot on a project: the same
// after any restart, so every report of a slot lands on one record.
func ActivityID(user, project string, start time.Time) string {
	return fmt.Sprintf("a-%s-%s-%d", user, project, start.Unix())
}

// Tick accounts one second at now for the assignment.
func (t *Tracker) Tick(ctx context.Context, now time.Time, as Assignment) error {
	start := now.Truncate(t.cfg.Slot)
	if t.open != nil && (!as.Tracking || !t.open.Start.Equal(start) || t.open.Project != as.Project) {
		if err := t.close(); err != nil {
			return err
		}
	}
	// A slot holds one task per project (the server keeps one activity per
	// person, slot and project): a new task in the same slot takes the
	// slot's seconds with it rather than starting a tally that would replace
	// them under the same activity id.
	if t.open != nil && t.open.Task != as.Task {
		t.open.Task = as.Task
		t.open.Reported = false
	}
	if !as.Tracking {
		t.hasPrev = false
		return nil
	}
	var errs []error
	if t.open == nil {
		t.begin(ctx, start, as)
	}
	s := t.open
	// A slot without the organization's settings (first start, offline)
	// asks again every half minute; its moments are drawn when they come.
	if !s.Settings.complete() && (s.Ticks > 0 && s.Ticks%30 == 0 || !t.asked) {
		errs = append(errs, t.refresh(ctx))
	}
	if !s.Drawn && (s.Settings.complete() || s.Settings.ScreenshotsPerSlot > 0) {
		t.draw(now)
	}

	sec, err := t.second(now)
	if err != nil {
		return fmt.Errorf("sample input: %w", err)
	}
	// One moment per tick, so no two moments share an instant; none while
	// idle (that moment is skipped). Moments that fell while the agent
	// wasn't running are taken late, one a second.
	if s.Next < len(s.Moments) && now.Sub(s.Start) >= s.Moments[s.Next] {
		if !sec.Idle {
			errs = append(errs, t.screenshots(now))
		}
		s.Next++
	}
	// Reported every half minute: a power loss loses at most that much; a
	// kill loses nothing, as the state below is saved every second.
	s.Ticks++
	due := s.Ticks%30 == 0 || !s.Reported
	if s.check() != nil {
		due = s.Ticks%30 == 1 // report says why every half minute, queueing nothing
	}
	if due {
		errs = append(errs, t.report())
	}
	errs = append(errs, t.save(false))
	return errors.Join(errs...)
}

// second samples the desktop and accounts one second to the open slot.
func (t *Tracker) second(now time.Time) (desktop.Second, error) {
	in, err := t.cfg.Desktop.Sample()
	if err != nil {
		return desktop.Second{}, err
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
		if s.PendingIdle > 0 || !t.asking && t.heldSeconds() > 0 {
			t.cameBack(now)
		}
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
			seen := ingest.AppSeconds{App: w.App, Title: w.Title, URL: w.URL}.Clipped()
			key := seen.App + "\x00" + seen.Title
			if s.Apps[key] == nil {
				s.Apps[key] = &app{seen}
			}
			s.Apps[key].Seconds++
		}
	}
	s.clamp(int(t.cfg.Slot / time.Second))
	return sec, nil
}

// cameBack settles the idle time the person just came back from: at once
// by KeepIdle, or held until they answer (AskIdle, then ResolveIdle).
func (t *Tracker) cameBack(now time.Time) {
	s := t.open
	if t.cfg.AskIdle == nil {
		if t.cfg.KeepIdle {
			s.Tracked += s.PendingIdle
			t.countToday(now, s.PendingIdle)
		}
		s.PendingIdle = 0
		return
	}
	s.HeldIdle += s.PendingIdle
	s.PendingIdle = 0
	if !t.asking {
		t.asking = true
		t.cfg.AskIdle(time.Duration(t.heldSeconds()) * time.Second)
	}
}

// heldSeconds is the idle time waiting for the person's answer.
func (t *Tracker) heldSeconds() int {
	n := 0
	if t.open != nil {
		n += t.open.HeldIdle
	}
	for _, h := range t.held {
		n += h.HeldIdle
	}
	return n
}

// ResolveIdle applies the person's answer (or the default) to the idle time
// held since AskIdle: kept seconds are added to their slots' tracked time
// and those slots reported again (the server replaces a slot's earlier
// report), so the server applies its rules to them as to any tracked
// time; discarded seconds are dropped. Called from the goroutine that
// ticks.
func (t *Tracker) ResolveIdle(now time.Time, keep bool) error {
	t.asking = false
	var errs []error
	for _, h := range t.held {
		if keep && h.check() == nil {
			h.Tracked += h.HeldIdle
			h.clamp(int(t.cfg.Slot / time.Second))
			t.countToday(now, h.HeldIdle)
			errs = append(errs, t.spoolSlot(h))
		}
	}
	t.held = nil
	if s := t.open; s != nil && s.HeldIdle > 0 {
		if keep {
			s.Tracked += s.HeldIdle
			s.clamp(int(t.cfg.Slot / time.Second))
			t.countToday(now, s.HeldIdle)
			s.Reported = false // reported at the next tick
		}
		s.HeldIdle = 0
		errs = append(errs, t.save(false))
	}
	return errors.Join(errs...)
}

// complete reports whether the settings came from the server: an
// organization to report to and a key to seal for.
func (st Settings) complete() bool {
	return ingest.IsRecordID(st.Org) && st.PublicKey != [32]byte{}
}

// check says why the server would refuse the slot's activity, nil if it
// wouldn't.
func (s *slot) check() error {
	switch {
	case !ingest.IsRecordID(s.Settings.Org):
		return errors.New("the organization isn't known yet (its settings couldn't be fetched)")
	case !ingest.IsRecordID(s.Project):
		return fmt.Errorf("project %q isn't a record id", s.Project)
	case s.Task != "" && !ingest.IsRecordID(s.Task):
		return fmt.Errorf("task %q isn't a record id", s.Task)
	}
	return nil
}

// refresh fetches the settings for a slot that began without them.
func (t *Tracker) refresh(ctx context.Context) error {
	t.asked = true
	st, err := t.cfg.Settings(ctx)
	if ingest.IsRecordID(st.Org) {
		t.settings, t.open.Settings = st, st
		t.meter = desktop.Meter{IdleAfter: st.IdleTimeout}
	}
	if err != nil {
		return fmt.Errorf("no screenshots until the organization's settings come: %w", err)
	}
	return nil
}

// draw picks the slot's screenshot moments uniformly among the whole
// seconds left of it: a slot begun late doesn't crowd the moments already
// past into its first second, and as a tick falls once in every second,
// each moment gets a tick of its own, the last one still inside the slot.
func (t *Tracker) draw(now time.Time) {
	s := t.open
	first := int64((now.Sub(s.Start) + time.Second - 1) / time.Second) // the next whole second
	left := int64(t.cfg.Slot/time.Second) - first
	picked := map[int64]bool{}
	for len(picked) < s.Settings.ScreenshotsPerSlot && int64(len(picked)) < left {
		picked[first+t.cfg.Rand.Int64N(left)] = true
	}
	s.Moments = s.Moments[:0]
	for sec := range picked {
		s.Moments = append(s.Moments, time.Duration(sec)*time.Second)
	}
	sort.Slice(s.Moments, func(i, j int) bool { return s.Moments[i] < s.Moments[j] })
	s.Drawn, s.Next = true, 0
}

// Flush reports the open slot as it stands (before the agent stops).
func (t *Tracker) Flush() error {
	if t.open == nil || t.open.check() != nil {
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

func dayKey(at time.Time) string { return at.Local().Format(time.DateOnly) }

func (t *Tracker) countToday(now time.Time, n int) {
	key := dayKey(now)
	if key != t.todayKey {
		t.todayKey, t.Today = key, 0
	}
	t.Today += n
}

func (t *Tracker) begin(ctx context.Context, start time.Time, as Assignment) {
	t.asked = true
	st, err := t.cfg.Settings(ctx)
	switch {
	case err == nil:
		t.settings = st
	case !t.settings.complete() && ingest.IsRecordID(st.Org):
		t.settings = st // the organization at least, if nothing better is known
		fallthrough
	default:
		t.cfg.Logger.Warn("organization settings unavailable; using the last known", "error", err)
	}
	t.meter = desktop.Meter{IdleAfter: t.settings.IdleTimeout}
	t.open = &slot{Start: start, Project: as.Project, Task: as.Task, Apps: map[string]*app{}, Settings: t.settings}
}

func (t *Tracker) close() error {
	var err error
	// Idle time of this slot still waiting for the person's answer stays
	// with a copy of the slot until it comes.
	if s := t.open; t.cfg.AskIdle != nil && s.PendingIdle+s.HeldIdle > 0 {
		held := *s
		held.HeldIdle, held.PendingIdle = s.HeldIdle+s.PendingIdle, 0
		t.held = append(t.held, &held)
	}
	if bad := t.open.check(); bad != nil {
		t.cfg.Logger.Error("LOST: a slot ended that could never be queued", "slot", t.open.Start, "tracked_seconds", t.open.Tracked, "reason", bad)
	} else {
		err = t.report()
	}
	t.open = nil
	if rmErr := os.Remove(t.cfg.StateFile); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		t.cfg.Logger.Warn("couldn't clear the slot state", "error", rmErr)
	}
	return err
}

// save writes the open slot for a restart; durable adds the fsyncs that make
// it survive a power loss too (a kill -9 needs none).
func (t *Tracker) save(durable bool) error {
	b, err := json.Marshal(t.open)
	if err != nil {
		return fmt.Errorf("save slot: %w", err)
	}
	if durable {
		return session.WriteFileAtomic(t.cfg.StateFile, b)
	}
	return session.ReplaceFile(t.cfg.StateFile, b)
}

// report spools the slot's activity (replacing an earlier report of it that
// is still waiting) and saves the slot for a restart.
func (t *Tracker) report() error {
	s := t.open
	if bad := s.check(); bad != nil { // the server would refuse it
		return fmt.Errorf("slot %s kept, not queued: %w", s.Start.Format(time.TimeOnly), bad)
	}
	if err := t.spoolSlot(s); err != nil {
		return err
	}
	s.Reported = true
	return t.save(true)
}

// spoolSlot spools a slot's activity, replacing an earlier report of it
// still waiting.
func (t *Tracker) spoolSlot(s *slot) error {
	act := ingest.Activity{
		ClientID: ActivityID(t.cfg.User, s.Project, s.Start), Org: s.Settings.Org, Project: s.Project, Task: s.Task,
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
	return nil
}

// screenshots captures the monitors one at a time, seals each usable image
// for the organization and spools it; pixels never touch the disk. One
// frame and one JPEG are in memory at a time, in buffers kept for the next
// moment (fresh memory costs more CPU than encoding into it).
func (t *Tracker) screenshots(now time.Time) error {
	if !t.open.Settings.complete() {
		// Sealed to a key the server didn't give, an image could never be
		// opened: it isn't captured at all.
		t.Problem = &Problem{At: now, Reason: "no screenshot: the organization's public key isn't known yet"}
		t.open.CaptureErrors++
		t.cfg.Logger.Warn("screenshot skipped: no organization key from the server yet")
		return nil
	}
	moment := t.open.Moments[t.open.Next]
	takenAt := now.UTC().Truncate(time.Millisecond)
	var spoolErr error
	spooled := 0
	err := t.cfg.Desktop.Capture(func(screen int, img *image.RGBA) error {
		var ok bool
		ok, spoolErr = t.screenshot(moment, takenAt, screen, img)
		if ok {
			spooled++
		}
		return spoolErr
	})
	if spoolErr != nil {
		return spoolErr
	}
	if spooled > 0 && t.cfg.OnScreenshot != nil {
		t.cfg.OnScreenshot(now)
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
func (t *Tracker) screenshot(moment time.Duration, takenAt time.Time, screen int, img *image.RGBA) (spooled bool, err error) {
	if capture.IsBlank(img) {
		t.Problem = &Problem{At: takenAt, Reason: fmt.Sprintf("screen %d captured blank: not uploaded", screen)}
		t.open.CaptureErrors++
		t.cfg.Logger.Warn("blank capture skipped", "screen", screen)
		return false, nil
	}
	if !t.open.Reported {
		// The server needs the slot before its screenshots.
		if err := t.report(); err != nil {
			return false, err
		}
	}
	st := t.open.Settings
	jpeg, err := t.enc.Encode(img, st.Blur)
	if err != nil {
		return false, fmt.Errorf("encode screen %d: %w", screen, err)
	}
	meta := ingest.Screenshot{
		ClientID: ScreenshotID(t.cfg.User, t.open.Project, t.open.Start, moment, screen), Org: st.Org,
		Activity: ActivityID(t.cfg.User, t.open.Project, t.open.Start),
		TakenAt:  takenAt, Screen: screen, Width: img.Bounds().Dx(), Height: img.Bounds().Dy(), Blurred: st.Blur,
	}
	sealed, err := envelope.Seal(rand.Reader, st.PublicKey,
		envelope.Metadata{ID: meta.ClientID, Org: meta.Org, User: t.cfg.User, TakenAt: takenAt, Screen: screen}, jpeg)
	clear(jpeg)
	if err != nil {
		return false, fmt.Errorf("seal screen %d: %w", screen, err)
	}
	if err := t.cfg.Spool.Put(spool.KindScreenshot, meta.ClientID, spool.EncodeScreenshot(meta, sealed)); err != nil {
		return false, fmt.Errorf("spool screenshot: %w", err)
	}
	return true, nil
}
