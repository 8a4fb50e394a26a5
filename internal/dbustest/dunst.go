package dbustest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Dunst is a running dunst: the session's notification server, showing
// its notifications on the test's X display.
type Dunst struct {
	choice string // the file the context menu's picker reads its answer from
	logs   bytes.Buffer
}

// StartDunst starts dunst on the test's bus (Bus) and display (DISPLAY)
// and waits until it owns org.freedesktop.Notifications. Its context menu
// (the one that invokes a notification's actions) runs a picker that
// answers with the action Answer last named, as a person choosing in the
// menu would.
func StartDunst(t testing.TB) *Dunst {
	t.Helper()
	requireTools(t)
	dir := t.TempDir()
	d := &Dunst{choice: filepath.Join(dir, "choice")}
	picker := filepath.Join(dir, "picker")
	// dunst writes one line per action ("#Label [summary]") to the
	// picker's stdin and invokes the one it prints.
	script := fmt.Sprintf("#!/bin/sh\ntee -a %q.seen | grep -m1 -F -- \"#$(cat %q)\"\n", picker, d.choice)
	if err := os.WriteFile(picker, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// idle_threshold 0: notices time out even when the display is idle
	// (the idle prompt's test leaves it idle on purpose).
	conf := fmt.Sprintf("[global]\n    dmenu = %s\n    idle_threshold = 0\n    history_length = 100\n    show_indicators = no\n", picker)
	confFile := filepath.Join(dir, "dunstrc")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dunst", "-config", confFile)
	cmd.Stdout, cmd.Stderr = &d.logs, &d.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbustest: start dunst: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	waitOwner(t, Connect(t), "org.freedesktop.Notifications", 15*time.Second)
	return d
}

// Answer picks the action labelled label in the context menu of the
// notifications on screen (dunstctl context), as the person would.
func (d *Dunst) Answer(t testing.TB, label string) {
	t.Helper()
	if err := os.WriteFile(d.choice, []byte(label), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("dunstctl", "context").CombinedOutput(); err != nil {
		t.Fatalf("dunstctl context: %v %s", err, out)
	}
}

// Notification is one notification as dunst keeps it.
type Notification struct {
	ID      int
	Summary string
	Body    string
}

// History is what dunst holds in its history (notifications closed or
// expired), newest first, as `dunstctl history` reports it.
func (d *Dunst) History(t testing.TB) []Notification {
	t.Helper()
	out, err := exec.Command("dunstctl", "history").Output()
	if err != nil {
		t.Fatalf("dunstctl history: %v\ndunst:\n%s", err, d.logs.String())
	}
	var h struct {
		Data [][]map[string]struct {
			Data any `json:"data"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatalf("dunstctl history: %v: %s", err, out)
	}
	var ns []Notification
	for _, page := range h.Data {
		for _, n := range page {
			id, _ := n["id"].Data.(float64)
			summary, _ := n["summary"].Data.(string)
			body, _ := n["body"].Data.(string)
			ns = append(ns, Notification{ID: int(id), Summary: summary, Body: body})
		}
	}
	return ns
}

// CloseAll closes the notifications on screen; dunst moves them to its
// history.
func (d *Dunst) CloseAll(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("dunstctl", "close-all").CombinedOutput(); err != nil {
		t.Fatalf("dunstctl close-all: %v %s", err, out)
	}
}

// Logs is what dunst printed.
func (d *Dunst) Logs() string { return d.logs.String() }
