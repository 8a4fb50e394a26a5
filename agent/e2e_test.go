package agent_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tock-app/tock/agent/spool"
	"github.com/tock-app/tock/envelope"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// slotSeconds shortens slots for these tests (server and agent alike): the
// shortest the server allows, since the tests wait for slots to pass.
const slotSeconds = 10

// serve starts `tock serve` on dataDir at addr with this test's slot length.
func serve(t testing.TB, bin, dataDir, addr string) *tt.Server {
	return serveSlots(t, bin, dataDir, addr, slotSeconds)
}

// serveSlots is serve with slots of slot seconds.
func serveSlots(t testing.TB, bin, dataDir, addr string, slot int) *tt.Server {
	return tt.Serve(t, bin, addr, "TOCK_DIR="+dataDir, "TOCK_SLOT_SECONDS="+fmt.Sprint(slot),
		"TOCK_MASTER_KEY="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{5}, 32)))
}

var api = tt.API

// owner signs an owner up and creates an organization (two screenshots per
// slot) and a project; returns the owner's token and the project's name.
func owner(t testing.TB, base string) (token string) {
	t.Helper()
	api(t, "POST", base+"/api/collections/users/records", "", map[string]string{"email": "owner@example.test", "password": "owner-password-1", "passwordConfirm": "owner-password-1"}, nil)
	var auth struct{ Token string }
	api(t, "POST", base+"/api/collections/users/auth-with-password", "", map[string]string{"identity": "owner@example.test", "password": "owner-password-1"}, &auth)
	var org struct{ ID string }
	if code := api(t, "POST", base+"/api/collections/organizations/records", auth.Token, map[string]any{"name": "Acme", "screenshots_per_slot": 2}, &org); code != 200 {
		t.Fatalf("create organization: %d", code)
	}
	if code := api(t, "POST", base+"/api/collections/projects/records", auth.Token, map[string]any{"org": org.ID, "name": "Website"}, nil); code != 200 {
		t.Fatalf("create project: %d", code)
	}
	return auth.Token
}

// newAgent signs the owner in on an agent that runs on desktop (tt.Desktop).
func newAgent(t testing.TB, bin, server string, desktop []string) tt.Agent {
	return tt.NewAgent(t, bin, server, "owner@example.test", "owner-password-1", "Website", slotSeconds, desktop...)
}

type record struct {
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	Slot     string `json:"slot_start"`
	Tracked  int    `json:"tracked_seconds"`
}

func list(t testing.TB, base, token, collection string) []record {
	var l struct{ Items []record }
	api(t, "GET", base+"/api/collections/"+collection+"/records?perPage=500&"+url.Values{"sort": {"created"}}.Encode(), token, nil, &l)
	return l.Items
}

func waitFor(t testing.TB, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestAgentTracksAndUploads follows a new user: log in, start, run; the
// owner then sees their time and opens their screenshot.
func TestAgentTracksAndUploads(t *testing.T) {
	t.Parallel()
	bin := tt.Binary(t)
	desktop := tt.Desktop(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	token := owner(t, srv.URL)
	a := newAgent(t, bin, srv.URL, desktop)
	cmd, logs := a.Daemon(t)

	waitFor(t, "two slots of activity and a screenshot", 3*slotSeconds*time.Second+30*time.Second, func() bool {
		return len(list(t, srv.URL, token, "activities")) >= 2 && len(list(t, srv.URL, token, "screenshots")) >= 2
	})
	shots := list(t, srv.URL, token, "screenshots")
	req, _ := http.NewRequest("GET", srv.URL+"/api/tock/screenshots/"+shots[0].ID+"/image", nil)
	req.Header.Set("Authorization", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !envelope.HasImageMagic(img) {
		t.Fatalf("owner can't open the screenshot: %d, %d bytes\nagent:\n%s", res.StatusCode, len(img), logs)
	}
	acts := list(t, srv.URL, token, "activities")
	if acts[0].Tracked == 0 {
		t.Fatalf("no tracked time: %+v", acts[0])
	}
	status := a.Run(t, "", "status")
	for _, want := range []string{"Tracking: yes", "Agent running: true", "Last upload: 20"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
}

// spooled lists the ids of the screenshots waiting in the agent's spool and
// fails if any spooled byte looks like an image.
func spooled(t testing.TB, dir string) (shots []string) {
	t.Helper()
	filepath.Walk(filepath.Join(dir, "spool"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(path)
		if clearImage(b) {
			t.Errorf("%s holds image bytes in the clear", path)
		}
		name := filepath.Base(path)
		if strings.Contains(name, "-screenshot-") {
			if _, env, err := spool.DecodeScreenshot(b); err != nil {
				t.Errorf("%s: %v", path, err)
			} else if _, _, err := envelope.ParseHeader(env); err != nil {
				t.Errorf("%s is not an envelope: %v", path, err)
			}
		}
		if i := strings.Index(name, "-screenshot-"); i >= 0 && !strings.Contains(path, "rejected") {
			shots = append(shots, name[i+len("-screenshot-"):])
		}
		return nil
	})
	return shots
}

// clearImage reports whether b holds a decodable JPEG or a PNG anywhere.
// The three bytes FF D8 FF alone turn up by chance in about one 200 KB
// ciphertext in a hundred, so a JPEG counts only if its header decodes.
func clearImage(b []byte) bool {
	if bytes.Contains(b, []byte("\x89PNG\r\n\x1a\n")) {
		return true
	}
	soi := []byte{0xff, 0xd8, 0xff}
	for i := bytes.Index(b, soi); i >= 0; {
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(b[i:])); err == nil && cfg.Width > 0 && cfg.Height > 0 {
			return true
		}
		next := bytes.Index(b[i+1:], soi)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

// TestAgentOffline: the server goes away, the agent keeps working for
// several slots, is killed -9, and after both restart every slot and every
// screenshot arrives exactly once.
func TestAgentOffline(t *testing.T) {
	t.Parallel()
	bin := tt.Binary(t)
	desktop := tt.Desktop(t)
	dataDir, addr := filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t)
	srv := serve(t, bin, dataDir, addr)
	token := owner(t, srv.URL)
	a := newAgent(t, bin, srv.URL, desktop)
	cmd, logs := a.Daemon(t)
	waitFor(t, "a first upload", 2*slotSeconds*time.Second+30*time.Second, func() bool { return len(list(t, srv.URL, token, "activities")) >= 1 })

	srv.Kill()
	time.Sleep(3*slotSeconds*time.Second + 5*time.Second) // three slots offline
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	pending := spooled(t, a.Dir)
	if len(pending) == 0 {
		t.Fatalf("nothing spooled while offline\nagent:\n%s", logs)
	}

	srv = serve(t, bin, dataDir, addr)
	a.Daemon(t)
	waitFor(t, "the spool to drain", 2*slotSeconds*time.Second+30*time.Second, func() bool {
		return len(spooled(t, a.Dir)) == 0
	})
	shots := list(t, srv.URL, token, "screenshots")
	seen := map[string]int{}
	for _, s := range shots {
		seen[s.ClientID]++
	}
	for _, id := range pending {
		if seen[id] != 1 {
			t.Errorf("screenshot %s arrived %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("screenshot %s stored %d times", id, n)
		}
	}
	slots := map[string]int{}
	for _, act := range list(t, srv.URL, token, "activities") {
		slots[act.Slot]++
	}
	if len(slots) < 4 {
		t.Errorf("only %d slots arrived after %d offline", len(slots), 3)
	}
	for s, n := range slots {
		if n != 1 {
			t.Errorf("slot %s stored %d times", s, n)
		}
	}
}

func TestClearImage(t *testing.T) {
	shot := tt.JPEG(t, 64, 48, 3)
	noise := make([]byte, 1<<20)
	for i := range noise {
		noise[i] = byte(i*7919 + i>>8)
	}
	planted := append(append([]byte{}, noise[:100]...), 0xff, 0xd8, 0xff, 0x00, 0x12)
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"a JPEG", shot, true},
		{"a JPEG inside other bytes", append(append([]byte("TOCK"), shot...), noise[:50]...), true},
		{"a PNG signature", []byte("xx\x89PNG\r\n\x1a\nrest"), true},
		{"the JPEG start bytes by chance", planted, false},
		{"noise", noise, false},
	} {
		if got := clearImage(c.b); got != c.want {
			t.Errorf("%s: clearImage = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestAgentStopsAtTheDailyLimit: a daily limit set for the member stops the
// real agent's tracking once an upload reaches it, and status says why.
func TestAgentStopsAtTheDailyLimit(t *testing.T) {
	t.Parallel()
	bin := tt.Binary(t)
	desktop := tt.Desktop(t)
	srv := serve(t, bin, filepath.Join(t.TempDir(), "pb_data"), tt.FreeAddr(t))
	token := owner(t, srv.URL)
	var ms struct{ Items []struct{ ID string } }
	api(t, "GET", srv.URL+"/api/collections/memberships/records", token, nil, &ms)
	// 0.01 h is 36 s: the fourth 10-second slot crosses it.
	if code := api(t, "PATCH", srv.URL+"/api/collections/memberships/records/"+ms.Items[0].ID, token, map[string]any{"daily_limit_hours": 0.01}, nil); code != 200 {
		t.Fatalf("set the daily limit: %d", code)
	}
	a := newAgent(t, bin, srv.URL, desktop)
	_, logs := a.Daemon(t)
	waitFor(t, "tracking to stop", 4*slotSeconds*time.Second+30*time.Second, func() bool {
		return strings.Contains(a.Run(t, "", "status"), "Tracking: no")
	})
	status := a.Run(t, "", "status")
	if !strings.Contains(status, "Daily limit of 0.01 h reached") {
		t.Errorf("status doesn't say why tracking stopped:\n%s\nagent:\n%s", status, logs)
	}
	total := 0
	for _, act := range list(t, srv.URL, token, "activities") {
		total += act.Tracked
	}
	if total != 36 {
		t.Errorf("%d s stored under a 36-second limit", total)
	}
}
