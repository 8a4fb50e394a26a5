package tray

import (
	"bytes"
	"image/png"
	"testing"
	"time"
)

func TestLabels(t *testing.T) {
	if got := TodayLabel(2*time.Hour + 13*time.Minute + 59*time.Second); got != "Today: 2:13" {
		t.Errorf("TodayLabel = %q", got)
	}
	for _, tc := range []struct {
		v    View
		want string
	}{
		{View{}, "No project chosen"},
		{View{Project: "p1"}, "p1"},
		{View{Project: "p1", ProjectName: "Website"}, "Website"},
		{View{Project: "p1", ProjectName: "Website", TaskName: "Landing page"}, "Website — Landing page"},
		{View{State: SignedOut}, "Not signed in"},
	} {
		if got := CurrentLabel(tc.v); got != tc.want {
			t.Errorf("CurrentLabel(%+v) = %q, want %q", tc.v, got, tc.want)
		}
	}
	if got := Tooltip(View{State: Offline, Detail: "Can't reach the server."}); got != "Tock: offline\nCan't reach the server." {
		t.Errorf("Tooltip = %q", got)
	}
}

// TestIconsDifferPerState: each state has its own picture, a 32x32 PNG.
func TestIconsDifferPerState(t *testing.T) {
	seen := map[string]State{}
	for _, s := range []State{Paused, Tracking, Offline, Error, SignedOut} {
		b := IconPNG(s)
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 {
			t.Fatalf("%v: %v %v", s, err, img.Bounds())
		}
		if other, ok := seen[string(b)]; ok {
			t.Errorf("%v and %v share an icon", s, other)
		}
		seen[string(b)] = s
	}
}
