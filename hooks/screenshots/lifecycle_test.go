package screenshots_test

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/hooks/api"
	"github.com/tock-app/tock/hooks/config"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

func TestScreenshotDeletionRules(t *testing.T) {
	for _, kind := range hookstest.Stores {
		t.Run(kind, func(t *testing.T) {
			p := hookstest.NewPipeline(t, kind, nil)
			start := hookstest.Slot()
			act := p.Track(t, tt.Carol, tt.ProjA, start)
			single := p.Capture(t, tt.Carol, act, start, 10)
			sibling := p.Capture(t, tt.Carol, act, start, 11)

			// The owner ("setting") deletes one screenshot; its time stays.
			status, _, body := tt.Send(p.Handler, tt.JSONRequest(http.MethodDelete, hookstest.RecordsURL(schema.Screenshots)+"/"+single.Id, "", p.Token(t, tt.Alice)))
			if status != http.StatusNoContent {
				t.Fatalf("owner delete: %d %s", status, body)
			}
			if hookstest.Exists(p.App, schema.Screenshots, single.Id) || p.BlobExists(t, single.Key) {
				t.Fatal("screenshot or its blob survived")
			}
			actRec, err := p.App.FindFirstRecordByData(schema.Activities, "client_id", act)
			if err != nil || !hookstest.Exists(p.App, schema.Screenshots, sibling.Id) {
				t.Fatal("a single deletion took the activity or a sibling with it")
			}

			// Carol ("limited") deletes her own screenshot: the whole
			// 10-minute block goes, every screenshot and app of it included.
			status, _, body = tt.Send(p.Handler, tt.JSONRequest(http.MethodDelete, hookstest.RecordsURL(schema.Screenshots)+"/"+sibling.Id, "", p.Token(t, tt.Carol)))
			if status != http.StatusNoContent {
				t.Fatalf("limited delete: %d %s", status, body)
			}
			if hookstest.Exists(p.App, schema.Activities, actRec.Id) || hookstest.Exists(p.App, schema.Screenshots, sibling.Id) || p.BlobExists(t, sibling.Key) {
				t.Fatal("the time block, its screenshot or its blob survived a limited deletion")
			}
			if n := hookstest.Count(t, p.App, schema.AppUsage, "activity = {:a}", map[string]any{"a": actRec.Id}); n != 0 {
				t.Fatalf("%d app usage rows survived", n)
			}

			// With the setting off, nobody deletes screenshots.
			start2 := start.Add(-10 * time.Minute)
			act2 := p.Track(t, tt.Carol, tt.ProjA, start2)
			kept := p.Capture(t, tt.Carol, act2, start2, 12)
			org, _ := p.App.FindRecordById(schema.Organizations, tt.Acme)
			org.Set("allow_screenshot_delete", false)
			if err := p.App.Save(org); err != nil {
				t.Fatal(err)
			}
			for _, who := range []string{tt.Alice, tt.Carol} {
				status, _, _ := tt.Send(p.Handler, tt.JSONRequest(http.MethodDelete, hookstest.RecordsURL(schema.Screenshots)+"/"+kept.Id, "", p.Token(t, who)))
				// The compiled delete rule answers first, as a 404.
				if (status != http.StatusForbidden && status != http.StatusNotFound) || !p.BlobExists(t, kept.Key) {
					t.Fatalf("%s deleted with the setting off: %d", who, status)
				}
			}

			// Every deletion is in the audit log, which the owner reads and
			// the manager doesn't.
			_, _, owners := tt.Send(p.Handler, tt.JSONRequest(http.MethodGet, hookstest.RecordsURL(schema.AuditLog), "", p.Token(t, tt.Alice)))
			for _, want := range []string{`"action":"delete_screenshots"`, `"action":"delete_time_block"`, `"target_id":"` + single.Id + `"`, `"actor":"` + tt.Carol + `"`} {
				if !strings.Contains(owners, want) {
					t.Errorf("audit log lacks %s: %.500s", want, owners)
				}
			}
			_, _, managers := tt.Send(p.Handler, tt.JSONRequest(http.MethodGet, hookstest.RecordsURL(schema.AuditLog), "", p.Token(t, tt.Bob)))
			if !strings.Contains(managers, `"totalItems":0`) {
				t.Errorf("a manager reads the audit log: %.300s", managers)
			}
		})
	}
}

// failingDeletes is a store whose Delete fails, as if the process died right
// after a transaction that removed records and before their blobs went.
type failingDeletes struct{ blobstore.Store }

func (failingDeletes) Delete(context.Context, string) error { return errors.New("killed") }

func TestRetentionIsCrashSafe(t *testing.T) {
	for _, kind := range hookstest.Stores {
		t.Run(kind, func(t *testing.T) {
			p := hookstest.NewPipeline(t, kind, func(c *config.Config) { c.OrphanGrace = time.Nanosecond })
			old := hookstest.Slot().Add(-100 * 24 * time.Hour) // retention is 90 days
			oldAct := p.Track(t, tt.Carol, tt.ProjA, old)
			var expired []hookstest.Shot
			for i := range 3 {
				expired = append(expired, p.Capture(t, tt.Carol, oldAct, old, byte(20+i)))
			}
			fresh := p.Capture(t, tt.Carol, p.Track(t, tt.Carol, tt.ProjA, hookstest.Slot()), hookstest.Slot(), 30)

			// First run dies after the records went, before the blobs did
			// (its failed blob deletes are left to the sweep, not retried).
			fx, _ := hookstest.MatrixFixture()
			crashed := tt.Config()
			crashed.Store = failingDeletes{p.Store}
			crashApp, crashingServer := fx.AppWith(t, crashed)
			defer crashApp.Cleanup()
			if _, err := crashingServer.RunRetention(context.Background(), p.App, time.Now()); err != nil {
				t.Fatal(err)
			}
			for _, s := range expired {
				if hookstest.Exists(p.App, schema.Screenshots, s.Id) {
					t.Fatalf("expired screenshot %s still listed", s.Id)
				}
				if !p.BlobExists(t, s.Key) {
					t.Fatalf("blob %s went although deletes were failing", s.Key)
				}
			}
			// Nothing viewable lacks its blob: every remaining record has one.
			shots, _ := p.App.FindAllRecords(schema.Screenshots)
			for _, r := range shots {
				if r.GetString("client_id") != "" && !p.BlobExists(t, r.GetString("storage_key")) {
					t.Fatalf("screenshot %s has no blob", r.Id)
				}
			}

			// The next run finishes the job: orphans swept, fresh data kept.
			report, err := p.Server.RunRetention(context.Background(), p.App, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if report.OrphanBlobs != len(expired) {
				t.Fatalf("swept %d orphans, want %d", report.OrphanBlobs, len(expired))
			}
			for _, s := range expired {
				if p.BlobExists(t, s.Key) {
					t.Fatalf("orphan %s survived the sweep", s.Key)
				}
			}
			if !hookstest.Exists(p.App, schema.Screenshots, fresh.Id) || !p.BlobExists(t, fresh.Key) {
				t.Fatal("retention took a fresh screenshot")
			}
			a, _ := p.App.FindFirstRecordByData(schema.Activities, "client_id", oldAct)
			if n := hookstest.Count(t, p.App, schema.AppUsage, "activity = {:a}", map[string]any{"a": a.Id}); n != 0 {
				t.Fatalf("expired app usage survived: %d", n)
			}
			if n := hookstest.Count(t, p.App, schema.AuditLog, "action = 'retention' AND org = {:o}", map[string]any{"o": a.GetString("org")}); n == 0 {
				t.Fatal("the retention run isn't in the organization's audit log")
			}
			// Idempotent: a third run finds nothing to do.
			if again, err := p.Server.RunRetention(context.Background(), p.App, time.Now()); err != nil || again.Screenshots+again.OrphanBlobs+again.AppUsage != 0 {
				t.Fatalf("third run: %+v %v", again, err)
			}
		})
	}
}

func TestOrphanSweepSparesUploadsInFlight(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil) // default grace: an hour
	key := "screenshots/" + tt.Acme + "/2026-11-02/in-flight-upload.tock"
	if err := p.Store.Put(context.Background(), key, strings.NewReader("sealed"), 6); err != nil {
		t.Fatal(err)
	}
	if r, err := p.Server.RunRetention(context.Background(), p.App, time.Now()); err != nil || r.OrphanBlobs != 0 || !p.BlobExists(t, key) {
		t.Fatalf("young blob swept: %+v %v", r, err)
	}
	if r, _ := p.Server.RunRetention(context.Background(), p.App, time.Now().Add(2*time.Hour)); r.OrphanBlobs != 1 || p.BlobExists(t, key) {
		t.Fatalf("old orphan kept: %+v", r)
	}
}

// TestHourlySweepRemovesCrashLeftovers: the retention run removes the local
// store's temporary files older than the grace period (five minutes) and
// keeps a younger one, which may be an upload in flight.
func TestHourlySweepRemovesCrashLeftovers(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	tmp := filepath.Join(p.Store.(*blobstore.Local).Dir(), ".tmp")
	now := time.Now()
	for name, age := range map[string]time.Duration{"put-old": time.Hour, "put-six-minutes": 6 * time.Minute, "put-fresh": time.Minute} {
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, []byte("half an envelope"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := p.Server.RunRetention(context.Background(), p.App, now)
	if err != nil || r.TempLeftovers != 2 {
		t.Fatalf("retention: %+v %v, want 2 leftovers removed", r, err)
	}
	left, err := os.ReadDir(tmp)
	if err != nil || len(left) != 1 || left[0].Name() != "put-fresh" {
		t.Fatalf(".tmp after the sweep: %v %v, want only put-fresh", left, err)
	}
}

func TestKeyRotation(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	act := p.Track(t, tt.Carol, tt.ProjA, start)
	before := p.Capture(t, tt.Carol, act, start, 40)
	oldKey := tt.OrgPublicKey(t, p.App, tt.Acme)

	rotate := func(user string) (int, string) {
		status, _, body := tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, "/api/tock/orgs/"+tt.Acme+"/keys/rotate", "", p.Token(t, user)))
		return status, body
	}
	if status, _ := rotate(tt.Bob); status != http.StatusForbidden {
		t.Fatalf("manager rotated: %d", status)
	}
	if status, _ := rotate(tt.Dave); status != http.StatusNotFound {
		t.Fatalf("outsider rotated: %d", status)
	}
	if status, body := rotate(tt.Alice); status != http.StatusOK || !strings.Contains(body, "key_id") {
		t.Fatalf("owner rotation: %d %s", status, body)
	}
	if tt.OrgPublicKey(t, p.App, tt.Acme) == oldKey {
		t.Fatal("the public key didn't change")
	}
	// Old envelopes stay readable; new ones use the new key.
	if status, _, body := p.View(t, tt.Alice, before.Id, "image"); status != 200 || body != string(before.Img) {
		t.Fatalf("pre-rotation screenshot unreadable: %d", status)
	}
	after := p.Capture(t, tt.Carol, act, start, 41)
	if status, _, body := p.View(t, tt.Alice, after.Id, "image"); status != 200 || body != string(after.Img) {
		t.Fatalf("post-rotation screenshot unreadable: %d", status)
	}
	// Nobody sets a key by editing the organization.
	status, _, _ := tt.Send(p.Handler, tt.JSONRequest(http.MethodPatch, hookstest.RecordsURL(schema.Organizations)+"/"+tt.Acme, `{"public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`, p.Token(t, tt.Alice)))
	if status != http.StatusBadRequest {
		t.Fatalf("public_key edit: %d", status)
	}
	// The private half is never in an API response.
	_, _, keys := tt.Send(p.Handler, tt.JSONRequest(http.MethodGet, hookstest.RecordsURL(schema.OrgKeys), "", p.Token(t, tt.Alice)))
	if strings.Contains(keys, "wrapped_private_key") {
		t.Fatalf("org_keys readable: %.200s", keys)
	}
}

// TestMasterKeyStaysOutOfBackups: the key file is created 0600 beside the
// data directory, and a PocketBase backup archive doesn't contain it.
func TestMasterKeyStaysOutOfBackups(t *testing.T) {
	fx, _ := hookstest.MatrixFixture()
	keyFile := ""
	cfg := tt.Config()
	cfg.MasterKey = ""
	app, _ := fx.AppWith(t, cfg)
	defer app.Cleanup()
	keyFile = config.DefaultMasterKeyFile(app.DataDir())
	t.Cleanup(func() { os.Remove(keyFile) })

	// A new organization needs the key: the file is created then.
	s := &tt.Seeder{App: app}
	s.Org("orgfresh0000001", "Fresh", nil)
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("key file not created: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %o", info.Mode().Perm())
	}
	if rel, _ := filepath.Rel(app.DataDir(), keyFile); !strings.HasPrefix(rel, "..") {
		t.Fatalf("key file %s is inside the data dir", keyFile)
	}
	key, _ := os.ReadFile(keyFile)

	if err := app.CreateBackup(context.Background(), "test.zip"); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(filepath.Join(app.DataDir(), core.LocalBackupsDirName, "test.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.Contains(f.Name, "master") {
			t.Fatalf("backup contains %s", f.Name)
		}
		rc, _ := f.Open()
		buf := make([]byte, 1<<20)
		n, _ := rc.Read(buf)
		rc.Close()
		if strings.Contains(string(buf[:n]), strings.TrimSpace(string(key))) {
			t.Fatalf("backup file %s contains the master key", f.Name)
		}
	}

	// A key file others can read is refused, not used.
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	app2, _ := fx.AppWith(t, cfg)
	defer app2.Cleanup()
	s2 := &tt.Seeder{App: app2}
	s2.Org("orgfresh0000002", "Fresh2", nil)
	if s2.Err() == nil || !strings.Contains(s2.Err().Error(), "open to group or others") {
		t.Fatalf("a world-readable key was used: %v", s2.Err())
	}
}

func TestReassignMovesTheWholeBlock(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	act := p.Track(t, tt.Walt, tt.ProjA, start)
	s := p.Capture(t, tt.Walt, act, start, 50)
	a, _ := p.App.FindFirstRecordByData(schema.Activities, "client_id", act)
	url := strings.Replace(api.ReassignRoute, "{id}", a.Id, 1)

	status, _, body := tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, url,
		fmt.Sprintf(`{"project":%q,"task":%q}`, tt.ProjB, tt.TaskB), p.Token(t, tt.Alice)))
	if status != 200 {
		t.Fatalf("reassign: %d %s", status, body)
	}
	shot, _ := p.App.FindRecordById(schema.Screenshots, s.Id)
	if shot.GetString("project") != tt.ProjB || shot.GetString("task") != tt.TaskB {
		t.Fatalf("screenshot stayed in %s/%s", shot.GetString("project"), shot.GetString("task"))
	}
	if n := hookstest.Count(t, p.App, schema.AppUsage, "activity = {:a} AND project = {:p}", map[string]any{"a": a.Id, "p": tt.ProjB}); n != 1 {
		t.Fatalf("app usage not moved: %d", n)
	}
	if n := hookstest.Count(t, p.App, schema.AuditLog, "action = 'reassign_time_block' AND target_id = {:a}", map[string]any{"a": a.Id}); n != 1 {
		t.Fatal("reassignment not audited")
	}
	// The moved screenshot still opens: the envelope binds no project.
	if status, _, img := p.View(t, tt.Alice, s.Id, "image"); status != 200 || img != string(s.Img) {
		t.Fatalf("moved screenshot unreadable: %d", status)
	}
	// A project its owner may not track to is refused, and nothing moves.
	status, _, _ = tt.Send(p.Handler, tt.JSONRequest(http.MethodPost, url, fmt.Sprintf(`{"project":%q}`, tt.ProjG), p.Token(t, tt.Alice)))
	if status < 400 || status >= 500 {
		t.Fatalf("reassign to another organization: %d", status)
	}
	if shot, _ := p.App.FindRecordById(schema.Screenshots, s.Id); shot.GetString("project") != tt.ProjB {
		t.Fatal("a refused reassignment moved the screenshot")
	}
}
