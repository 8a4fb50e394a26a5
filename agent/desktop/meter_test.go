package desktop

import (
	"testing"
	"time"
)

func TestMeterObserve(t *testing.T) {
	still := Input{Idle: 10 * time.Second, PointerX: 5, PointerY: 7}
	withKeys := func(in Input, code int) Input {
		in.Keys[code/8] |= 1 << (code % 8)
		return in
	}
	moved := func(in Input, dx, dy int) Input {
		in.PointerX += dx
		in.PointerY += dy
		return in
	}
	idle := func(in Input, d time.Duration) Input {
		in.Idle = d
		return in
	}
	buttons := func(in Input, b uint16) Input {
		in.Buttons = b
		return in
	}
	m := Meter{IdleAfter: 5 * time.Minute}

	tests := []struct {
		name      string
		meter     Meter
		prev, cur Input
		want      Second
	}{
		{"nothing, recently idle", m, still, still, Second{}},
		{"nothing, but input within 1.5s", m, still, idle(still, time.Second), Second{Active: true}},
		{"idle exactly 1.5s is not active", m, still, idle(still, 1500*time.Millisecond), Second{}},
		{"key pressed", m, still, idle(withKeys(still, 38), 0), Second{Keyboard: true, Active: true}},
		{"key held (unchanged, down)", m, withKeys(still, 38), withKeys(still, 38), Second{Keyboard: true, Active: true}},
		{"key released", m, withKeys(still, 38), still, Second{Keyboard: true, Active: true}},
		{"pointer moved x", m, still, moved(still, 1, 0), Second{Mouse: true, Active: true}},
		{"pointer moved y", m, still, moved(still, 0, -3), Second{Mouse: true, Active: true}},
		{"button pressed", m, still, buttons(still, 1), Second{Mouse: true, Active: true}},
		{"button released", m, buttons(still, 4), still, Second{Mouse: true, Active: true}},
		{"button held, no motion", m, buttons(still, 1), buttons(still, 1), Second{}},
		{"keys and mouse", m, still, moved(withKeys(still, 100), 2, 2), Second{Keyboard: true, Mouse: true, Active: true}},
		{"idle past the timeout", m, still, idle(still, 5*time.Minute), Second{Idle: true}},
		{"just under the timeout", m, still, idle(still, 5*time.Minute-time.Millisecond), Second{}},
		{"input ends idleness", m, idle(still, time.Hour), moved(idle(still, 0), 1, 1), Second{Mouse: true, Active: true}},
		{"zero timeout: never idle", Meter{}, still, idle(still, 24*time.Hour), Second{}},
		{"short timeout with stale motion", Meter{IdleAfter: time.Second}, still, moved(idle(still, 2*time.Second), 1, 0),
			Second{Mouse: true, Active: true, Idle: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.meter.Observe(tt.prev, tt.cur); got != tt.want {
				t.Errorf("Observe = %+v, want %+v", got, tt.want)
			}
		})
	}
}
