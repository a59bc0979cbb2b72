// Package terminaltest holds in-memory doubles of the small interfaces
// terminal.Run needs: an Outbox that records requests and answers them as
// told, and a Display that records screens and beeps. Tests wait on them
// (NextCall, WaitScreen) instead of sleeping.
package terminaltest

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal"
)

// Call is one request the Outbox received.
type Call struct {
	Op        string // "start", "cancel", "refund", "reprint", "recent"
	PaymentID string
	Request   terminal.PaymentRequest // for "start"
	Amount    money.Amount            // for "refund"
	N         int                     // for "recent"
}

// Outbox is an in-memory terminal.Outbox. Payment ids are "PAY-1",
// "PAY-2", ... in order of StartPayment calls.
type Outbox struct {
	mu     sync.Mutex
	calls  chan Call
	fail   map[string]error
	seq    int
	recent []terminal.Summary
}

// NewOutbox returns an Outbox that accepts every request.
func NewOutbox() *Outbox {
	return &Outbox{calls: make(chan Call, 256), fail: map[string]error{}}
}

// Fail makes every later call of op return err (nil: succeed again).
func (o *Outbox) Fail(op string, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fail[op] = err
}

// SetRecent sets what Recent returns.
func (o *Outbox) SetRecent(list []terminal.Summary) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.recent = append([]terminal.Summary(nil), list...)
}

// NextCall waits for the next request.
func (o *Outbox) NextCall(ctx context.Context) (Call, error) {
	select {
	case c := <-o.calls:
		return c, nil
	case <-ctx.Done():
		return Call{}, fmt.Errorf("terminaltest: no outbox call: %w", ctx.Err())
	}
}

func (o *Outbox) record(c Call) error {
	o.mu.Lock()
	err := o.fail[c.Op]
	o.mu.Unlock()
	o.calls <- c
	return err
}

// StartPayment implements terminal.Outbox.
func (o *Outbox) StartPayment(_ context.Context, req terminal.PaymentRequest) (string, error) {
	if err := o.record(Call{Op: "start", Request: req}); err != nil {
		return "", err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	return "PAY-" + strconv.Itoa(o.seq), nil
}

// CancelPayment implements terminal.Outbox.
func (o *Outbox) CancelPayment(_ context.Context, id string) error {
	return o.record(Call{Op: "cancel", PaymentID: id})
}

// Refund implements terminal.Outbox.
func (o *Outbox) Refund(_ context.Context, id string, amount money.Amount) (string, error) {
	if err := o.record(Call{Op: "refund", PaymentID: id, Amount: amount}); err != nil {
		return "", err
	}
	return "REF-" + id, nil
}

// Reprint implements terminal.Outbox.
func (o *Outbox) Reprint(_ context.Context, id string) error {
	return o.record(Call{Op: "reprint", PaymentID: id})
}

// PrintDayReport implements terminal.Outbox.
func (o *Outbox) PrintDayReport(context.Context) error {
	return o.record(Call{Op: "day-report"})
}

// Recent implements terminal.Outbox.
func (o *Outbox) Recent(_ context.Context, n int) ([]terminal.Summary, error) {
	if err := o.record(Call{Op: "recent", N: n}); err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]terminal.Summary(nil), o.recent[:min(n, len(o.recent))]...), nil
}

// Display is an in-memory terminal.Display and terminal.Beeper.
type Display struct {
	screens chan terminal.Screen
	beeps   chan terminal.Sound
}

// NewDisplay returns an empty Display.
func NewDisplay() *Display {
	return &Display{screens: make(chan terminal.Screen, 1024), beeps: make(chan terminal.Sound, 1024)}
}

// Show implements terminal.Display.
func (d *Display) Show(ctx context.Context, s terminal.Screen) error {
	select {
	case d.screens <- s:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Beep implements terminal.Beeper. Beeps nobody reads beyond the first
// 1024 are dropped, so a test that ignores beeps never blocks the flow.
func (d *Display) Beep(_ context.Context, s terminal.Sound) error {
	select {
	case d.beeps <- s:
	default:
	}
	return nil
}

// WaitScreen returns the first screen shown from now on (earlier screens
// still queued count) for which match is true.
func (d *Display) WaitScreen(ctx context.Context, match func(terminal.Screen) bool) (terminal.Screen, error) {
	for {
		select {
		case s := <-d.screens:
			if match(s) {
				return s, nil
			}
		case <-ctx.Done():
			return terminal.Screen{}, fmt.Errorf("terminaltest: screen never shown: %w", ctx.Err())
		}
	}
}

// NextBeep waits for the next beep.
func (d *Display) NextBeep(ctx context.Context) (terminal.Sound, error) {
	select {
	case s := <-d.beeps:
		return s, nil
	case <-ctx.Done():
		return 0, fmt.Errorf("terminaltest: no beep: %w", ctx.Err())
	}
}
