//go:build unix

package tracker

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/tock-app/tock/agent/desktop"
	"github.com/tock-app/tock/agent/spool"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/internal/screentest"
	"github.com/tock-app/tock/internal/xvfbtest"
)

// BenchmarkScreenshotPipeline: one screenshot moment on two 1920x1080
// monitors showing windows full of text, under a real X display: the
// tracker's own capture, blank check, blur, JPEG encode, seal and spool of
// each monitor. Reports CPU ms per moment, blur off and on.
func BenchmarkScreenshotPipeline(b *testing.B) {
	xvfbtest.StartMonitors(b, 1920, 1080)
	xvfbtest.PaintRoot(b, screentest.Image(2*1920, 1080, 1))
	desk, err := desktop.Open()
	if err != nil {
		b.Fatal(err)
	}
	defer desk.Close()
	kp, _ := envelope.GenerateKeyPair(bytes.NewReader(bytes.Repeat([]byte{9}, 32)))
	for _, blur := range []bool{false, true} {
		b.Run(fmt.Sprintf("blur=%v", blur), func(b *testing.B) {
			dir := b.TempDir()
			sp, err := spool.Open(filepath.Join(dir, "spool"), 1<<40, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			tr := New(Config{Spool: sp, Desktop: desk, User: "u", StateFile: filepath.Join(dir, "slot.json")})
			tr.settings = Settings{Org: "org", PublicKey: kp.Public, Blur: blur}
			tr.open = &slot{Start: time.Now(), Project: "p", Apps: map[string]*app{}, Reported: true}
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if err := tr.screenshots(time.Now()); err != nil || tr.open.CaptureErrors > 0 {
					b.Fatalf("screenshots: %v (%d capture errors)", err, tr.open.CaptureErrors)
				}
			}
			b.StopTimer()
			if n, _, _ := sp.Stats(); n != 2*b.N {
				b.Fatalf("%d screenshots spooled after %d moments", n, b.N)
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/moment")
		})
	}
}
