package upload

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/tock-app/tock/agent/spool"
	"github.com/tock-app/tock/ingest"
)

// ingestRules is a Sender that refuses as the server's ingest does: an
// activity without a record id for its organization, a screenshot before its
// activity; refuse names activities it refuses for good (a limit).
type ingestRules struct {
	acts   map[string]string // accepted activity -> its org
	shots  []string
	refuse map[string]bool
	gone   string // an organization the person left
}

func (s *ingestRules) Send(_ context.Context, it spool.Item, payload []byte) error {
	if s.acts == nil {
		s.acts = map[string]string{}
	}
	switch it.Kind {
	case spool.KindActivity:
		a, _ := spool.DecodeActivity(payload)
		if !ingest.IsRecordID(a.Org) {
			return &HTTPError{Status: 400, Message: "org, project and task must be record ids."}
		}
		if a.Org == s.gone {
			return &HTTPError{Status: 404, Message: "The requested resource wasn't found."}
		}
		if s.refuse[a.ClientID] {
			return &HTTPError{Status: 409, Message: "Daily limit reached."}
		}
		s.acts[a.ClientID] = a.Org
	case spool.KindScreenshot:
		m, _, _ := spool.DecodeScreenshot(payload)
		if s.acts[m.Activity] != m.Org {
			return &HTTPError{Status: 400, Message: "Upload the screenshot's activity first."}
		}
		s.shots = append(s.shots, m.ClientID)
	}
	return nil
}

func logTo(b *bytes.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// An activity spooled without an organization gets the current one and its
// screenshots follow it: nothing is rejected.
func TestRefusedActivityGetsTheOrg(t *testing.T) {
	f := newFixture(t)
	f.activity(t, "act-001", 0)
	f.screenshot(t, "shot-001", "act-001", 1)
	a := f.acts["act-001"]
	a.Org = ""
	b, _ := spool.EncodeActivity(a)
	f.sp.Put(spool.KindActivity, "act-001", b)

	var logs bytes.Buffer
	srv := &ingestRules{}
	u := f.uploader(srv, &sleeps{})
	u.Org, u.Logger = "org1", logTo(&logs)
	if err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.acts["act-001"] != "org1" || len(srv.shots) != 1 {
		t.Fatalf("stored activities %v, screenshots %v\n%s", srv.acts, srv.shots, logs.String())
	}
	if r := f.rejected(t); len(r) != 0 {
		t.Fatalf("rejected: %v", r)
	}
}

// A screenshot ahead of its activity in the queue goes behind it and
// arrives after it.
func TestScreenshotWaitsForItsActivity(t *testing.T) {
	f := newFixture(t)
	f.activity(t, "act-000", 0)
	f.screenshot(t, "shot-001", "act-001", 1)
	f.activity(t, "act-001", 2)
	srv := &ingestRules{}
	u := f.uploader(srv, &sleeps{})
	if err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(srv.shots) != 1 || len(srv.acts) != 2 {
		t.Fatalf("stored activities %v, screenshots %v", srv.acts, srv.shots)
	}
	if r := f.rejected(t); len(r) != 0 {
		t.Fatalf("rejected: %v", r)
	}
}

// An activity naming another organization is not moved to this one: the
// server would file that project's time under the wrong organization.
func TestActivityOfAnotherOrgIsNotMoved(t *testing.T) {
	f := newFixture(t)
	f.activity(t, "act-001", 0)
	srv := &ingestRules{gone: "org1"}
	u := f.uploader(srv, &sleeps{})
	u.Org = "org2"
	if err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(srv.acts) != 0 || f.rejected(t)["activity/act-001"] == "" {
		t.Fatalf("stored %v, rejected %v", srv.acts, f.rejected(t))
	}
}

// What can't be repaired is rejected with its reason, and the log says
// plainly what was lost.
func TestUnrepairableIsRejectedAndLogged(t *testing.T) {
	f := newFixture(t)
	f.activity(t, "act-001", 0)
	f.screenshot(t, "shot-001", "act-001", 1)
	var logs bytes.Buffer
	srv := &ingestRules{refuse: map[string]bool{"act-001": true}}
	u := f.uploader(srv, &sleeps{})
	u.Org, u.Logger = "org1", logTo(&logs)
	if err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := f.rejected(t)
	if !strings.Contains(r["activity/act-001"], "Daily limit reached.") || !strings.Contains(r["screenshot/shot-001"], "activity first") {
		t.Fatalf("rejected: %v", r)
	}
	for _, want := range []string{"LOST: the server refused the activity of the slot at", "(600 s tracked)", "LOST: the server refused the screenshot of screen 1"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs.String())
		}
	}
}

// Items an earlier agent set aside for a reason this one can mend (the
// empty organization of issue 12, the screenshot refused for want of that
// activity) are queued again when it starts, and arrive.
func TestRejectedItemsAreRevived(t *testing.T) {
	f := newFixture(t)
	f.activity(t, "act-001", 0)
	f.screenshot(t, "shot-001", "act-001", 1)
	f.activity(t, "act-002", 2) // refused for good: stays rejected
	a := f.acts["act-001"]
	a.Org = ""
	b, _ := spool.EncodeActivity(a)
	f.sp.Put(spool.KindActivity, "act-001", b)
	for _, reason := range []string{"HTTP 400: org, project and task must be record ids.", "HTTP 400: Upload the screenshot's activity first.", "HTTP 409: Daily limit reached."} {
		it, _, _ := f.sp.Oldest()
		if err := f.sp.Reject(it, reason); err != nil {
			t.Fatal(err)
		}
	}
	srv := &ingestRules{}
	u := f.uploader(srv, &sleeps{})
	u.Org = "org1"
	if err := u.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.acts["act-001"] != "org1" || len(srv.shots) != 1 || len(srv.acts) != 1 {
		t.Fatalf("stored activities %v, screenshots %v", srv.acts, srv.shots)
	}
	if r := f.rejected(t); len(r) != 1 || r["activity/act-002"] == "" {
		t.Fatalf("rejected: %v", r)
	}
}
