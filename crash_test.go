package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// crashUploads sends screenshots of one slot for a fresh member (newAgent,
// as the ingest benchmark makes them).
type crashUploads struct {
	uploader
	base, activity string
	slot           time.Time
}

func newCrashUploads(t *testing.T, base string) crashUploads {
	u := crashUploads{uploader: newAgent(t, base), base: base, activity: "crash-act",
		slot: time.Now().UTC().Truncate(10 * time.Minute).Add(-10 * time.Minute)}
	call(t, "POST", base+ingest.ActivitiesRoute, u.token, ingest.Activity{
		ClientID: u.activity, Org: u.org, Project: u.project, SlotStart: u.slot, TrackedSeconds: 600, ActiveSeconds: 300,
	}, nil)
	return u
}

// upload seals plain as screenshot n and sends it; it returns the record id
// when the server acknowledged it (200), "" otherwise.
func (u crashUploads) upload(t *testing.T, n int, plain []byte) string {
	meta := ingest.Screenshot{ClientID: fmt.Sprintf("crash-shot-%d", n), Org: u.org, Activity: u.activity,
		TakenAt: u.slot.Add(time.Duration(n) * time.Millisecond), Width: 1920, Height: 1080}
	sealed, err := envelope.Seal(rand.Reader, u.pub, envelope.Metadata{ID: meta.ClientID, Org: u.org, User: u.user, TakenAt: meta.TakenAt}, plain)
	if err != nil {
		t.Error(err)
		return ""
	}
	m, _ := json.Marshal(meta)
	body, contentType := multipartBody(t, map[string]string{"meta": string(m)}, "envelope", sealed)
	req, _ := http.NewRequest("POST", u.base+ingest.ScreenshotsRoute, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", u.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "" // the server died mid-request: not acknowledged
	}
	defer res.Body.Close()
	var shot struct{ ID string }
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&shot) != nil {
		return ""
	}
	return shot.ID
}

// TestCrashDuringUploadsLosesNothingAcknowledged kills a real `tock serve`
// (SIGKILL) in the middle of concurrent uploads, plants what such crashes
// leave in the local store's .tmp (aged as if the restart came later, plus a
// fresh one, as if an upload were in flight), restarts it, and checks that
// every acknowledged screenshot opens and that the start-up sweep removed
// the old leftovers and kept the fresh one.
func TestCrashDuringUploadsLosesNothingAcknowledged(t *testing.T) {
	bin := tt.Binary(t)
	dataDir := filepath.Join(t.TempDir(), "pb_data")
	env := []string{"TOCK_DIR=" + dataDir, "TOCK_MASTER_KEY=" + tt.MasterKey}
	srv := tt.Serve(t, bin, tt.FreeAddr(t), env...)
	u := newCrashUploads(t, srv.URL)
	plain := tt.JPEG(t, 1600, 1000, 7)

	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := w; ; i += 6 {
				id := u.upload(t, i, plain)
				if id == "" {
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		})
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 30 || time.Now().After(deadline) {
			break
		}
	}
	srv.Kill() // SIGKILL, uploads still running
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no upload was acknowledged before the crash")
	}

	tmp := filepath.Join(dataDir, "screenshots", ".tmp")
	old := time.Now().Add(-time.Hour)
	plantTemp(t, tmp, "put-left-by-a-crash", old)
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries { // what the kill itself left, now as old
		os.Chtimes(filepath.Join(tmp, e.Name()), old, old)
	}
	plantTemp(t, tmp, "put-in-flight", time.Now())

	srv = tt.Serve(t, bin, tt.FreeAddr(t), env...)
	for _, id := range acked {
		req, _ := http.NewRequest("GET", srv.URL+"/api/tock/screenshots/"+id+"/image", nil)
		req.Header.Set("Authorization", u.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		img, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !bytes.Equal(img, plain) {
			t.Errorf("acknowledged screenshot %s after the crash: %d, %d bytes", id, res.StatusCode, len(img))
		}
	}
	left, err := os.ReadDir(tmp)
	if err != nil || len(left) != 1 || left[0].Name() != "put-in-flight" {
		names := []string{}
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf(".tmp after restart holds %v (%v), want only the fresh put-in-flight", names, err)
	}
	t.Logf("%d uploads acknowledged before the kill, %d leftovers aged and swept", len(acked), len(entries))
}

func plantTemp(t *testing.T, dir, name string, mtime time.Time) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("half an envelope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}
