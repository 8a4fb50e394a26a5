package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mapRegistry stands in for the Run key.
type mapRegistry map[string]string

func (m mapRegistry) Get(name string) (string, bool, error) { v, ok := m[name]; return v, ok, nil }
func (m mapRegistry) Set(name, value string) error          { m[name] = value; return nil }
func (m mapRegistry) Delete(name string) error              { delete(m, name); return nil }

// TestRunKey: the Windows entry's logic, on any OS: install writes the
// quoted command under TockAgent, status sees it, uninstall removes it and
// nothing else, and leaves a value Tock didn't write.
func TestRunKey(t *testing.T) {
	reg := mapRegistry{"Other": "other.exe"}
	k := RunKey{Key: reg}
	cmd := Command{Exe: `C:\Program Files\Tock\tock.exe`, Args: []string{"agent", "run", "--state-dir", `C:\Users\Ann Lee\tock`}}
	if _, err := k.Install(cmd); err != nil {
		t.Fatal(err)
	}
	want := `"C:\Program Files\Tock\tock.exe" agent run --state-dir "C:\Users\Ann Lee\tock"`
	if reg[RunValue] != want {
		t.Fatalf("Run value %q, want %q", reg[RunValue], want)
	}
	if ok, _, _ := k.Installed(); !ok {
		t.Fatal("not seen as installed")
	}
	if removed, _, err := k.Uninstall(); !removed || err != nil {
		t.Fatalf("uninstall: %v %v", removed, err)
	}
	if _, ok := reg[RunValue]; ok || reg["Other"] != "other.exe" {
		t.Fatalf("registry after uninstall: %v", reg)
	}
	reg[RunValue] = "someone-else.exe"
	if removed, _, err := k.Uninstall(); removed || err == nil || reg[RunValue] != "someone-else.exe" {
		t.Fatalf("a foreign value: removed %v, %v, %v", removed, err, reg)
	}
}

// TestXDGRefusesForeignEntries: a tock-agent.desktop that Tock didn't write
// is neither replaced nor removed.
func TestXDGRefusesForeignEntries(t *testing.T) {
	x := XDG{ConfigHome: t.TempDir()}
	os.MkdirAll(filepath.Dir(x.Path()), 0o755)
	os.WriteFile(x.Path(), []byte("[Desktop Entry]\nExec=mine\n"), 0o644)
	if _, err := x.Install(Command{Exe: "/bin/tock"}); err == nil {
		t.Error("a foreign entry was replaced")
	}
	if removed, _, err := x.Uninstall(); removed || err == nil {
		t.Error("a foreign entry was removed")
	}
	if b, _ := os.ReadFile(x.Path()); !strings.Contains(string(b), "Exec=mine") {
		t.Errorf("foreign entry changed: %s", b)
	}
}

func TestExecLineQuotes(t *testing.T) {
	got := execLine(Command{Exe: "/opt/my tock/tock", Args: []string{"agent", "run", "--state-dir", `/home/a/100%$x`}})
	want := `"/opt/my tock/tock" agent run --state-dir "/home/a/100%%\$x"`
	if got != want {
		t.Errorf("Exec=%s, want %s", got, want)
	}
}
