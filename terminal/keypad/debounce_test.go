package keypad

import (
	"math/rand/v2"
	"slices"
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
		{"next key with no quiet scan between", []obs{
			{0, []int{1}, -1}, {20 * ms, []int{1}, 1}, {21 * ms, []int{2}, -1}, {40 * ms, []int{2}, -1}, {41 * ms, []int{2}, 2},
			{50 * ms, []int{2}, -1}, {51 * ms, nil, -1}, {71 * ms, nil, -1}, {72 * ms, []int{2}, -1}, {92 * ms, []int{2}, 2}}},
		{"rolling from one key to the next", []obs{
			{0, []int{1}, -1}, {20 * ms, []int{1}, 1}, {30 * ms, []int{1, 2}, -1}, {40 * ms, []int{2}, -1}, {60 * ms, []int{2}, 2},
			{80 * ms, []int{2}, -1}}},
		// The scanner saw the release once, then was held up (a loaded Pi)
		// while the cashier pressed the next key.
		{"next key after a release seen once, scans delayed", []obs{
			{0, []int{1}, -1}, {20 * ms, []int{1}, 1}, {21 * ms, nil, -1}, {60 * ms, []int{2}, -1}, {80 * ms, []int{2}, 2}}},
		{"same key again after it was up for a period", []obs{
			{0, []int{1}, -1}, {20 * ms, []int{1}, 1}, {21 * ms, nil, -1}, {41 * ms, nil, -1}, {42 * ms, []int{1}, -1},
			{62 * ms, []int{1}, 1}}},
		{"held key flickering up for less than a period", []obs{
			{0, []int{1}, -1}, {20 * ms, []int{1}, 1}, {30 * ms, nil, -1}, {31 * ms, []int{1}, -1}, {39 * ms, nil, -1},
			{45 * ms, []int{1}, -1}, {100 * ms, []int{1}, -1}}},
		// Scans too far apart to tell a double tap from a flicker: one press, never an invented one.
		{"same key across a scan gap", []obs{
			{0, []int{1}, -1}, {20 * ms, []int{1}, 1}, {21 * ms, nil, -1}, {60 * ms, []int{1}, -1}, {200 * ms, []int{1}, -1}}},
		{"held key, another joins and leaves", []obs{
			{0, []int{1}, -1}, {20 * ms, []int{1}, 1}, {30 * ms, []int{1, 2}, -1}, {60 * ms, []int{1}, -1}, {100 * ms, []int{1}, -1}}},
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

// TestDebouncerRules checks random scan sequences, with gaps shorter and
// longer than the period, against the rules the cashier relies on.
func TestDebouncerRules(t *testing.T) {
	const period = 20 * time.Millisecond
	rng := rand.New(rand.NewPCG(7, 11))
	pads := [][]int{nil, {0}, {1}, {0, 1}}
	gaps := []time.Duration{time.Millisecond, 5 * time.Millisecond, 15 * time.Millisecond, 25 * time.Millisecond, 60 * time.Millisecond}
	type scan struct {
		at       time.Duration
		down     []int
		reported int // -1: nothing
	}
	for run := range 5000 {
		d := debouncer{period: period}
		var scans []scan
		var at time.Duration
		for range 30 {
			at += gaps[rng.IntN(len(gaps))]
			down := pads[rng.IntN(len(pads))]
			if rng.IntN(3) > 0 && len(scans) > 0 { // keys mostly stay as they were
				down = scans[len(scans)-1].down
			}
			pos, ok, _ := d.observe(time.Unix(1000, 0).Add(at), down)
			s := scan{at, down, -1}
			if ok {
				s.reported = pos
			}
			scans = append(scans, s)
		}
		alone := func(k, from, to int) bool { // k is the only key down in scans[from..to]
			for _, s := range scans[from : to+1] {
				if len(s.down) != 1 || s.down[0] != k {
					return false
				}
			}
			return true
		}
		last, lastAt := -1, -1 // key last reported, and where
		for i, s := range scans {
			if s.reported >= 0 {
				k := s.reported
				// Only a key seen down alone for a whole period.
				j := i
				for j > 0 && alone(k, j-1, i) {
					j--
				}
				if !alone(k, j, i) || s.at-scans[j].at < period {
					t.Fatalf("run %d: %d reported at scan %d without a period alone: %+v", run, k, i, scans[:i+1])
				}
				// The same key twice only if seen up for a period between.
				if k == last {
					up := false
					seen := lastAt // last scan since the report with k down
					for m := lastAt + 1; m < i; m++ {
						if slices.Contains(scans[m].down, k) {
							seen = m
						} else if seen >= 0 && scans[m].at-scans[seen].at >= period {
							up = true
						}
					}
					if !up {
						t.Fatalf("run %d: %d reported twice without a release: %+v", run, k, scans[:i+1])
					}
				}
				last, lastAt = k, i
			}
			// Another key down alone for a period is never lost.
			if i > 0 && len(s.down) == 1 && s.down[0] != last {
				for e := i; e < len(scans) && alone(s.down[0], i, e); e++ {
					if scans[e].reported >= 0 {
						break
					}
					if scans[e].at-s.at >= period {
						t.Fatalf("run %d: %d down alone from scan %d to %d, not reported: %+v", run, s.down[0], i, e, scans[:e+1])
					}
				}
			}
		}
	}
}
