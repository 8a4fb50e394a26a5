package pbpublic_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bt "github.com/tock-app/tock/internal/browsertest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// TestDesktopAppAndEnrolment is a new employee's first hour: from Me, the
// "Get the desktop app" page offers this computer's file first, with the
// SHA-256 of the bytes it downloads (the page checks them, and so does the
// test); the code it shows signs the real agent in, which then uploads a
// slot; the same code is refused the second time in a plain sentence; "What
// Tock records" says who sees the member's screenshots.
func TestDesktopAppAndEnrolment(t *testing.T) {
	const slotSeconds = 20
	desktop := tt.Desktop(t) // the agent's display, in its environment only
	release := t.TempDir()
	zip := []byte("PK a stand-in for the Windows archive")
	sum := sha256.Sum256(zip)
	os.WriteFile(filepath.Join(release, "tock_v9.9.9_windows_amd64.zip"), zip, 0o644)
	os.WriteFile(filepath.Join(release, "SHA256SUMS"), []byte(hex.EncodeToString(sum[:])+"  tock_v9.9.9_windows_amd64.zip\n"), 0o644)
	w := newWorld(t, emptyFixture, fmt.Sprintf("TOCK_SLOT_SECONDS=%d", slotSeconds), "TOCK_DOWNLOADS="+release)

	email, password := "ann@example.test", "ann-password-1"
	tt.API(t, "POST", w.srv.URL+"/api/collections/users/records", "", map[string]string{"email": email, "password": password, "passwordConfirm": password, "name": "Ann"}, nil)
	token, ann := w.login(t, email, password)
	var org struct{ ID string }
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/organizations/records", token, map[string]any{"name": "Acme", "timezone": "UTC"}, &org); st != 200 {
		t.Fatalf("create organization: %d", st)
	}
	if st := tt.API(t, "POST", w.srv.URL+"/api/collections/projects/records", token, map[string]any{"org": org.ID, "name": "Website"}, nil); st != 200 {
		t.Fatalf("create project: %d", st)
	}

	b := w.browser(t, 1280, 900)
	signIn(t, b, w, email, password)
	open(t, b, w, "me")
	b.Do(t, "follow Get the desktop app", chromedp.Click(chromedp.CSS(`#me-links a[href="#/me/desktop"]`)))
	b.Wait(t, "the downloads", `document.querySelector("#downloads tbody tr")`)

	own, err := os.ReadFile(w.bin)
	if err != nil {
		t.Fatal(err)
	}
	ownSum := sha256.Sum256(own)
	platform := runtime.GOOS + "/" + runtime.GOARCH
	first := bt.Eval[string](t, b, `document.querySelector("#downloads tbody tr").dataset.platform`)
	shown := bt.Eval[string](t, b, `document.querySelector("#downloads tbody tr .sha256").textContent`)
	if first != platform || shown != hex.EncodeToString(ownSum[:]) {
		t.Fatalf("first row %s with SHA-256 %s, want %s with the server's executable's %x", first, shown, platform, ownSum)
	}
	b.Do(t, "download it", chromedp.Click(chromedp.CSS(`#downloads tbody tr button.download`)))
	b.Wait(t, "the browser's check of the bytes", `document.querySelector("#downloads tbody tr .verified").textContent === "Checksum verified."`)
	if win := bt.Eval[string](t, b, `document.querySelector('tr[data-platform="windows/amd64"]').innerText`); !strings.Contains(win, "tock_v9.9.9_windows_amd64.zip") || !strings.Contains(win, hex.EncodeToString(sum[:])) {
		t.Errorf("the Windows row: %q", win)
	}
	if arm := bt.Eval[string](t, b, `document.querySelector('tr[data-platform="linux/arm64"]').innerText`); !strings.Contains(arm, "Not available") || exists(t, b, `tr[data-platform="linux/arm64"] button`) {
		t.Errorf("the missing platform: %q", arm)
	}

	// The page's way needs no terminal: open the program, then the link.
	if page := bt.Eval[string](t, b, `document.querySelector("main").innerText`); !strings.Contains(page, "Open the downloaded program") || !strings.Contains(page, "tray icon's menu") {
		t.Errorf("the page doesn't say how to start without a terminal:\n%s", page)
	}
	b.Do(t, "show a code", chromedp.Click(chromedp.CSS(`#enrol-new`)))
	b.Wait(t, "the code", `document.querySelector("#enrol-code")`)
	code := bt.Eval[string](t, b, `document.querySelector("#enrol-code").textContent`)
	command := bt.Eval[string](t, b, `document.querySelector("#enrol-command").textContent`)
	if command != "tock agent enrol "+code+" --server "+w.srv.URL {
		t.Errorf("command shown: %q", command)
	}
	b.Shot(t, "desktop-app.png")

	agent := tt.Agent{Bin: w.bin, Dir: t.TempDir()}
	agent.Env = append(append(os.Environ(), desktop...), "TOCK_AGENT_DIR="+agent.Dir, fmt.Sprintf("TOCK_SLOT_SECONDS=%d", slotSeconds))
	if out := agent.Run(t, "", "enrol", code, "--server", w.srv.URL); !strings.Contains(out, "Signed in to "+w.srv.URL+" as "+email) {
		t.Fatalf("enrol: %s", out)
	}
	if out := agent.Run(t, "", "start", "--project", "Website"); !strings.Contains(out, "Tracking to Website") {
		t.Fatalf("start: %s", out)
	}
	_, logs := agent.Daemon(t)
	deadline := time.Now().Add(3*slotSeconds*time.Second + 30*time.Second)
	for w.count(t, token, "activities", fmt.Sprintf(`user="%s"`, ann)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the enrolled agent uploaded no slot\nagent:\n%s", logs)
		}
		time.Sleep(time.Second)
	}

	again := exec.Command(w.bin, "agent", "enrol", code, "--server", w.srv.URL)
	again.Env = append(os.Environ(), "TOCK_AGENT_DIR="+t.TempDir())
	if out, err := again.CombinedOutput(); err == nil || !strings.Contains(string(out), "This enrolment code has already been used") {
		t.Errorf("a used code: %v %s", err, out)
	}

	open(t, b, w, "me/records")
	b.Wait(t, "the screenshots' viewers", `document.querySelector("#records-screenshots .viewers li")`)
	if who := bt.Eval[string](t, b, `document.querySelector("#records-screenshots").innerText`); !strings.Contains(who, "Ann (owner)") || !strings.Contains(who, "Up to 1 per 10 minutes") {
		t.Errorf("What Tock records, screenshots:\n%s", who)
	}
	b.Shot(t, "what-tock-records.png")
}
