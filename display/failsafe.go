package display

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Health is what the cashier should know about the customer display.
type Health struct {
	OK bool
	// Failures counts consecutive failed Shows; zero when OK.
	Failures int
	// Err is the last failure ("" when OK), safe to show to the cashier.
	Err string
	// Since is when the display entered this state.
	Since time.Time
}

// FailSafeConfig tunes a FailSafe. Zero values are sensible.
type FailSafeConfig struct {
	// Timeout bounds one Show; a driver that hangs longer is reported as
	// failing and the payment flow goes on. Zero means 2 s.
	Timeout time.Duration
	Logger  *slog.Logger
	Now     func() time.Time
	// OnHealth is called (outside any lock) whenever Health changes between
	// OK and failing, so the cashier can be told.
	OnHealth func(Health)
}

// FailSafe wraps a Display so that the display can never stop a payment:
// Show returns no device error (only ErrInvalidScreen, which is the
// caller's bug), a driver that panics or hangs is contained, failures are
// logged on change and reported through Health, and Refresh redraws the
// current screen (the countdown ticks; a display that came back after a
// loose cable gets the current screen again).
type FailSafe struct {
	d   Display
	cfg FailSafeConfig

	mu      sync.Mutex // serialises Shows: screens arrive in order
	current Screen
	has     bool
	health  Health
	// running is closed when the last driver call returns; a call that
	// outlived its timeout blocks new ones, so a hung driver costs one
	// goroutine, not one a second.
	running chan struct{}
}

// NewFailSafe wraps d.
func NewFailSafe(d Display, cfg FailSafeConfig) *FailSafe {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &FailSafe{d: d, cfg: cfg, health: Health{OK: true, Since: cfg.Now()}}
}

// Show remembers s as the current screen and tries to show it. Only an
// invalid screen is an error; device trouble is recorded in Health.
func (f *FailSafe) Show(ctx context.Context, s Screen) error {
	if err := s.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	f.current, f.has = s, true
	h, changed := f.showLocked(ctx, s)
	f.mu.Unlock()
	if changed && f.cfg.OnHealth != nil {
		f.cfg.OnHealth(h)
	}
	return nil
}

// Refresh shows the current screen again: call it every second while a
// code is shown (the countdown) and while Health is failing (recovery).
// Run does exactly that.
func (f *FailSafe) Refresh(ctx context.Context) {
	f.mu.Lock()
	if !f.has {
		f.mu.Unlock()
		return
	}
	h, changed := f.showLocked(ctx, f.current)
	f.mu.Unlock()
	if changed && f.cfg.OnHealth != nil {
		f.cfg.OnHealth(h)
	}
}

// Run calls Refresh on every tick while there is a countdown to draw or a
// failure to recover from, until ctx ends. ticks is normally
// time.NewTicker(time.Second).C.
func (f *FailSafe) Run(ctx context.Context, ticks <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			f.mu.Lock()
			needed := f.has && (f.current.Kind == Waiting || !f.health.OK)
			f.mu.Unlock()
			if needed {
				f.Refresh(ctx)
			}
		}
	}
}

// Health reports the display's state.
func (f *FailSafe) Health() Health {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.health
}

// Close closes the wrapped display.
func (f *FailSafe) Close() error { return f.d.Close() }

func (f *FailSafe) showLocked(ctx context.Context, s Screen) (Health, bool) {
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	err := f.contained(ctx, s)
	wasOK := f.health.OK
	if err == nil {
		if !wasOK {
			f.cfg.Logger.Info("customer display recovered", "failures", f.health.Failures)
			f.health = Health{OK: true, Since: f.cfg.Now()}
			return f.health, true
		}
		return f.health, false
	}
	if wasOK {
		f.health = Health{Since: f.cfg.Now()}
	}
	f.health.OK = false
	f.health.Failures++
	f.health.Err = err.Error()
	if wasOK {
		// Log the change, not every retry: Refresh runs every second.
		f.cfg.Logger.Error("customer display failing; payments continue", "screen", s.Kind.String(), "err", err)
	}
	return f.health, wasOK
}

// contained runs Show in its own goroutine so that neither a panic nor a
// driver ignoring ctx can take the payment flow down with it.
func (f *FailSafe) contained(ctx context.Context, s Screen) error {
	if f.running != nil {
		select {
		case <-f.running:
		default:
			return errDriverBusy
		}
	}
	running := make(chan struct{})
	f.running = running
	result := make(chan error, 1)
	go func() {
		err := f.recovered(ctx, s)
		close(running) // before the result, so the next call finds it done
		result <- err
	}()
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		return fmt.Errorf("display did not answer within %v: %w", f.cfg.Timeout, ctx.Err())
	}
}

func (f *FailSafe) recovered(ctx context.Context, s Screen) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("display driver panicked: %v", p)
		}
	}()
	return f.d.Show(ctx, s)
}

var errDriverBusy = errors.New("display still busy with an earlier frame")
