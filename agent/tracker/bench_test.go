package tracker

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"

	"github.com/tock-app/tock/agent/capture"
	"github.com/tock-app/tock/agent/desktop"
	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/internal/xvfbtest"
)

// BenchmarkScreenshotPipeline: one screenshot moment on two 1920x1080
// monitors under a real X display — capture, blank check, JPEG encode and
// seal of each image — as the tracker does it. Reports CPU ms per moment.
func BenchmarkScreenshotPipeline(b *testing.B) {
	xvfbtest.StartMonitors(b, 1920, 1080)
	xvfbtest.Xsetroot(b, "-mod", "7", "5", "-fg", "orange", "-bg", "navy")
	desk, err := desktop.Open()
	if err != nil {
		b.Fatal(err)
	}
	defer desk.Close()
	kp, _ := envelope.GenerateKeyPair(bytes.NewReader(bytes.Repeat([]byte{9}, 32)))
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		imgs, err := desk.Capture()
		if err != nil || len(imgs) != 2 || imgs[0].Bounds().Dx() != 1920 {
			b.Fatalf("capture: %v (%d images)", err, len(imgs))
		}
		for s, img := range imgs {
			if capture.IsBlank(img) {
				b.Fatal("blank")
			}
			jpeg, err := capture.Encode(img, false, 0)
			if err != nil {
				b.Fatal(err)
			}
			md := envelope.Metadata{ID: "bench", Org: "org", User: "u", TakenAt: time.Now().Truncate(time.Millisecond), Screen: s}
			if _, err := envelope.Seal(rand.Reader, kp.Public, md, jpeg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/capture")
}
