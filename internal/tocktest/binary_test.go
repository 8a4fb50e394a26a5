package tocktest

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestServeStartsAndKillStops(t *testing.T) {
	bin := Binary(t)
	s := Serve(t, bin, FreeAddr(t), "TOCK_DIR="+filepath.Join(t.TempDir(), "pb_data"))
	var health struct{ Code int }
	if code := API(t, http.MethodGet, s.URL+"/api/health", "", nil, &health); code != 200 || health.Code != 200 {
		t.Fatalf("health: %d %+v\n%s", code, health, s.Logs())
	}
	s.Kill()
	if res, err := http.Get(s.URL + "/api/health"); err == nil {
		res.Body.Close()
		t.Fatal("the server still answers after Kill")
	}
	s.Kill() // idempotent
}

// TestBuildKeyFollowsTheSource: the key under which the suite shares one
// build changes with a Go file and with an embedded file, and comes back
// when the change is undone (so an edit is never tested on a stale binary).
func TestBuildKeyFollowsTheSource(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	key := func() string {
		t.Helper()
		k, err := buildKey(dir, ".")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	write("go.mod", "module example.test/keyed\n\ngo 1.27\n")
	write("page.html", "<h1>one</h1>\n")
	main := "package main\n\nimport _ \"embed\"\n\n//go:embed page.html\nvar page string\n\nfunc main() { println(page, %d) }\n"
	write("main.go", fmt.Sprintf(main, 1))
	first := key()
	if again := key(); again != first {
		t.Fatalf("same source, keys %s and %s", first, again)
	}
	write("main.go", fmt.Sprintf(main, 2))
	if k := key(); k == first {
		t.Error("a changed Go file keeps the key")
	}
	write("main.go", fmt.Sprintf(main, 1))
	if k := key(); k != first {
		t.Errorf("the original source has key %s, was %s", k, first)
	}
	write("page.html", "<h1>two</h1>\n")
	if k := key(); k == first {
		t.Error("a changed embedded file keeps the key")
	}
}

// TestBinaryIsPrivate: each test gets the shared build under its own name in
// its own temp dir, so what the binary writes beside itself stays private.
func TestBinaryIsPrivate(t *testing.T) {
	a, b := Binary(t), Binary(t)
	if a == b || filepath.Dir(a) == filepath.Dir(b) {
		t.Fatalf("two calls share %s and %s", a, b)
	}
	for _, p := range []string{a, b} {
		if out, err := exec.Command(p, "--help").CombinedOutput(); err != nil {
			t.Fatalf("%s --help: %v\n%s", p, err, out)
		}
	}
}
