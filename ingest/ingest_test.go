package ingest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The field names are the public protocol: agents of older releases send them.
func TestWireNames(t *testing.T) {
	cases := []struct {
		value any
		want  []string
	}{
		{Activity{Apps: []AppSeconds{{}}}, []string{`"client_id"`, `"org"`, `"project"`, `"task"`, `"slot_start"`, `"tracked_seconds"`,
			`"keyboard_seconds"`, `"mouse_seconds"`, `"active_seconds"`, `"apps"`, `"app"`, `"title"`, `"url"`, `"seconds"`}},
		{Screenshot{TakenAt: time.Unix(0, 0)}, []string{`"client_id"`, `"org"`, `"activity"`, `"taken_at"`, `"screen"`, `"width"`, `"height"`, `"blurred"`}},
	}
	for _, tc := range cases {
		b, err := json.Marshal(tc.value)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(b), w) {
				t.Errorf("%T lacks %s: %s", tc.value, w, b)
			}
		}
	}
}

func TestIsRecordID(t *testing.T) {
	for _, id := range []string{"abc123def456ghi", "a", "x_y", strings.Repeat("a", 64)} {
		if !IsRecordID(id) {
			t.Errorf("%q refused", id)
		}
	}
	for _, id := range []string{"", "ABC", "a-b", "a b", "a'b", strings.Repeat("a", 65)} {
		if IsRecordID(id) {
			t.Errorf("%q accepted", id)
		}
	}
}
