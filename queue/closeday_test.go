package queue_test

import (
	"errors"
	"testing"

	"github.com/posd/posd/queue"
)

// Z numbers are committed to the outbox: they survive a restart, a day
// keeps its number, each later day gets the next, an earlier day passed
// over gets none.
func TestCloseDayZNumbers(t *testing.T) {
	h := newHarness(t)
	h.start()
	z := func(day string) uint64 {
		t.Helper()
		n, err := h.eng.CloseDay(day)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := z("2026-11-20"); got != 1 {
		t.Fatalf("first closed day: Z %d", got)
	}
	if got := z("2026-11-22"); got != 2 {
		t.Fatalf("second closed day: Z %d", got)
	}
	h.stop()
	h.start()
	for day, want := range map[string]uint64{"2026-11-20": 1, "2026-11-22": 2, "2026-11-21": 0, "2026-11-23": 3} {
		if got := z(day); got != want {
			t.Errorf("%s after restart: Z %d, want %d", day, got, want)
		}
	}
	if _, err := h.eng.CloseDay("2026-13-01"); !errors.Is(err, queue.ErrInvalid) {
		t.Errorf("a day that is not a date: %v", err)
	}
}
