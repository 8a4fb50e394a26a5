package agent_test

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tock-app/tock/internal/dbustest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/internal/xvfbtest"
)

// trackedTo sums the tracked seconds the server holds for a project.
func trackedTo(t testing.TB, base, token, project string) int {
	t.Helper()
	var l struct{ Items []record }
	q := url.Values{"perPage": {"500"}, "filter": {fmt.Sprintf("project = %q", project)}}
	api(t, "GET", base+"/api/collections/activities/records?"+q.Encode(), token, nil, &l)
	sum := 0
	for _, r := range l.Items {
		sum += r.Tracked
	}
	return sum
}

// firstID is the id of the collection's first record the token sees.
func firstID(t testing.TB, base, token, collection string) string {
	t.Helper()
	var l struct{ Items []struct{ ID string } }
	api(t, "GET", base+"/api/collections/"+collection+"/records", token, nil, &l)
	if len(l.Items) == 0 {
		t.Fatalf("no %s", collection)
	}
	return l.Items[0].ID
}

// notified waits until dunst's history holds a notification whose summary
// starts with summary, and returns it.
func notified(t testing.TB, d *dbustest.Dunst, summary string, within time.Duration) dbustest.Notification {
	t.Helper()
	var found dbustest.Notification
	waitFor(t, "a notification "+summary, within, func() bool {
		for _, n := range d.History(t) {
			if strings.HasPrefix(n.Summary, summary) {
				found = n
				return true
			}
		}
		// dunst keeps in its history what was closed: close what it shows.
		d.CloseAll(t)
		return false
	})
	return found
}

// inDesktopSession gives the test, and the processes it starts, a desktop
// session: the display in its environment (dunst and the agent share it), a
// private session bus, and dunst showing notifications.
func inDesktopSession(t *testing.T) (desktop []string, dunst *dbustest.Dunst) {
	desktop = tt.Desktop(t)
	for _, kv := range desktop {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	dbustest.Bus(t)
	return desktop, dbustest.StartDunst(t)
}

// TestTrayMenuDrivesTracking runs the real agent in a desktop session with
// a session bus, a tray host (played by the test over the real bus) and
// dunst: the agent's icon registers, its menu (read through
// com.canonical.dbusmenu) shows today's time, the project and the picker,
// and clicking Stop, Start and another project changes what the server
// records; screenshots and tracking turned off by the organization are
// told in notifications that dunst shows; the links open the web app and
// Quit stops the agent.
func TestTrayMenuDrivesTracking(t *testing.T) {
	bin := tt.Binary(t)
	desktop, dunst := inDesktopSession(t)
	host := dbustest.StartWatcher(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	token := owner(t, srv.URL)
	org := firstID(t, srv.URL, token, "organizations")
	website := firstID(t, srv.URL, token, "projects")
	var design struct{ ID string }
	if code := api(t, "POST", srv.URL+"/api/collections/projects/records", token, map[string]any{"org": org, "name": "Design"}, &design); code != 200 {
		t.Fatalf("create project: %d", code)
	}
	a := newAgent(t, bin, srv.URL, desktop)
	// The links go to a browser: here, a stand-in that notes the address.
	opened := filepath.Join(t.TempDir(), "opened")
	browser := t.TempDir()
	os.WriteFile(filepath.Join(browser, "xdg-open"), []byte("#!/bin/sh\necho \"$1\" >> "+opened+"\n"), 0o755)
	a.Env = append(a.Env, "PATH="+browser+":"+os.Getenv("PATH"))
	// "Start at login" writes in a home of the test's own.
	home, config := t.TempDir(), t.TempDir()
	a.Env = append(a.Env, "HOME="+home, "XDG_CONFIG_HOME="+config, "XDG_DATA_HOME="+filepath.Join(home, "data"))
	cmd, logs := a.Daemon(t)

	item := host.WaitItem(t, 30*time.Second)
	menu := func() dbustest.MenuItem { return host.Menu(t, item) }
	entry := func(label ...string) dbustest.MenuItem {
		t.Helper()
		m, ok := menu().In(label...)
		if !ok {
			t.Fatalf("no menu entry %q in %+v\nagent:\n%s", label, menu(), logs)
		}
		return m
	}
	waitFor(t, "the menu with the projects", 30*time.Second, func() bool {
		m := menu()
		w, okW := m.In("Project", "Website")
		_, okD := m.In("Project", "Design")
		stop, _ := m.In("Stop tracking")
		return okW && okD && w.Checked && stop.Enabled
	})
	if _, ok := menu().In("Today: "); !ok {
		t.Errorf("no today's time in the menu: %+v", menu())
	}
	for _, label := range []string{"Open my dashboard", "What Tock records", "Quit Tock"} {
		entry(label)
	}
	if _, ok := menu().In("Keep "); ok {
		t.Error("the idle question is in the menu with no idle time to ask about")
	}
	if start := entry("Start tracking"); start.Enabled {
		t.Error("Start is enabled while tracking")
	}
	waitFor(t, "the icon to say tracking", 10*time.Second, func() bool { return strings.Contains(host.Tooltip(t, item), "Tock: tracking") })
	waitFor(t, "time on Website", 40*time.Second, func() bool { return trackedTo(t, srv.URL, token, website) > 0 })

	// Stop: the server's time stops growing.
	host.Click(t, item, entry("Stop tracking").ID)
	waitFor(t, "the icon to say paused", 10*time.Second, func() bool { return strings.Contains(host.Tooltip(t, item), "Tock: paused") })
	waitFor(t, "the uploads", 30*time.Second, func() bool { return len(spooled(t, a.Dir)) == 0 })
	stopped := trackedTo(t, srv.URL, token, website)
	time.Sleep((slotSeconds + 5) * time.Second)
	if now := trackedTo(t, srv.URL, token, website); now != stopped {
		t.Fatalf("time still grew after Stop: %d → %d\nagent:\n%s", stopped, now, logs)
	}

	// Start: it grows again.
	host.Click(t, item, entry("Start tracking").ID)
	waitFor(t, "time on Website after Start", 40*time.Second, func() bool { return trackedTo(t, srv.URL, token, website) > stopped })

	// Another project: time goes to it.
	host.Click(t, item, entry("Project", "Design").ID)
	waitFor(t, "time on Design", 40*time.Second, func() bool { return trackedTo(t, srv.URL, token, design.ID) > 0 })
	if d := entry("Project", "Design"); !d.Checked {
		t.Error("Design isn't checked in the picker after picking it")
	}
	if cur := menu().Children[1].Label; cur != "Design" {
		t.Errorf("current project line %q, want Design", cur)
	}

	// A screenshot is told, with the time the server has for it.
	shot := notified(t, dunst, "Screenshot taken", 60*time.Second)
	var shots struct {
		Items []struct {
			TakenAt string `json:"taken_at"`
		}
	}
	api(t, "GET", srv.URL+"/api/collections/screenshots/records?perPage=500", token, nil, &shots)
	match := false
	for _, s := range shots.Items {
		at, _ := time.Parse("2006-01-02 15:04:05.000Z", s.TakenAt)
		match = match || strings.Contains(shot.Body, at.Local().Format("15:04:05"))
	}
	if !match {
		t.Errorf("screenshot notification %q names no time of the server's %d screenshots", shot.Body, len(shots.Items))
	}

	// The links open the web app's pages.
	host.Click(t, item, entry("Open my dashboard").ID)
	host.Click(t, item, entry("What Tock records").ID)
	waitFor(t, "the browser to open both pages", 10*time.Second, func() bool {
		b, _ := os.ReadFile(opened)
		lines := strings.Fields(string(b))
		slices.Sort(lines)
		return slices.Equal(lines, []string{srv.URL + "/#/me", srv.URL + "/#/me/records"})
	})

	// The organization turns tracking off: tracking stops, and is told.
	var ms struct{ Items []struct{ ID string } }
	api(t, "GET", srv.URL+"/api/collections/memberships/records", token, nil, &ms)
	if code := api(t, "PATCH", srv.URL+"/api/collections/memberships/records/"+ms.Items[0].ID, token, map[string]any{"tracking_enabled": false}, nil); code != 200 {
		t.Fatalf("turn tracking off: %d", code)
	}
	notified(t, dunst, "Tracking stopped", 60*time.Second)
	waitFor(t, "the icon to say paused", 10*time.Second, func() bool { return strings.Contains(host.Tooltip(t, item), "Tock: paused") })

	// "Start at login" installs autostart as `tock agent install` does, and
	// a second click uninstalls it.
	autostartEntry := filepath.Join(config, "autostart", "tock-agent.desktop")
	if atLogin := entry("Start at login"); atLogin.Checked {
		t.Error("Start at login is checked before anything was installed")
	}
	host.Click(t, item, entry("Start at login").ID)
	waitFor(t, "the autostart entry", 10*time.Second, func() bool { _, err := os.Stat(autostartEntry); return err == nil })
	waitFor(t, "Start at login to be checked", 10*time.Second, func() bool { return entry("Start at login").Checked })
	if b, _ := os.ReadFile(autostartEntry); !strings.Contains(string(b), "Exec="+bin+" agent run --state-dir "+a.Dir+"\n") {
		t.Errorf("autostart entry from the tray:\n%s", b)
	}
	host.Click(t, item, entry("Start at login").ID)
	waitFor(t, "the autostart entry to go", 10*time.Second, func() bool { _, err := os.Stat(autostartEntry); return os.IsNotExist(err) })
	waitFor(t, "Start at login to be unchecked", 10*time.Second, func() bool { return !entry("Start at login").Checked })

	// Quit ends the agent.
	host.Click(t, item, entry("Quit Tock").ID)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the agent ended with %v after Quit\n%s", err, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the agent still runs 15 s after Quit\n%s", logs)
	}
}

// idleDesktop is a display whose input the test turns on and off: while
// active, the pointer moves every 400 ms.
func idleDesktop(t *testing.T) *atomic.Bool {
	xvfbtest.Start(t)
	if out, err := exec.Command("xsetroot", "-mod", "7", "5", "-fg", "orange", "-bg", "navy").CombinedOutput(); err != nil {
		t.Fatalf("xsetroot: %v %s", err, out)
	}
	active := &atomic.Bool{}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(400 * time.Millisecond):
			}
			if active.Load() {
				exec.Command("xdotool", "mousemove", fmt.Sprint(100+i%500), fmt.Sprint(100+i%300)).Run()
			}
		}
	}()
	return active
}

// TestIdlePromptKeepsOrDiscards: the person comes back after the idle
// timeout and dunst shows the question; answering Keep in dunst's menu
// counts the idle time on the server, Discard doesn't, and no answer within
// --idle-answer-wait applies the default (discard, without --keep-idle).
// The session has no tray host: the agent says so once and runs headless.
func TestIdlePromptKeepsOrDiscards(t *testing.T) {
	bin := tt.Binary(t)
	for _, answer := range []string{"Keep", "Discard", ""} {
		t.Run("answer="+answer, func(t *testing.T) {
			active := idleDesktop(t)
			dbustest.Bus(t)
			dunst := dbustest.StartDunst(t)
			srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
			token := owner(t, srv.URL)
			org := firstID(t, srv.URL, token, "organizations")
			project := firstID(t, srv.URL, token, "projects")
			// No screenshots: the only notification is the question. The
			// organization keeps idle time nobody answers for; the answered
			// cases show the person's answer wins over it, the unanswered
			// one that it applies (discard, the default, is unit-tested).
			if code := api(t, "PATCH", srv.URL+"/api/collections/organizations/records/"+org, token, map[string]any{"screenshots_per_slot": 0, "idle_default": "keep"}, nil); code != 200 {
				t.Fatalf("set the organization's idle default: %d", code)
			}
			a := newAgent(t, bin, srv.URL, nil)
			a.Env = append(a.Env, "TOCK_IDLE_SECONDS=6")
			wait := "3m"
			if answer == "" {
				wait = "4s"
			}
			active.Store(true)
			cmd := exec.Command(a.Bin, "agent", "run", "--idle-answer-wait", wait)
			cmd.Env = a.Env
			var logs syncLog
			cmd.Stdout, cmd.Stderr = &logs, &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			started := time.Now()
			t.Cleanup(func() {
				cmd.Process.Kill()
				cmd.Wait()
			})
			time.Sleep(8 * time.Second)
			active.Store(false)
			time.Sleep(20 * time.Second) // idle: 6 s counted, ~14 s held
			active.Store(true)
			waitFor(t, "the idle question", 15*time.Second, func() bool {
				out, _ := exec.Command("dunstctl", "count", "displayed").Output()
				return strings.TrimSpace(string(out)) != "0"
			})
			if answer != "" {
				dunst.Answer(t, answer)
			}
			re := regexp.MustCompile(`msg="idle time answered" idle=(\d+)s kept=(\w+) by=(\w+)`)
			var got []string
			waitFor(t, "the answer in the agent's log", 20*time.Second, func() bool {
				got = re.FindStringSubmatch(logs.String())
				return got != nil
			})
			held := 0
			fmt.Sscan(got[1], &held)
			wantKept, wantBy := answer == "Keep", "you"
			if answer == "" {
				wantKept, wantBy = true, "default"
			}
			if got[2] != fmt.Sprint(wantKept) || got[3] != wantBy || held < 8 {
				t.Fatalf("answer %q: the agent logged %q, want kept=%v by=%s of at least 8 s\n%s", answer, got[0], wantKept, wantBy, logs.String())
			}
			if answer != "" {
				q := notified(t, dunst, "You were idle for", 10*time.Second)
				if !strings.Contains(q.Summary, fmt.Sprintf("%ds", held)) {
					t.Errorf("the question %q doesn't name the %d s held", q.Summary, held)
				}
			}
			time.Sleep(3 * time.Second)
			a.Run(t, "", "stop")
			lived := int(time.Since(started).Seconds())
			waitFor(t, "the uploads", 40*time.Second, func() bool {
				return len(spooled(t, a.Dir)) == 0 && trackedTo(t, srv.URL, token, project) > 0
			})
			time.Sleep(2 * time.Second)
			total := trackedTo(t, srv.URL, token, project)
			// Every second the agent ran is tracked (less its start-up, at
			// most 3 s), but the held idle seconds when discarded.
			want := lived
			if !wantKept {
				want -= held
			}
			if total > want+1 || total < want-4 {
				t.Fatalf("answer %q: the server has %d s tracked, want about %d (ran %d s, %d s idle held)\n%s", answer, total, want, lived, held, logs.String())
			}
			if n := strings.Count(logs.String(), "no tray icon: running headless"); n != 1 {
				t.Errorf("the log says %d times that there is no tray", n)
			}
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		})
	}
}

// syncLog is a process's output, read while it runs.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestEnrolLinkNotifies: `tock agent enrol` started by a tock:// link with
// no terminal (as the browser starts the registered handler) tells the
// person in a desktop notification, which dunst shows.
func TestEnrolLinkNotifies(t *testing.T) {
	bin := tt.Binary(t)
	_, dunst := inDesktopSession(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	token := owner(t, srv.URL)
	org := firstID(t, srv.URL, token, "organizations")
	var c struct{ Link string }
	if st := api(t, "POST", srv.URL+"/api/tock/orgs/"+org+"/enrolments", token, nil, &c); st != 200 {
		t.Fatalf("new code: %d", st)
	}
	cmd := exec.Command(bin, "agent", "enrol", c.Link)
	cmd.Env = append(os.Environ(), "TOCK_AGENT_DIR="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("enrol with the link: %v\n%s", err, out)
	}
	n := notified(t, dunst, "Signed in to Tock", 15*time.Second)
	if !strings.Contains(n.Body, srv.URL) || !strings.Contains(n.Body, "owner@example.test") {
		t.Errorf("notification body %q names neither the server nor the person", n.Body)
	}
}

// TestFirstRunWaitsForEnrolment: the downloaded program opened from the
// desktop (`tock` with no arguments, no terminal, a display: what a file
// manager's double-click runs) is the agent: it installs autostart and the
// tock:// link handler, and, never signed in, doesn't exit: its icon says
// "not signed in" with how to sign in, a notification says the same; once
// the web app's link has run `enrol`, the same process signs in and tracks.
func TestFirstRunWaitsForEnrolment(t *testing.T) {
	bin := tt.Binary(t)
	_, dunst := inDesktopSession(t)
	host := dbustest.StartWatcher(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	token := owner(t, srv.URL)
	org := firstID(t, srv.URL, token, "organizations")
	website := firstID(t, srv.URL, token, "projects")

	home := t.TempDir()
	a := tt.Agent{Bin: bin, Dir: t.TempDir()}
	a.Env = append(os.Environ(), "TOCK_AGENT_DIR="+a.Dir, fmt.Sprintf("TOCK_SLOT_SECONDS=%d", slotSeconds),
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_DATA_HOME="+filepath.Join(home, "data"))
	cmd := exec.Command(bin)
	cmd.Env = a.Env
	var logs syncLog
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	item := host.WaitItem(t, 30*time.Second)
	waitFor(t, "the icon to say not signed in", 10*time.Second, func() bool {
		return strings.Contains(host.Tooltip(t, item), "Tock: not signed in\nSign it in from the web app")
	})
	if cur, ok := host.Menu(t, item).In("Not signed in"); !ok || cur.Enabled {
		t.Errorf("the menu doesn't say not signed in: %+v", host.Menu(t, item))
	}
	n := notified(t, dunst, "Tock isn't signed in yet", 15*time.Second)
	if !strings.Contains(n.Body, "Get the desktop app") {
		t.Errorf("the first-run notification doesn't say where to sign in: %q", n.Body)
	}
	handler := filepath.Join(home, "data", "applications", "tock-enrol.desktop")
	waitFor(t, "the tock:// link handler", 10*time.Second, func() bool { _, err := os.Stat(handler); return err == nil })
	select {
	case err := <-exited:
		t.Fatalf("run exited without a session: %v\n%s", err, logs.String())
	default:
	}

	// The browser runs the registered handler with the page's link.
	var c struct{ Link string }
	if st := api(t, "POST", srv.URL+"/api/tock/orgs/"+org+"/enrolments", token, nil, &c); st != 200 {
		t.Fatalf("new code: %d", st)
	}
	a.Run(t, "", "enrol", c.Link)
	waitFor(t, "the icon to leave not signed in", 15*time.Second, func() bool {
		return strings.Contains(host.Tooltip(t, item), "Tock: paused")
	})
	a.Run(t, "", "start", "--project", "Website")
	waitFor(t, "time on Website from the first run's process", 60*time.Second, func() bool {
		return trackedTo(t, srv.URL, token, website) > 0
	})
	// Opened again while it runs: the second one says so and leaves.
	again := exec.Command(bin)
	again.Env = a.Env
	againDone := make(chan []byte, 1)
	go func() { out, _ := again.CombinedOutput(); againDone <- out }()
	select {
	case out := <-againDone:
		if !strings.Contains(string(out), "already running") {
			t.Errorf("the second opening: %s", out)
		}
	case <-time.After(20 * time.Second):
		again.Process.Kill()
		t.Fatalf("opening the program again started a second agent")
	}
	notified(t, dunst, "Tock is already running", 15*time.Second)

	autostartEntry := filepath.Join(home, "config", "autostart", "tock-agent.desktop")
	if b, err := os.ReadFile(autostartEntry); err != nil || !strings.Contains(string(b), "Exec="+bin+" agent run --state-dir "+a.Dir+"\n") {
		t.Errorf("opening the program didn't install autostart: %v\n%s", err, b)
	}
	if n := strings.Count(logs.String(), "not signed in: waiting"); n != 1 {
		t.Errorf("the log says %d times that it waits for a session\n%s", n, logs.String())
	}
}
