package screenshots_test

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	"github.com/tock-app/tock/ingest"
	tt "github.com/tock-app/tock/internal/tocktest"
)

// BenchmarkIngestInProcess: one 200 KB screenshot upload through the real
// router and local store, without the network; for profiling the server's
// share of BenchmarkIngest.
func BenchmarkIngestInProcess(b *testing.B) {
	p := hookstest.NewPipeline(b, "local", nil)
	start := hookstest.Slot()
	act := p.Track(b, tt.Carol, tt.ProjA, start)
	plain := make([]byte, 200<<10)
	rand.Read(plain)
	type up struct {
		meta ingest.Screenshot
		env  []byte
	}
	ups := make([]up, b.N)
	for i := range ups {
		m := ingest.Screenshot{ClientID: fmt.Sprintf("bench-%d-%d", i, time.Now().UnixNano()), Org: tt.Acme, Activity: act,
			TakenAt: start.Add(time.Duration(i%600) * time.Second), Width: 1920, Height: 1080}
		ups[i] = up{m, tt.Seal(b, p.App, envelope.Metadata{ID: m.ClientID, Org: m.Org, User: tt.Carol, TakenAt: m.TakenAt}, plain)}
	}
	token := p.Token(b, tt.Carol)
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			status, _, body := tt.Send(p.Handler, tt.ScreenshotRequest(b, token, ups[i].meta, ups[i].env))
			if status != http.StatusOK {
				b.Error(body)
				return
			}
		}
	})
}
