package hooks_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations"
)

// PocketBase's realtime broadcast checks only the (organization-wide) list
// rule for a collection subscription, then runs the enrich hooks and drops
// the message if they fail. Tock's enrich hook applies the matrix, so a
// colleague's screenshot never reaches a subscriber who may not view it.
func TestRealtimeMessagesFollowTheMatrix(t *testing.T) {
	fx, err := matrixFixture()
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	defer app.Cleanup()
	cases := []struct {
		subscriber, owner string
		delivered         bool
	}{
		{tt.Carol, tt.Carol, true},
		{tt.Carol, tt.Walt, false},
		{tt.Pam, tt.Walt, true},  // manager of project A
		{tt.Bob, tt.Walt, false}, // screenshots not enabled for managers
		{tt.Alice, tt.Walt, true},
	}
	for _, tc := range cases {
		auth, err := app.FindRecordById(migrations.Users, tc.subscriber)
		if err != nil {
			t.Fatal(err)
		}
		shot, err := app.FindRecordById(migrations.Screenshots, tt.DataID("shot", tc.owner, tt.ProjA))
		if err != nil {
			t.Fatal(err)
		}
		event := &core.RecordEnrichEvent{App: app, RequestInfo: &core.RequestInfo{
			Context: core.RequestInfoContextRealtime, Method: "GET", Auth: auth,
		}}
		event.Record = shot
		err = app.OnRecordEnrich().Trigger(event, func(e *core.RecordEnrichEvent) error { return nil })
		if delivered := err == nil; delivered != tc.delivered {
			t.Errorf("%s subscribed, %s's screenshot: delivered %v, want %v (%v)", tc.subscriber, tc.owner, delivered, tc.delivered, err)
		}
	}
}
