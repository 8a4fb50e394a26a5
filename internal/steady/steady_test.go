package steady

import (
	"testing"
	"time"

	"github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/migrations/schema"
)

// TestFill: a small shape holds exactly the rows it promises, on the real
// schema, inside the retention it sets.
func TestFill(t *testing.T) {
	shape := Shape{Members: 3, Days: 2}
	fx, err := Fixture(shape, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	app := fx.App(t)
	defer app.Cleanup()
	want := map[string]int{
		schema.Activities: shape.Slots(), schema.Screenshots: shape.Slots() * Shots,
		schema.AppUsage: shape.Slots() * 2, schema.Timesheets: shape.Members, schema.Memberships: shape.Members,
	}
	for name, n := range want {
		got, err := app.CountRecords(name)
		if err != nil || int(got) != n {
			t.Errorf("%s: %d rows (%v), want %d", name, got, err, n)
		}
	}
	oldest := SlotStart(Day(time.Now(), shape.Days-1), 0)
	if time.Since(oldest) > RetentionDays*24*time.Hour {
		t.Errorf("the oldest slot %s is past the retention", oldest)
	}
	// Every member signs in with the seeded password.
	u, err := app.FindRecordById(schema.Users, Member(2))
	if err != nil || !u.ValidatePassword(tocktest.Password) {
		t.Fatalf("member 2 can't sign in (%v)", err)
	}
}

// BenchmarkFill: how fast Fill writes history (10 members × 90 days), in
// screenshots a second.
func BenchmarkFill(b *testing.B) {
	shape := Shape{Members: 10, Days: 90}
	for b.Loop() {
		t0 := time.Now()
		if _, err := Fixture(shape, b.TempDir()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(shape.Slots()*Shots)/time.Since(t0).Seconds(), "screenshots/s")
	}
}

// BenchmarkSteadyFixture makes (or finds) the fixture the steady-state
// benchmarks share, so `make bench` pays for it once and shows what it cost.
func BenchmarkSteadyFixture(b *testing.B) {
	shape, dir := Benchmarked()
	for b.Loop() {
		t0 := time.Now()
		fx, err := Fixture(shape, dir)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d members x %d days: %d screenshots in %s (%s)", shape.Members, shape.Days, shape.Slots()*Shots,
			fx.Dir(), time.Since(t0).Round(time.Second))
	}
}
