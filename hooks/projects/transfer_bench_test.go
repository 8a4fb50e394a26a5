package projects_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tock-app/tock/envelope"
	"github.com/tock-app/tock/hooks/internal/hookstest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// BenchmarkTransfer moves a project holding 50 slots and 500 screenshots of
// 100 KB each (local store): every screenshot is opened, sealed again and
// written, and the records move, in one transaction.
func BenchmarkTransfer(b *testing.B) {
	const slots, perSlot, size = 50, 10, 100 << 10
	for b.Loop() {
		b.StopTimer()
		p := hookstest.NewPipeline(b, "local", nil)
		hookstest.PlantRecord(b, p.App, schema.Projects, projX, map[string]any{"org": tt.Acme, "name": "X"})
		img := make([]byte, size)
		rand.Read(img)
		s := &tt.Seeder{App: p.App}
		start := time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)
		for i := range slots {
			slot := start.Add(time.Duration(i) * 10 * time.Minute)
			act := fmt.Sprintf("benchact%07d", i)
			s.Create(schema.Activities, act, map[string]any{
				"org": tt.Acme, "project": projX, "user": tt.Walt, "slot_start": slot, "tracked_seconds": 600, "source": "tracked",
			})
			for j := range perSlot {
				id := fmt.Sprintf("bsh%05d%07d", i, j)
				md := envelope.Metadata{ID: id, Org: tt.Acme, User: tt.Walt, TakenAt: slot.Add(time.Duration(j) * time.Minute), Screen: 0}
				env := tt.Seal(b, p.App, md, img)
				key := fmt.Sprintf("screenshots/%s/2026-10-05/%s.tock", tt.Acme, id)
				if err := p.Store.Put(context.Background(), key, bytes.NewReader(env), int64(len(env))); err != nil {
					b.Fatal(err)
				}
				s.Create(schema.Screenshots, id, map[string]any{
					"org": tt.Acme, "project": projX, "user": tt.Walt, "activity": act, "taken_at": md.TakenAt,
					"width": 640, "height": 400, "size": len(env), "sha256": fmt.Sprintf("%064d", 0),
					"key_id": envelope.KeyID(tt.OrgPublicKey(b, p.App, tt.Acme)), "storage_key": key, "client_id": id,
				})
			}
		}
		if err := s.Err(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		status, body := transfer(b, p, tt.Alice, projX, tt.Initech)
		if status != http.StatusOK {
			b.Fatalf("transfer: %d %s", status, body)
		}
		b.ReportMetric(float64(slots*perSlot)/time.Since(t0).Seconds(), "screenshots/s")
	}
}
