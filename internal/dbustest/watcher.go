package dbustest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Watcher plays the tray host: it owns org.kde.StatusNotifierWatcher, as
// the desktop's panel does, and takes the items' registrations.
type Watcher struct {
	Conn  *dbus.Conn
	mu    sync.Mutex
	items []Item
}

// Item is a registered StatusNotifierItem: the bus name that registered
// and the object path it gave.
type Item struct {
	Sender string
	Path   dbus.ObjectPath
}

// watcherObject is the exported object: its methods are the watcher's
// D-Bus methods.
type watcherObject struct{ w *Watcher }

// RegisterStatusNotifierItem is what an item calls to be shown.
func (o watcherObject) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	it := Item{Sender: string(sender), Path: "/StatusNotifierItem"}
	if strings.HasPrefix(service, "/") {
		it.Path = dbus.ObjectPath(service)
	} else if service != "" {
		it.Sender = service
	}
	o.w.mu.Lock()
	o.w.items = append(o.w.items, it)
	o.w.mu.Unlock()
	return nil
}

// RegisterStatusNotifierHost is accepted and ignored.
func (o watcherObject) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

// StartWatcher takes org.kde.StatusNotifierWatcher on the test's bus.
func StartWatcher(t testing.TB) *Watcher {
	t.Helper()
	w := &Watcher{Conn: Connect(t)}
	if err := w.Conn.Export(watcherObject{w}, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatalf("dbustest: export the watcher: %v", err)
	}
	reply, err := w.Conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("dbustest: own org.kde.StatusNotifierWatcher: %v (reply %v)", err, reply)
	}
	return w
}

// WaitItem waits for the first item to register.
func (w *Watcher) WaitItem(t testing.TB, d time.Duration) Item {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		items := w.items
		w.mu.Unlock()
		if len(items) > 0 {
			return items[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("dbustest: no StatusNotifierItem registered in %v", d)
	return Item{}
}

// Tooltip reads the item's ToolTip property: its title and description.
func (w *Watcher) Tooltip(t testing.TB, it Item) string {
	t.Helper()
	v, err := w.Conn.Object(it.Sender, it.Path).GetProperty("org.kde.StatusNotifierItem.ToolTip")
	if err != nil {
		t.Fatalf("dbustest: read the tooltip: %v", err)
	}
	// (icon name, icon pixmaps, title, description)
	fields, ok := v.Value().([]any)
	if !ok || len(fields) < 4 {
		t.Fatalf("dbustest: tooltip %#v", v.Value())
	}
	return fmt.Sprint(fields[2]) + fmt.Sprint(fields[3])
}

// MenuItem is one entry of the item's menu as com.canonical.dbusmenu
// lays it out.
type MenuItem struct {
	ID       int32
	Label    string
	Enabled  bool
	Visible  bool
	Checked  bool
	Children []MenuItem
}

// Menu reads the item's whole menu through com.canonical.dbusmenu.GetLayout.
// (fyne.io/systray answers the first call one level deep, for GTK's sake,
// as it answers a panel: ask again for the submenus.)
func (w *Watcher) Menu(t testing.TB, it Item) MenuItem {
	t.Helper()
	menuPath := w.menuPath(t, it)
	var revision uint32
	var layout []any
	call := w.Conn.Object(it.Sender, menuPath).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		t.Fatalf("dbustest: GetLayout: %v", call.Err)
	}
	if len(call.Body) != 2 {
		t.Fatalf("dbustest: GetLayout answered %#v", call.Body)
	}
	revision, _ = call.Body[0].(uint32)
	_ = revision
	layout, _ = call.Body[1].([]any)
	return parseItem(t, layout)
}

// menuPath is the item's Menu property.
func (w *Watcher) menuPath(t testing.TB, it Item) dbus.ObjectPath {
	t.Helper()
	v, err := w.Conn.Object(it.Sender, it.Path).GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		t.Fatalf("dbustest: read the item's menu path: %v", err)
	}
	p, ok := v.Value().(dbus.ObjectPath)
	if !ok {
		t.Fatalf("dbustest: Menu is %#v", v.Value())
	}
	return p
}

// parseItem reads one (ia{sv}av) layout node.
func parseItem(t testing.TB, node []any) MenuItem {
	t.Helper()
	if len(node) != 3 {
		t.Fatalf("dbustest: layout node %#v", node)
	}
	m := MenuItem{Enabled: true, Visible: true}
	m.ID, _ = node[0].(int32)
	props, _ := node[1].(map[string]dbus.Variant)
	if v, ok := props["label"]; ok {
		m.Label, _ = v.Value().(string)
	}
	if v, ok := props["enabled"]; ok {
		m.Enabled, _ = v.Value().(bool)
	}
	if v, ok := props["visible"]; ok {
		m.Visible, _ = v.Value().(bool)
	}
	if v, ok := props["toggle-state"]; ok {
		state, _ := v.Value().(int32)
		m.Checked = state == 1
	}
	children, _ := node[2].([]dbus.Variant)
	for _, c := range children {
		child, _ := c.Value().([]any)
		m.Children = append(m.Children, parseItem(t, child))
	}
	return m
}

// Find is the first visible entry under m (m included) whose label
// starts with prefix.
func (m MenuItem) Find(prefix string) (MenuItem, bool) {
	if m.Visible && m.Label != "" && strings.HasPrefix(m.Label, prefix) {
		return m, true
	}
	for _, c := range m.Children {
		if f, ok := c.Find(prefix); ok {
			return f, true
		}
	}
	return MenuItem{}, false
}

// In is the entry reached from m through children labelled path (each a
// prefix of the label), e.g. In("Project", "Website").
func (m MenuItem) In(path ...string) (MenuItem, bool) {
	if len(path) == 0 {
		return m, true
	}
	for _, c := range m.Children {
		if c.Visible && c.Label != "" && strings.HasPrefix(c.Label, path[0]) {
			return c.In(path[1:]...)
		}
	}
	return MenuItem{}, false
}

// Click sends the menu entry's "clicked" event, as the panel does when the
// person picks it.
func (w *Watcher) Click(t testing.TB, it Item, id int32) {
	t.Helper()
	call := w.Conn.Object(it.Sender, w.menuPath(t, it)).Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
	if call.Err != nil {
		t.Fatalf("dbustest: click %d: %v", id, call.Err)
	}
}
