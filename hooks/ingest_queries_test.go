package hooks_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// Statements of one upload, once the organization's key and the uploader's
// roles are kept in memory (an agent's second upload onwards).
//
// A screenshot (8):
//   - the uploader's user row (PocketBase's token check);
//   - in one statement, whether the screenshot's client_id is stored (a
//     repeat then reads and answers with it) and the activity by client_id;
//   - PocketBase's relation checks: organization, project, user, activity (4);
//   - Tock's integrity check of the project's organization (the activity's
//     and the uploader's membership are those the route read);
//   - the INSERT.
//
// An activity with one app (17): user row, tracking switch and limits
// (membership), in one transaction: the activity by client_id, the
// organization and approved timesheets (the timesheet lock), PocketBase's
// relation checks (3), the project's organization, the INSERT; the slot's
// old app usage, then for the app: PocketBase's checks (4), the project's
// organization, the INSERT.
const (
	screenshotStatements = 8
	activityStatements   = 17
)

// TestIngestQueryCount pins the statements the agents' two uploads issue, so
// that a change adding one to the busiest requests fails here.
func TestIngestQueryCount(t *testing.T) {
	p := hookstest.NewPipeline(t, "local", nil)
	start := hookstest.Slot()
	act := p.Track(t, tt.Walt, tt.ProjA, start)
	token := p.Token(t, tt.Walt)
	shot := func(id string, seed byte) (ingest.Screenshot, []byte) {
		m := ingest.Screenshot{ClientID: id, Org: tt.Acme, Activity: act,
			TakenAt: start.Add(time.Minute).Truncate(time.Millisecond), Width: 64, Height: 48}
		return m, tt.Seal(t, p.App, envelope.Metadata{ID: m.ClientID, Org: m.Org, User: tt.Walt, TakenAt: m.TakenAt}, tt.JPEG(t, 64, 48, seed))
	}
	warm, warmEnv := shot("shot-count-warm", 1) // caches the organization's key
	meta, env := shot("shot-count-0001", 2)
	if status, _, body := tt.Send(p.Handler, tt.ScreenshotRequest(t, token, warm, warmEnv)); status != http.StatusOK {
		t.Fatalf("warm-up upload: %d %s", status, body)
	}

	log := captureSQL(t, p.App)
	if status, _, body := tt.Send(p.Handler, tt.ScreenshotRequest(t, token, meta, env)); status != http.StatusOK {
		t.Fatalf("upload: %d %s", status, body)
	}
	checkCount(t, "a screenshot upload", log.take(), screenshotStatements)
	p.Track(t, tt.Walt, tt.ProjA, start.Add(-10*time.Minute))
	checkCount(t, "an activity upload", log.take(), activityStatements)
}

func checkCount(t *testing.T, what string, stmts []string, want int) {
	t.Helper()
	if len(stmts) > want {
		t.Errorf("%s issued %d statements, more than %d:\n%s", what, len(stmts), want, strings.Join(stmts, "\n"))
	}
}
