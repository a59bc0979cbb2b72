// Package displaytest provides a Display for tests of code that drives the
// customer display (the cashier flow): it records every screen and lets a
// test wait for the next one instead of sleeping.
package displaytest

import (
	"context"
	"sync"

	"github.com/posd/posd/display"
)

// Recorder is a display.Display that keeps every valid screen it is shown.
// It validates like a real driver, so a flow that builds a bad screen fails
// its tests.
type Recorder struct {
	mu      sync.Mutex
	screens []display.Screen
	err     error
	wake    chan struct{} // closed and replaced on every Show
	closed  bool
}

// New returns an empty Recorder.
func New() *Recorder { return &Recorder{wake: make(chan struct{})} }

// Show records s, or returns the error set with FailWith.
func (r *Recorder) Show(ctx context.Context, s display.Screen) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return display.ErrClosed
	}
	if r.err != nil {
		return r.err
	}
	r.screens = append(r.screens, s)
	close(r.wake)
	r.wake = make(chan struct{})
	return nil
}

// Close makes later Shows fail with display.ErrClosed.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

// FailWith makes every later Show return err (nil heals it): a broken
// display, to check that payments go on without one.
func (r *Recorder) FailWith(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

// Screens returns a copy of everything shown so far.
func (r *Recorder) Screens() []display.Screen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]display.Screen(nil), r.screens...)
}

// WaitFor blocks until the n-th screen (counting from 1) has been shown and
// returns it, or returns ctx's error.
func (r *Recorder) WaitFor(ctx context.Context, n int) (display.Screen, error) {
	for {
		r.mu.Lock()
		if len(r.screens) >= n {
			s := r.screens[n-1]
			r.mu.Unlock()
			return s, nil
		}
		wake := r.wake
		r.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return display.Screen{}, ctx.Err()
		}
	}
}
