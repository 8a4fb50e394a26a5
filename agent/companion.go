package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tock-app/tock/agent/autostart"
	"github.com/tock-app/tock/agent/notify"
	"github.com/tock-app/tock/agent/session"
	"github.com/tock-app/tock/agent/tracker"
	"github.com/tock-app/tock/agent/tray"
	"github.com/tock-app/tock/agent/upload"
)

// Tray is the icon and menu the agent keeps in a desktop session
// (tray.Icon; the tests' own elsewhere).
type Tray interface {
	Show(tray.View)
	Clicks() <-chan tray.Click
	Close()
}

// Notifier shows desktop notifications (notify.Bus).
type Notifier interface {
	Notify(ctx context.Context, m notify.Message) error
	Ask(ctx context.Context, m notify.Message) (string, error)
	Close() error
}

// Idle answers, as the notification's actions name them and as the
// organization's idle_default setting spells them.
const (
	keepIdle    = "keep"
	discardIdle = "discard"
)

// backlogNotice is the number of spooled items from which the person is
// told that uploads are waiting (about an hour of work with three
// screenshots of two monitors per slot), and again each time it doubles.
const backlogNotice = 50

// idleTimeout is the organization's idle timeout; TOCK_IDLE_SECONDS
// shortens it for tests only (the organization's is at least a minute).
func idleTimeout(minutes int) time.Duration {
	if n, err := strconv.Atoi(os.Getenv("TOCK_IDLE_SECONDS")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return time.Duration(minutes) * time.Minute
}

// companion is what `run` shows and asks in the desktop session: the tray
// icon, notifications and the idle question. Either may be missing: without
// a tray the agent runs headless, as it always did; without notifications
// idle time follows the default answer at once.
type companion struct {
	o      *options
	server string
	logger *slog.Logger
	tray   Tray     // nil: headless
	notes  Notifier // nil: no notifications
	quit   context.CancelFunc
	// keepOverride is --keep-idle when given: the answer when the person
	// gives none, over the organization's (nil: the organization decides).
	keepOverride *bool
	idleWait     time.Duration // how long the idle question waits
	browse       func(url string) error
	// answers carries idle answers to the goroutine that ticks;
	// trayAnswers the menu's answer to the question out.
	answers     chan bool
	trayAnswers chan bool

	mu        sync.Mutex
	projects  []tray.Choice
	tasks     map[string][]tray.Choice // by project id
	uploadErr error                    // the last upload's, nil after a success
	noticed   int                      // spooled items when the backlog was last told
	asking    time.Duration            // the idle time asked about, 0 when none
	orgKeep   bool                     // the organization's idle_default is keep
	atLogin   bool                     // the autostart entry is installed
}

// companionConfig is what newCompanion needs besides the desktop's pieces.
type companionConfig struct {
	server   string
	keepIdle *bool // --keep-idle, nil when not given
	idleWait time.Duration
}

// newCompanion wires the tray and notifier (nil when the session has none;
// each absence is logged once) to the agent.
func newCompanion(o *options, cfg companionConfig, logger *slog.Logger, quit context.CancelFunc, t Tray, n Notifier) *companion {
	return &companion{
		o: o, server: cfg.server, logger: logger, tray: t, notes: n, quit: quit,
		keepOverride: cfg.keepIdle, idleWait: cfg.idleWait, browse: tray.Browse,
		answers: make(chan bool, 4), trayAnswers: make(chan bool, 1), tasks: map[string][]tray.Choice{},
		atLogin: t != nil && autostartInstalled(),
	}
}

// openDesktop opens the session's tray and notification server, saying
// once in the log what is missing.
func openDesktop(logger *slog.Logger) (Tray, Notifier) {
	var t Tray
	var n Notifier
	if icon, err := tray.Open(); err != nil {
		logger.Info("no tray icon: running headless", "reason", err)
	} else {
		t = icon
	}
	if bus, err := notify.Open(); err != nil {
		logger.Info("no desktop notifications: idle time follows the default answer", "reason", err)
	} else {
		n = bus
	}
	return t, n
}

// Close takes the icon away and ends the notifications' connection.
func (c *companion) Close() {
	if c.tray != nil {
		c.tray.Close()
	}
	if c.notes != nil {
		c.notes.Close()
	}
}

// clicks are the tray's clicks (none when headless).
func (c *companion) clicks() <-chan tray.Click {
	if c.tray == nil {
		return nil
	}
	return c.tray.Clicks()
}

// loadProjects fetches the projects the person can track to, and the
// current project's tasks, now and every 5 minutes, for the picker.
func (c *companion) loadProjects(ctx context.Context) {
	if c.tray == nil {
		return
	}
	for {
		if ps, err := c.o.listProjects(ctx); err != nil {
			c.logger.Warn("tray: list projects", "error", err)
		} else {
			choices := make([]tray.Choice, len(ps))
			for i, p := range ps {
				choices[i] = tray.Choice{ID: p.ID, Name: p.Name}
			}
			c.mu.Lock()
			c.projects = choices
			c.mu.Unlock()
		}
		if as := c.o.readAssignment(); as.Project != "" {
			c.loadTasks(ctx, as.Project)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Minute):
		}
	}
}

// loadTasks fetches a project's tasks for the picker.
func (c *companion) loadTasks(ctx context.Context, project string) {
	var ts []task
	err := c.o.list(ctx, "tasks", url.Values{"perPage": {"500"}, "sort": {"title"}}, func(session.Session) string {
		return fmt.Sprintf("project = %q", project)
	}, &ts)
	if err != nil {
		c.logger.Warn("tray: list tasks", "project", project, "error", err)
		return
	}
	choices := make([]tray.Choice, len(ts))
	for i, t := range ts {
		choices[i] = tray.Choice{ID: t.ID, Name: t.Title}
	}
	c.mu.Lock()
	c.tasks[project] = choices
	c.mu.Unlock()
}

// show brings the icon up to date (each second; the icon sends only what
// changed).
func (c *companion) show(st *Status, as assignment, today int) {
	if c.tray == nil {
		return
	}
	c.mu.Lock()
	v := tray.View{
		Today: time.Duration(today) * time.Second, Tracking: as.Tracking,
		Project: as.Project, Task: as.Task, ProjectName: as.ProjectName, TaskName: as.TaskName,
		Projects: c.projects, Tasks: c.tasks[as.Project], Idle: c.asking, AtLogin: c.atLogin,
	}
	uploadErr := c.uploadErr
	c.mu.Unlock()
	v.State, v.Detail = viewState(uploadErr, as.Tracking, st)
	c.tray.Show(v)
}

// viewState is the icon's state: an upload problem first (unreachable is
// offline, anything else an error, but time the server refused with a
// message), else tracking or paused; the detail is what the tooltip adds.
func viewState(uploadErr error, tracking bool, st *Status) (tray.State, string) {
	var (
		unreachable *session.UnreachableError
		refused     *upload.HTTPError
	)
	st.mu.Lock()
	message := st.ServerMessage
	st.mu.Unlock()
	switch {
	case errors.As(uploadErr, &unreachable):
		return tray.Offline, Explain(uploadErr)
	case errors.As(uploadErr, &refused) && message != "":
		// The server refused time and said why (a limit reached,
		// tracking turned off): the message is what there is to know.
	case uploadErr != nil:
		return tray.Error, Explain(uploadErr)
	case tracking:
		return tray.Tracking, message
	}
	return tray.Paused, message
}

// uploaded records an upload's outcome for the icon.
func (c *companion) uploaded(err error) {
	c.mu.Lock()
	c.uploadErr = err
	c.mu.Unlock()
}

// handle does what the person picked in the menu. It runs in the goroutine
// that ticks, so the assignment it writes is the one the next tick reads.
func (c *companion) handle(ctx context.Context, click tray.Click) {
	as := c.o.readAssignment()
	c.mu.Lock()
	projects, tasks := c.projects, c.tasks[as.Project]
	c.mu.Unlock()
	switch click.Kind {
	case tray.Start:
		as.Tracking = as.Project != ""
	case tray.Stop:
		as.Tracking = false
	case tray.Project:
		as = assignment{Assignment: tracker.Assignment{Tracking: true, Project: click.ID}, ProjectName: choiceName(projects, click.ID)}
		go c.loadTasks(ctx, click.ID)
	case tray.Task:
		as.Task, as.TaskName, as.Tracking = click.ID, choiceName(tasks, click.ID), as.Project != ""
	case tray.Dashboard, tray.Records:
		page := map[tray.Kind]string{tray.Dashboard: "/#/me", tray.Records: "/#/me/records"}[click.Kind]
		if err := c.browse(c.server + page); err != nil {
			c.logger.Warn("tray: open the web app", "error", err)
		}
		return
	case tray.AtLogin:
		c.toggleAtLogin()
		return
	case tray.Quit:
		c.logger.Info("tray: quit")
		c.quit()
		return
	case tray.KeepIdle, tray.DiscardIdle:
		select {
		case c.trayAnswers <- click.Kind == tray.KeepIdle:
		default: // an answer is already on its way
		}
		return
	}
	if err := c.o.writeAssignment(as); err != nil {
		c.logger.Error("tray: change tracking", "error", err)
		return
	}
	c.logger.Info("tray: tracking changed", "tracking", as.Tracking, "project", as.Project, "task", as.Task)
}

// toggleAtLogin installs or uninstalls autostart as `tock agent install` and
// `uninstall` do; uninstalling keeps the spool, and says so in the log when
// it holds items.
func (c *companion) toggleAtLogin() {
	on := autostartInstalled()
	var err error
	var where string
	if on {
		_, where, err = uninstallAutostart()
	} else {
		where, err = c.o.installAutostart()
	}
	if err != nil {
		c.logger.Error("tray: start at login", "error", err)
	} else {
		c.logger.Info("tray: start at login", "on", !on, "entry", where)
		if on {
			var spooled strings.Builder
			if c.o.reportSpool(&spooled); spooled.Len() > 0 {
				c.logger.Info("tray: " + strings.TrimSpace(spooled.String()))
			}
		}
	}
	c.mu.Lock()
	c.atLogin = autostartInstalled()
	c.mu.Unlock()
}

// choiceName is the name of the choice with that id.
func choiceName(choices []tray.Choice, id string) string {
	for _, ch := range choices {
		if ch.ID == id {
			return ch.Name
		}
	}
	return ""
}

// tell shows a notice without holding up the caller (the tick, the
// uploader).
func (c *companion) tell(ctx context.Context, m notify.Message) {
	if c.notes == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := c.notes.Notify(ctx, m); err != nil {
			c.logger.Warn("notification", "error", err)
		}
	}()
}

// screenshot tells that a screenshot was taken, and when.
func (c *companion) screenshot(ctx context.Context, at time.Time) {
	c.tell(ctx, notify.Message{Summary: "Screenshot taken", Body: "Tock took a screenshot at " + at.Local().Format("15:04:05") + ".", Expire: 8 * time.Second})
}

// trackingStopped tells that the server stopped tracking (a limit reached,
// tracking turned off by the organization).
func (c *companion) trackingStopped(ctx context.Context, reason string) {
	c.tell(ctx, notify.Message{Summary: "Tracking stopped", Body: reason})
}

// backlog tells that uploads are piling up: when the spool first holds
// backlogNotice items, and each time it doubles since.
func (c *companion) backlog(ctx context.Context, items int, bytes int64) {
	c.mu.Lock()
	if items < backlogNotice {
		c.noticed = 0
		c.mu.Unlock()
		return
	}
	if c.noticed > 0 && items < 2*c.noticed {
		c.mu.Unlock()
		return
	}
	c.noticed = items
	why := "the server hasn't taken them yet"
	if c.uploadErr != nil {
		why = Explain(c.uploadErr)
	}
	c.mu.Unlock()
	c.tell(ctx, notify.Message{Summary: "Uploads are waiting",
		Body: fmt.Sprintf("%d items (%d MB) wait on this computer to be uploaded: %s Nothing is lost; they go when the server can be reached.", items, bytes>>20, why)})
}

// askIdle is the tracker's AskIdle: the question goes out without holding
// up the tick, and its answer comes back through answers.
func (c *companion) askIdle(ctx context.Context, idle time.Duration) {
	go func() {
		keep, by := c.idleAnswer(ctx, idle)
		if ctx.Err() != nil {
			return // stopping: the held time is asked about at the next start
		}
		c.logger.Info("idle time answered", "idle", idle, "kept", keep, "by", by)
		c.answers <- keep
	}()
}

// idleAnswer asks whether to keep idle time, in a notification and in the
// tray's menu, and says who decided: "you", or "default" when the question
// got no answer within idleWait, was dismissed, or couldn't be asked.
func (c *companion) idleAnswer(ctx context.Context, idle time.Duration) (keep bool, by string) {
	if c.notes == nil && c.tray == nil {
		return c.defaultKeep(), "default"
	}
	dflt := "discarded"
	if c.defaultKeep() {
		dflt = "kept"
	}
	ctx, cancel := context.WithTimeout(ctx, c.idleWait)
	defer cancel() // takes the notification away when the menu answered
	c.setAsking(idle)
	defer c.setAsking(0)
	type result struct {
		answer string
		err    error
	}
	fromNotes := make(chan result, 1)
	if c.notes != nil {
		go func() {
			answer, err := c.notes.Ask(ctx, notify.Message{
				Summary: "You were idle for " + idle.Round(time.Second).String(),
				Body:    fmt.Sprintf("Keep this time as tracked, or discard it? Without an answer within %s it is %s.", c.idleWait, dflt),
				Actions: []notify.Action{{Key: keepIdle, Label: "Keep"}, {Key: discardIdle, Label: "Discard"}},
				Expire:  -1,
			})
			fromNotes <- result{answer, err}
		}()
	}
	select {
	case keep := <-c.trayAnswers:
		return keep, "you"
	case r := <-fromNotes:
		switch {
		case r.err == nil && (r.answer == keepIdle || r.answer == discardIdle):
			return r.answer == keepIdle, "you"
		case r.err != nil && !errors.Is(r.err, context.DeadlineExceeded) && !errors.Is(r.err, notify.ErrDismissed):
			c.logger.Warn("idle question", "error", r.err)
		}
	case <-ctx.Done():
	}
	return c.defaultKeep(), "default"
}

// orgSettings takes in the organization's settings as the tracker fetched
// them: its idle_default is the answer to the idle question when the person
// gives none (empty reads as discard, what organizations made before the
// setting get).
func (c *companion) orgSettings(st tracker.Settings) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.orgKeep = st.IdleDefault == keepIdle
}

// defaultKeep is the answer to the idle question when the person gives
// none: --keep-idle when it was given, else the organization's.
func (c *companion) defaultKeep() bool {
	if c.keepOverride != nil {
		return *c.keepOverride
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.orgKeep
}

// setAsking shows (or, with 0, takes away) the idle question in the menu,
// and drops a stale answer to an earlier one.
func (c *companion) setAsking(idle time.Duration) {
	c.mu.Lock()
	c.asking = idle
	c.mu.Unlock()
	select {
	case <-c.trayAnswers:
	default:
	}
}

// enrolHint tells a person whose agent has no session how to give it one
// without a terminal.
const enrolHint = "Sign it in from the web app: Me → Get the desktop app → “Show an enrolment code”, then click “enrol this computer” " +
	"(or run tock agent enrol CODE --server URL)."

// awaitSession is the first run's prompt. Started at login (or by hand)
// before the agent was ever signed in, `run` shows its icon as not signed
// in and a notification saying how to sign in, makes sure the web app's
// tock:// link reaches `enrol`, and waits until enrol (or login) stores a
// session, then carries on as a signed-in run. Without a tray or a
// notification server there is no one to tell: the caller gets
// session.ErrSignedOut as before.
func (c *companion) awaitSession(ctx context.Context) error {
	if c.tray == nil && c.notes == nil {
		return session.ErrSignedOut
	}
	c.logger.Info("not signed in: waiting for `tock agent enrol` (the web app's enrolment link) or `login`")
	if entry, err := autostart.DefaultLink(); err == nil {
		if ok, _, _ := entry.Installed(); !ok {
			if where, err := c.o.installLink(); err != nil {
				c.logger.Warn("first run: register the tock:// link handler", "error", err)
			} else {
				c.logger.Info("first run: tock:// links now sign this agent in", "entry", where)
			}
		}
	}
	c.tell(ctx, notify.Message{Summary: "Tock isn't signed in yet", Body: enrolHint})
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		c.showSignedOut()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case click := <-c.clicks():
			switch click.Kind {
			case tray.Quit:
				c.logger.Info("tray: quit")
				c.quit()
			case tray.AtLogin:
				c.toggleAtLogin()
			}
		case <-tick.C:
			store, err := c.o.store()
			if err != nil {
				return err
			}
			sess, err := store.Load()
			if err == nil {
				c.logger.Info("signed in", "server", sess.Server, "email", sess.Email)
				return nil
			}
			if !errors.Is(err, session.ErrSignedOut) {
				return err
			}
		}
	}
}

// showSignedOut shows the icon as not signed in, the hint in its tooltip.
func (c *companion) showSignedOut() {
	if c.tray == nil {
		return
	}
	c.mu.Lock()
	atLogin := c.atLogin
	c.mu.Unlock()
	c.tray.Show(tray.View{State: tray.SignedOut, Detail: enrolHint, AtLogin: atLogin})
}
