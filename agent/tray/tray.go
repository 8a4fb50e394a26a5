// Package tray is the agent's icon in the desktop's tray: its state in the
// icon and a menu of today's time, the current project and task, Start and
// Stop, a project and task picker, links to the web app and Quit. On Linux
// it is a StatusNotifierItem on the session bus, on Windows an icon in the
// notification area, both through fyne.io/systray (pure Go on both). What
// the menu shows is a View; what the person picks comes back as Clicks.
package tray

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"
)

// State is what the icon shows.
type State int

const (
	Paused    State = iota // signed in, not tracking
	Tracking               // tracking time
	Offline                // the server can't be reached; everything waits in the spool
	Error                  // something needs the person's attention (see the status)
	SignedOut              // no session yet: the first run waits for enrolment
)

// String is the state as the tooltip says it.
func (s State) String() string {
	switch s {
	case Tracking:
		return "tracking"
	case Offline:
		return "offline"
	case Error:
		return "error"
	case SignedOut:
		return "not signed in"
	}
	return "paused"
}

// Choice is one project or task of the picker.
type Choice struct {
	ID, Name string
}

// View is everything the icon and menu show.
type View struct {
	State  State
	Detail string // the tooltip's second line: the error, or the last upload
	Today  time.Duration
	// Tracking: time runs for the current assignment (whatever the state:
	// offline, time is still tracked into the spool).
	Tracking bool
	// Project and Task are the current assignment's ids.
	Project, Task string
	ProjectName   string
	TaskName      string
	Projects      []Choice // what the person can track to
	Tasks         []Choice // the current project's tasks
	// Idle is the idle time asked about (the notification's question, also
	// answerable from the menu); zero when none is.
	Idle time.Duration
	// AtLogin: the agent starts at every login (its autostart entry is
	// installed); the menu's "Start at login" is checked.
	AtLogin bool
}

// Kind is what a click asks for.
type Kind int

const (
	Start       Kind = iota + 1 // start tracking to the current project
	Stop                        // stop tracking
	Project                     // track to the project Click.ID
	Task                        // track to the task Click.ID of the current project ("" for none)
	Dashboard                   // open the person's page of the web app
	Records                     // open "What Tock records"
	Quit                        // stop the agent
	KeepIdle                    // keep the idle time asked about
	DiscardIdle                 // discard it
	AtLogin                     // start at login, or no longer (View.AtLogin says which it is now)
)

// Click is one pick from the menu.
type Click struct {
	Kind Kind
	ID   string
}

// ErrNoHost is Open's error when the session has no tray to show an icon
// in; the agent then runs headless.
var ErrNoHost = errors.New("tray: no tray host in this session")

// TodayLabel is the menu's first line.
func TodayLabel(d time.Duration) string {
	m := int(d / time.Minute)
	return fmt.Sprintf("Today: %d:%02d", m/60, m%60)
}

// CurrentLabel is the menu's second line: what time goes to.
func CurrentLabel(v View) string {
	if v.State == SignedOut {
		return "Not signed in"
	}
	name := v.ProjectName
	if name == "" {
		name = v.Project
	}
	switch {
	case name == "":
		return "No project chosen"
	case v.TaskName != "":
		return name + " — " + v.TaskName
	}
	return name
}

// Tooltip is the icon's tooltip.
func Tooltip(v View) string {
	s := "Tock: " + v.State.String()
	if v.Detail != "" {
		s += "\n" + v.Detail
	}
	return s
}

// colors are the icon's colour per state.
func stateColor(s State) color.RGBA {
	switch s {
	case Tracking:
		return color.RGBA{0x2e, 0xa0, 0x43, 0xff} // green
	case Offline:
		return color.RGBA{0xe0, 0x8a, 0x00, 0xff} // amber
	case Error:
		return color.RGBA{0xd0, 0x2b, 0x2b, 0xff} // red
	case SignedOut:
		return color.RGBA{0x2f, 0x6f, 0xd0, 0xff} // blue
	}
	return color.RGBA{0x80, 0x80, 0x80, 0xff} // grey
}

// IconPNG draws the icon of a state: a 32x32 disc in the state's colour
// (a ring when paused or not signed in), so it reads at a glance on light
// and dark panels.
func IconPNG(s State) []byte {
	const size = 32
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	c := stateColor(s)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			dx, dy := float64(x)-15.5, float64(y)-15.5
			r2 := dx*dx + dy*dy
			if r2 <= 15*15 && (s != Paused && s != SignedOut || r2 >= 10*10) {
				img.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, c.A})
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // into memory: can't fail
	return buf.Bytes()
}
