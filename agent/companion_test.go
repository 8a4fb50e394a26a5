package agent

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/tock-app/tock/agent/notify"
	"github.com/tock-app/tock/agent/session"
	"github.com/tock-app/tock/agent/tracker"
	"github.com/tock-app/tock/agent/tray"
	"github.com/tock-app/tock/agent/upload"
)

// fakeNotes is a Notifier that records notices and answers questions as
// told: the Windows build and a session without a notification server sit
// behind the same interface.
type fakeNotes struct {
	mu      sync.Mutex
	notices []notify.Message
	answer  string
	err     error
}

func (f *fakeNotes) Notify(_ context.Context, m notify.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notices = append(f.notices, m)
	return nil
}

func (f *fakeNotes) Ask(ctx context.Context, m notify.Message) (string, error) {
	if f.err == context.DeadlineExceeded {
		<-ctx.Done()
		return "", ctx.Err()
	}
	return f.answer, f.err
}

func (f *fakeNotes) Close() error { return nil }

func (f *fakeNotes) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.notices)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestIdleAnswerFallsBackToTheDefault: the person's answer wins; a closed
// question, no answer in time, or no notifications at all apply the
// default (--keep-idle).
func TestIdleAnswerFallsBackToTheDefault(t *testing.T) {
	for _, tc := range []struct {
		name       string
		notes      *fakeNotes
		dflt, keep bool
		by         string
	}{
		{"keep", &fakeNotes{answer: keepIdle}, false, true, "you"},
		{"discard", &fakeNotes{answer: discardIdle}, true, false, "you"},
		{"dismissed", &fakeNotes{err: notify.ErrDismissed}, true, true, "default"},
		{"no answer in time", &fakeNotes{err: context.DeadlineExceeded}, false, false, "default"},
		{"no answer in time, keep by default", &fakeNotes{err: context.DeadlineExceeded}, true, true, "default"},
		{"no notifications", nil, true, true, "default"},
	} {
		var n Notifier
		if tc.notes != nil {
			n = tc.notes
		}
		c := newCompanion(&options{}, companionConfig{keepIdle: new(tc.dflt), idleWait: 50 * time.Millisecond}, quiet(), func() {}, nil, n)
		keep, by := c.idleAnswer(context.Background(), time.Minute)
		if keep != tc.keep || by != tc.by {
			t.Errorf("%s: kept %v by %s, want %v by %s", tc.name, keep, by, tc.keep, tc.by)
		}
	}
}

// TestKeepIdleFlagOverridesTheOrganization: without --keep-idle the
// organization's idle_default answers for the person (empty is discard);
// --keep-idle given, true or false, wins over it.
func TestKeepIdleFlagOverridesTheOrganization(t *testing.T) {
	for _, tc := range []struct {
		args []string
		org  string
		keep bool
	}{
		{nil, "", false},
		{nil, "discard", false},
		{nil, "keep", true},
		{[]string{"--keep-idle"}, "discard", true},
		{[]string{"--keep-idle=false"}, "keep", false},
		{[]string{"--keep-idle=true"}, "", true},
	} {
		cmd := (&options{}).run()
		if err := cmd.ParseFlags(tc.args); err != nil {
			t.Fatal(err)
		}
		v, _ := cmd.Flags().GetBool("keep-idle")
		c := newCompanion(&options{}, companionConfig{keepIdle: givenBool(cmd, "keep-idle", v), idleWait: time.Millisecond}, quiet(), func() {}, nil, nil)
		c.orgSettings(tracker.Settings{IdleDefault: tc.org})
		keep, by := c.idleAnswer(context.Background(), time.Minute)
		if keep != tc.keep || by != "default" {
			t.Errorf("flags %q, organization %q: kept %v by %s, want %v by default", tc.args, tc.org, keep, by, tc.keep)
		}
	}
}

// TestBacklogIsToldWhenItGrows: first at backlogNotice items, again only
// when the backlog has doubled, and afresh once it has drained.
func TestBacklogIsToldWhenItGrows(t *testing.T) {
	notes := &fakeNotes{}
	c := newCompanion(&options{}, companionConfig{}, quiet(), func() {}, nil, notes)
	ctx := context.Background()
	for _, step := range []struct{ items, told int }{
		{10, 0}, {backlogNotice, 1}, {backlogNotice + 20, 1}, {2 * backlogNotice, 2}, {3 * backlogNotice, 2}, {0, 2}, {backlogNotice, 3},
	} {
		c.backlog(ctx, step.items, int64(step.items)<<20)
		waitCount(t, notes, step.told)
	}
}

func waitCount(t *testing.T, notes *fakeNotes, want int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for notes.count() != want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := notes.count(); got != want {
		t.Fatalf("%d notices, want %d", got, want)
	}
}

// TestViewState: the icon's state from the last upload and the assignment.
func TestViewState(t *testing.T) {
	st := &Status{}
	limited := &Status{ServerMessage: "Daily limit reached."}
	for _, tc := range []struct {
		err      error
		tracking bool
		st       *Status
		want     tray.State
	}{
		{nil, true, st, tray.Tracking},
		{nil, false, st, tray.Paused},
		{&session.UnreachableError{Server: "https://tock.example", Err: errors.New("connection refused")}, true, st, tray.Offline},
		{&upload.HTTPError{Status: 500, Message: "boom"}, true, st, tray.Error},
		{&upload.HTTPError{Status: 409, Message: "limit"}, false, limited, tray.Paused},
	} {
		if got, _ := viewState(tc.err, tc.tracking, tc.st); got != tc.want {
			t.Errorf("viewState(%v, %v) = %v, want %v", tc.err, tc.tracking, got, tc.want)
		}
	}
}

// TestClicksChangeTheAssignment: Start, Stop, a project and a task write
// what `run` tracks next; the links open the server's pages; Quit ends the
// run.
func TestClicksChangeTheAssignment(t *testing.T) {
	o := &options{dir: t.TempDir()}
	quit := false
	c := newCompanion(o, companionConfig{server: "https://tock.example"}, quiet(), func() { quit = true }, nil, nil)
	var opened []string
	c.browse = func(u string) error { opened = append(opened, u); return nil }
	c.projects = []tray.Choice{{ID: "p1", Name: "Website"}, {ID: "p2", Name: "Design"}}
	c.tasks["p2"] = []tray.Choice{{ID: "t1", Name: "Logo"}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the task list isn't fetched here

	c.handle(ctx, tray.Click{Kind: tray.Start})
	if o.readAssignment().Tracking {
		t.Fatal("Start without a project started tracking")
	}
	c.handle(ctx, tray.Click{Kind: tray.Project, ID: "p2"})
	if as := o.readAssignment(); as.Assignment != (tracker.Assignment{Tracking: true, Project: "p2"}) || as.ProjectName != "Design" {
		t.Fatalf("after picking Design: %+v", as)
	}
	c.handle(ctx, tray.Click{Kind: tray.Task, ID: "t1"})
	if as := o.readAssignment(); as.Task != "t1" || as.TaskName != "Logo" || !as.Tracking {
		t.Fatalf("after picking Logo: %+v", as)
	}
	c.handle(ctx, tray.Click{Kind: tray.Stop})
	if as := o.readAssignment(); as.Tracking || as.Project != "p2" {
		t.Fatalf("after Stop: %+v", as)
	}
	c.handle(ctx, tray.Click{Kind: tray.Start})
	if !o.readAssignment().Tracking {
		t.Fatal("Start didn't start")
	}
	c.handle(ctx, tray.Click{Kind: tray.Dashboard})
	c.handle(ctx, tray.Click{Kind: tray.Records})
	if len(opened) != 2 || opened[0] != "https://tock.example/#/me" || opened[1] != "https://tock.example/#/me/records" {
		t.Fatalf("opened %v", opened)
	}
	c.handle(ctx, tray.Click{Kind: tray.Quit})
	if !quit {
		t.Fatal("Quit didn't end the run")
	}
}

// fakeTray is a Tray that keeps the last view it was shown.
type fakeTray struct {
	mu   sync.Mutex
	last tray.View
}

func (f *fakeTray) Show(v tray.View) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = v
}
func (f *fakeTray) Clicks() <-chan tray.Click { return nil }
func (f *fakeTray) Close()                    {}

// TestIdleQuestionInTheMenu: with a tray and no notifications, or with
// notifications that only tell (Windows' toasts: their Ask waits until the
// question is over), the menu asks, and its answer decides; the question
// leaves the menu once answered.
func TestIdleQuestionInTheMenu(t *testing.T) {
	for i, kind := range []tray.Kind{tray.KeepIdle, tray.DiscardIdle, tray.KeepIdle, tray.DiscardIdle} {
		var notes Notifier
		if i >= 2 {
			notes = &fakeNotes{err: context.DeadlineExceeded}
		}
		icon := &fakeTray{}
		c := newCompanion(&options{dir: t.TempDir()}, companionConfig{keepIdle: new(kind == tray.DiscardIdle), idleWait: time.Minute}, quiet(), func() {}, icon, notes)
		type answer struct {
			keep bool
			by   string
		}
		got := make(chan answer, 1)
		go func() {
			keep, by := c.idleAnswer(context.Background(), 90*time.Second)
			got <- answer{keep, by}
		}()
		deadline := time.Now().Add(2 * time.Second)
		for {
			c.show(&Status{}, assignment{}, 0)
			icon.mu.Lock()
			idle := icon.last.Idle
			icon.mu.Unlock()
			if idle == 90*time.Second {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the menu doesn't ask about the idle time")
			}
			time.Sleep(5 * time.Millisecond)
		}
		c.handle(context.Background(), tray.Click{Kind: kind})
		a := <-got
		if a.keep != (kind == tray.KeepIdle) || a.by != "you" {
			t.Errorf("%v: kept %v by %s", kind, a.keep, a.by)
		}
		c.show(&Status{}, assignment{}, 0)
		if icon.last.Idle != 0 {
			t.Errorf("%v: the question stays in the menu after the answer", kind)
		}
	}
}
