package autostart

import (
	"maps"
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

// mapTree stands in for HKCU\Software\Classes: "key\x00name" → value.
type mapTree map[string]string

func (m mapTree) Get(key, name string) (string, bool, error) {
	v, ok := m[key+"\x00"+name]
	return v, ok, nil
}
func (m mapTree) Set(key, name, value string) error { m[key+"\x00"+name] = value; return nil }
func (m mapTree) DeleteKey(key string) error {
	for k := range m {
		if strings.HasPrefix(k, key+"\x00") {
			delete(m, k)
		}
	}
	return nil
}

// TestClassesKey: the Windows link handler's logic, on any OS: install
// writes the URL Protocol key and the command with "%1", status sees it,
// uninstall removes exactly those keys and leaves other schemes, and a
// scheme of another program is neither replaced nor removed.
func TestClassesKey(t *testing.T) {
	reg := mapTree{"mailto\x00": "URL:MailTo"}
	k := ClassesKey{Key: reg}
	cmd := Command{Exe: `C:\Program Files\Tock\tock.exe`, Args: []string{"agent", "enrol"}}
	if _, err := k.Install(cmd); err != nil {
		t.Fatal(err)
	}
	want := mapTree{
		"mailto\x00":                     "URL:MailTo",
		"tock\x00":                       "URL:Tock agent sign-in",
		"tock\x00URL Protocol":           "",
		"tock\\shell\\open\\command\x00": `"C:\Program Files\Tock\tock.exe" agent enrol "%1"`,
	}
	if !maps.Equal(reg, want) {
		t.Fatalf("registry after install:\n%q\nwant\n%q", reg, want)
	}
	if ok, _, _ := k.Installed(); !ok {
		t.Fatal("not seen as installed")
	}
	if removed, _, err := k.Uninstall(); !removed || err != nil {
		t.Fatalf("uninstall: %v %v", removed, err)
	}
	if !maps.Equal(reg, mapTree{"mailto\x00": "URL:MailTo"}) {
		t.Fatalf("registry after uninstall: %q", reg)
	}
	reg["tock\\shell\\open\\command\x00"] = `"other.exe" "%1"`
	if _, err := k.Install(cmd); err == nil {
		t.Error("another program's handler was replaced")
	}
	if removed, _, err := k.Uninstall(); removed || err == nil || len(reg) != 2 {
		t.Errorf("another program's handler: removed %v, %v, %q", removed, err, reg)
	}
}

// TestXDGLink: the Linux link handler writes its desktop entry and the
// default in mimeapps.list, keeps every other line there (replacing
// another handler's default for tock:// only), and uninstall takes out
// exactly what install wrote.
func TestXDGLink(t *testing.T) {
	l := XDGLink{DataHome: t.TempDir(), ConfigHome: t.TempDir()}
	before := "[Default Applications]\ntext/html=firefox.desktop\nx-scheme-handler/tock=old.desktop\n\n[Added Associations]\nimage/png=eog.desktop;\n"
	os.WriteFile(l.MimeApps(), []byte(before), 0o644)
	if _, err := l.Install(Command{Exe: "/opt/tock/tock", Args: []string{"agent", "enrol"}}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(l.Path())
	for _, line := range []string{"Exec=/opt/tock/tock agent enrol %u\n", "MimeType=x-scheme-handler/tock;\n"} {
		if !strings.Contains(string(b), line) {
			t.Errorf("desktop entry lacks %q:\n%s", line, b)
		}
	}
	b, _ = os.ReadFile(l.MimeApps())
	want := "[Default Applications]\ntext/html=firefox.desktop\nx-scheme-handler/tock=tock-enrol.desktop\n\n[Added Associations]\nimage/png=eog.desktop;\n"
	if string(b) != want {
		t.Errorf("mimeapps.list:\n%s\nwant\n%s", b, want)
	}
	if ok, _, _ := l.Installed(); !ok {
		t.Error("not seen as installed")
	}
	if removed, _, err := l.Uninstall(); !removed || err != nil {
		t.Fatalf("uninstall: %v %v", removed, err)
	}
	if _, err := os.Stat(l.Path()); !os.IsNotExist(err) {
		t.Errorf("desktop entry left: %v", err)
	}
	b, _ = os.ReadFile(l.MimeApps())
	if want := "[Default Applications]\ntext/html=firefox.desktop\n\n[Added Associations]\nimage/png=eog.desktop;\n"; string(b) != want {
		t.Errorf("mimeapps.list after uninstall:\n%s\nwant\n%s", b, want)
	}
	// A section without a tock:// line gets it at its end, before the
	// blank line that parts it from the next.
	os.WriteFile(l.MimeApps(), []byte("[Default Applications]\ntext/html=firefox.desktop\n\n[Added Associations]\n"), 0o644)
	l.Install(Command{Exe: "/opt/tock/tock"})
	if b, _ := os.ReadFile(l.MimeApps()); string(b) != "[Default Applications]\ntext/html=firefox.desktop\nx-scheme-handler/tock=tock-enrol.desktop\n\n[Added Associations]\n" {
		t.Errorf("mimeapps.list with a second section:\n%s", b)
	}
	l.Uninstall()
	// No mimeapps.list yet: install makes one with the section.
	os.Remove(l.MimeApps())
	l.Install(Command{Exe: "/opt/tock/tock"})
	if b, _ := os.ReadFile(l.MimeApps()); string(b) != "[Default Applications]\nx-scheme-handler/tock=tock-enrol.desktop\n" {
		t.Errorf("new mimeapps.list:\n%s", b)
	}
	// The file install made, holding nothing else, goes with uninstall.
	l.Uninstall()
	if _, err := os.Stat(l.MimeApps()); !os.IsNotExist(err) {
		t.Errorf("the mimeapps.list install made is left with nothing in it: %v", err)
	}
}
