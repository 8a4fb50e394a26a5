package upload

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tock-app/tock/agent/spool"
)

// TestSendReportsLimits: what the server says about the person's time
// reaches OnNotice, whether it cut the activity short (200, confirmed) or
// refused it (409 or 403, set aside); other answers say nothing.
func TestSendReportsLimits(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		notice    string
		permanent bool
		stops     bool
	}{
		{"cut short", 200, `{"id":"a1","tracked_seconds":300,"limit_reached":true,"message":"Daily limit of 8 h reached."}`, "Daily limit of 8 h reached.", false, true},
		{"refused", 409, `{"status":409,"message":"Weekly limit of 40 h reached.","data":{"limit":{"code":"limit_reached","message":"Weekly limit of 40 h reached."}}}`, "Weekly limit of 40 h reached.", true, true},
		{"approved timesheet", 409, `{"status":409,"message":"This time is in an approved timesheet (2026-11-02 – 2026-11-08).","data":{}}`,
			"This time is in an approved timesheet (2026-11-02 – 2026-11-08).", true, false},
		{"accepted in full", 200, `{"id":"a1","tracked_seconds":600}`, "", false, false},
		{"tracking off", 403, `{"status":403,"message":"Time tracking is turned off for you in Acme.","data":{"tracking":{"code":"tracking_off","message":"…"}}}`, "Time tracking is turned off for you in Acme.", true, true},
		{"invalid", 400, `{"status":400,"message":"slot_start is in the future.","data":{}}`, "", true, false},
		{"not JSON", 200, `ok`, "", false, false},
	}
	f := newFixture(t)
	f.activity(t, "act-1", 0)
	it, _, _ := f.sp.Oldest()
	payload, _ := f.sp.Read(it)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			var heard Notice
			c := &Client{BaseURL: srv.URL, HTTP: srv.Client(), OnNotice: func(got spool.Item, n Notice) {
				if got.Name != it.Name {
					t.Errorf("notice for %s, want %s", got.Name, it.Name)
				}
				if n.SlotStart.IsZero() {
					t.Error("notice without the activity's slot")
				}
				heard = n
			}}
			err := c.Send(context.Background(), it, payload)
			if heard.Message != tc.notice || heard.StopsTracking != tc.stops {
				t.Errorf("notice %+v, want %q stopping tracking %v", heard, tc.notice, tc.stops)
			}
			if errors.Is(err, ErrPermanent) != tc.permanent || (!tc.permanent && err != nil) {
				t.Errorf("err = %v, permanent want %v", err, tc.permanent)
			}
		})
	}
}
