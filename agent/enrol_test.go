package agent_test

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestEnrolWithACode: the real agent signs in with a code the web app's
// route made, as a tock:// link and as a bare code; a code used once is
// refused with the server's sentence and leaves the agent signed out.
func TestEnrolWithACode(t *testing.T) {
	bin := tt.Binary(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	token := owner(t, srv.URL)
	var orgs struct{ Items []struct{ ID string } }
	api(t, "GET", srv.URL+"/api/collections/organizations/records", token, nil, &orgs)
	newCode := func() (code, link string) {
		var c struct{ Code, Link string }
		if st := api(t, "POST", srv.URL+"/api/tock/orgs/"+orgs.Items[0].ID+"/enrolments", token, nil, &c); st != 200 {
			t.Fatalf("new code: %d", st)
		}
		return c.Code, c.Link
	}
	run := func(dir string, args ...string) (string, error) {
		cmd := exec.Command(bin, append([]string{"agent"}, args...)...)
		cmd.Env = append(os.Environ(), "TOCK_AGENT_DIR="+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	code, link := newCode()
	if u, err := url.Parse(link); err != nil || u.Query().Get("server") != srv.URL {
		t.Fatalf("link %q names another server than %s", link, srv.URL)
	}
	first := t.TempDir()
	out, err := run(first, "enrol", link)
	if err != nil || !strings.Contains(out, "Signed in to "+srv.URL+" as owner@example.test (organization Acme).") {
		t.Fatalf("enrol with the link: %v\n%s", err, out)
	}
	if out, err := run(first, "projects"); err != nil || !strings.Contains(out, "Website") {
		t.Fatalf("the enrolled agent can't list projects: %v\n%s", err, out)
	}

	second := t.TempDir()
	out, err = run(second, "enrol", code, "--server", srv.URL)
	if err == nil || !strings.Contains(out, "This enrolment code has already been used") || strings.Contains(out, "server refused") {
		t.Fatalf("a used code: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(second, "session.json")); err == nil {
		t.Fatal("a refused code left a session")
	}
	out, err = run(second, "enrol", code)
	if err == nil || !strings.Contains(out, "--server") {
		t.Fatalf("a code without a server: %v\n%s", err, out)
	}

	code, _ = newCode()
	if out, err := run(second, "enrol", strings.ToLower(code), "--server", srv.URL); err != nil || !strings.Contains(out, "Signed in") {
		t.Fatalf("enrol with a bare code: %v\n%s", err, out)
	}

	// Wrong codes in a row make the server ask this address to wait: the
	// agent passes on its sentence (how long, and to get a new code), not a
	// guess of its own.
	third := t.TempDir()
	for i := range 10 {
		run(third, "enrol", fmt.Sprintf("ZZZZ-ZZZZ-ZZZ%d", i), "--server", srv.URL)
	}
	code, _ = newCode()
	out, err = run(third, "enrol", code, "--server", srv.URL)
	if err == nil || !strings.Contains(out, "Too many wrong enrolment codes") || !strings.Contains(out, "try again in") {
		t.Fatalf("enrol after ten wrong codes: %v\n%s", err, out)
	}
}
