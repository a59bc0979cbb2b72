package keypad

import (
	"testing"
	"time"
)

// TestDebouncer drives the pure decision with scan results at explicit times.
func TestDebouncer(t *testing.T) {
	ms := time.Millisecond
	type obs struct {
		at     time.Duration
		down   []int
		report int // -1: nothing
	}
	tests := []struct {
		name string
		obs  []obs
	}{
		{"clean press", []obs{{0, []int{3}, -1}, {10 * ms, []int{3}, -1}, {20 * ms, []int{3}, 3}, {30 * ms, []int{3}, -1}}},
		{"chatter restarts the wait", []obs{
			{0, []int{3}, -1}, {1 * ms, nil, -1}, {2 * ms, []int{3}, -1}, {3 * ms, nil, -1}, {4 * ms, []int{3}, -1},
			{24 * ms, []int{3}, 3}, {25 * ms, nil, -1}, {26 * ms, []int{3}, -1}, {60 * ms, []int{3}, -1}}},
		{"too short a press", []obs{{0, []int{3}, -1}, {10 * ms, nil, -1}, {40 * ms, nil, -1}}},
		{"two keys: nothing", []obs{{0, []int{1, 2}, -1}, {30 * ms, []int{1, 2}, -1}, {60 * ms, []int{1, 2}, -1}}},
		{"second key joins before debounce", []obs{{0, []int{1}, -1}, {10 * ms, []int{1, 2}, -1}, {25 * ms, []int{1}, -1}, {45 * ms, []int{1}, 1}}},
		{"next key only after a quiet period", []obs{
			{0, []int{1}, -1}, {20 * ms, []int{1}, 1}, {21 * ms, []int{2}, -1}, {50 * ms, []int{2}, -1},
			{51 * ms, nil, -1}, {60 * ms, nil, -1}, {71 * ms, nil, -1}, {72 * ms, []int{2}, -1}, {92 * ms, []int{2}, 2}}},
		{"rolling from one key to the next", []obs{
			{0, []int{1}, -1}, {20 * ms, []int{1}, 1}, {30 * ms, []int{1, 2}, -1}, {40 * ms, []int{2}, -1}, {80 * ms, []int{2}, -1}}},
	}
	t0 := time.Unix(1000, 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := debouncer{period: 20 * ms}
			for i, o := range tt.obs {
				pos, ok, _ := d.observe(t0.Add(o.at), o.down)
				got := -1
				if ok {
					got = pos
				}
				if got != o.report {
					t.Fatalf("step %d (%v, down %v): reported %d, want %d", i, o.at, o.down, got, o.report)
				}
			}
		})
	}
}

func TestDebouncerBusy(t *testing.T) {
	d := debouncer{period: 20 * time.Millisecond}
	t0 := time.Unix(1000, 0)
	if _, _, busy := d.observe(t0, nil); busy {
		t.Error("idle pad reported busy")
	}
	if _, _, busy := d.observe(t0, []int{4}); !busy {
		t.Error("key down but not busy")
	}
	if _, _, busy := d.observe(t0.Add(5*time.Millisecond), nil); !busy {
		t.Error("key just released (bouncing?) but not busy")
	}
	if _, _, busy := d.observe(t0.Add(30*time.Millisecond), nil); busy {
		t.Error("quiet for a period but still busy")
	}
}
