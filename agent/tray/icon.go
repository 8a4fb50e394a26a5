//go:build linux || windows

package tray

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"fyne.io/systray"
)

// Icon is the tray icon and its menu. The library behind it keeps one icon
// per process: open one Icon at most.
type Icon struct {
	clicks chan Click
	ready  chan struct{}

	mu                      sync.Mutex
	shown                   View
	iconOf                  State
	today, current          *systray.MenuItem
	start, stop             *systray.MenuItem
	keepIdle, discardIdle   *systray.MenuItem
	atLogin                 *systray.MenuItem
	projectMenu, taskMenu   *systray.MenuItem
	projectItems, taskItems []*systray.MenuItem
	projects, tasks         []Choice // what the pickers hold
}

// Open shows the icon (with an empty view) once the session's tray host is
// there; it fails with an error wrapping ErrNoHost when there is none.
func Open() (*Icon, error) {
	if err := hostPresent(); err != nil {
		return nil, err
	}
	i := &Icon{clicks: make(chan Click, 16), ready: make(chan struct{}), iconOf: -1}
	go func() {
		// Windows needs the icon's window and its message loop on one
		// thread.
		runtime.LockOSThread()
		systray.Run(i.build, nil)
	}()
	select {
	case <-i.ready:
		return i, nil
	case <-time.After(10 * time.Second):
		return nil, fmt.Errorf("%w: the tray didn't start within 10 s", ErrNoHost)
	}
}

// build makes the menu; the library calls it once it runs.
func (i *Icon) build() {
	i.mu.Lock()
	defer i.mu.Unlock()
	systray.SetTitle("Tock")
	systray.SetTooltip(Tooltip(View{}))
	i.today = systray.AddMenuItem(TodayLabel(0), "Time tracked today")
	i.today.Disable()
	i.current = systray.AddMenuItem(CurrentLabel(View{}), "What your time goes to")
	i.current.Disable()
	// The idle question, shown while it is asked.
	i.keepIdle = i.item(systray.AddMenuItem("Keep idle time", "Count the time you were away as tracked"), Click{Kind: KeepIdle})
	i.discardIdle = i.item(systray.AddMenuItem("Discard idle time", "Don't count the time you were away"), Click{Kind: DiscardIdle})
	i.keepIdle.Hide()
	i.discardIdle.Hide()
	systray.AddSeparator()
	i.start = i.item(systray.AddMenuItem("Start tracking", ""), Click{Kind: Start})
	i.stop = i.item(systray.AddMenuItem("Stop tracking", ""), Click{Kind: Stop})
	i.projectMenu = systray.AddMenuItem("Project", "Track to another project")
	i.taskMenu = systray.AddMenuItem("Task", "Track to a task of the project")
	systray.AddSeparator()
	i.item(systray.AddMenuItem("Open my dashboard", "Your time, activity and screenshots in the web app"), Click{Kind: Dashboard})
	i.item(systray.AddMenuItem("What Tock records", "What is recorded about you, who sees it, how long it is kept"), Click{Kind: Records})
	i.atLogin = i.item(systray.AddMenuItemCheckbox("Start at login", "Start the agent at every login of this user", false), Click{Kind: AtLogin})
	systray.AddSeparator()
	i.item(systray.AddMenuItem("Quit Tock", "Stop the agent (time stops being tracked)"), Click{Kind: Quit})
	i.apply(View{})
	close(i.ready)
}

// item forwards the item's clicks as c until the item is removed.
func (i *Icon) item(it *systray.MenuItem, c Click) *systray.MenuItem {
	go func() {
		for range it.ClickedCh {
			select {
			case i.clicks <- c:
			default: // the agent is behind: a click more is dropped
			}
		}
	}()
	return it
}

// Clicks delivers what the person picks.
func (i *Icon) Clicks() <-chan Click { return i.clicks }

// Show makes the icon and menu show v, changing only what differs.
func (i *Icon) Show(v View) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.apply(v)
}

func (i *Icon) apply(v View) {
	old := i.shown
	if i.iconOf != v.State {
		systray.SetIcon(iconBytes(v.State))
		i.iconOf = v.State
	}
	if tip := Tooltip(v); tip != Tooltip(old) {
		systray.SetTooltip(tip)
	}
	if TodayLabel(v.Today) != TodayLabel(old.Today) {
		i.today.SetTitle(TodayLabel(v.Today))
	}
	if CurrentLabel(v) != CurrentLabel(old) {
		i.current.SetTitle(CurrentLabel(v))
	}
	if v.Idle != old.Idle {
		i.question(v.Idle)
	}
	check(i.atLogin, v.AtLogin)
	enable(i.start, !v.Tracking && v.Project != "")
	enable(i.stop, v.Tracking)
	i.projectItems, i.projects = i.picker(i.projectMenu, i.projectItems, i.projects, v.Projects, v.Project, Project)
	tasks := v.Tasks
	if v.Project != "" {
		tasks = append([]Choice{{ID: "", Name: "No task"}}, v.Tasks...)
	}
	i.taskItems, i.tasks = i.picker(i.taskMenu, i.taskItems, i.tasks, tasks, v.Task, Task)
	i.shown = v
}

// question shows the idle question's two answers, or hides them (idle 0).
func (i *Icon) question(idle time.Duration) {
	if idle == 0 {
		i.keepIdle.Hide()
		i.discardIdle.Hide()
		return
	}
	i.keepIdle.SetTitle("Keep " + idle.Round(time.Second).String() + " idle time")
	i.discardIdle.SetTitle("Discard " + idle.Round(time.Second).String() + " idle time")
	i.keepIdle.Show()
	i.discardIdle.Show()
}

// picker makes the submenu hold want (rebuilding it only when the list
// changed) with current checked.
func (i *Icon) picker(menu *systray.MenuItem, items []*systray.MenuItem, have, want []Choice, current string, kind Kind) ([]*systray.MenuItem, []Choice) {
	if !slices.Equal(have, want) {
		for _, it := range items {
			it.Remove()
		}
		items = items[:0]
		for _, c := range want {
			items = append(items, i.item(menu.AddSubMenuItemCheckbox(c.Name, "", false), Click{Kind: kind, ID: c.ID}))
		}
		have = slices.Clone(want)
	}
	for k, it := range items {
		check(it, have[k].ID == current)
	}
	enable(menu, len(items) > 0)
	return items, have
}

// check checks or unchecks it, sending only a change.
func check(it *systray.MenuItem, on bool) {
	switch {
	case on && !it.Checked():
		it.Check()
	case !on && it.Checked():
		it.Uncheck()
	}
}

func enable(it *systray.MenuItem, on bool) {
	switch {
	case on && it.Disabled():
		it.Enable()
	case !on && !it.Disabled():
		it.Disable()
	}
}

// Close takes the icon away.
func (i *Icon) Close() { systray.Quit() }
