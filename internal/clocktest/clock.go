package clocktest

import (
	"sync"
	"time"
)

// Clock is a hand-driven clock (it is a queue.Clock). Time moves only when the test calls
// Advance; every After call is reported on Waiting, so a test can advance
// exactly to the engine's next deadline instead of sleeping.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []timer
	waiting chan time.Duration
}

type timer struct {
	at time.Time
	ch chan time.Time
}

// New returns a clock reading start.
func New(start time.Time) *Clock {
	return &Clock{now: start, waiting: make(chan time.Duration, 4096)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives once the clock reaches now+d.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, timer{at: c.now.Add(d), ch: ch})
	select {
	case c.waiting <- d:
	default: // nobody is watching; the test drives time another way
	}
	return ch
}

// Waiting reports the duration of every After call as it is made.
func (c *Clock) Waiting() <-chan time.Duration { return c.waiting }

// Advance moves the clock forward by d and fires the timers that are due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- c.now
	}
	c.timers = kept
}
