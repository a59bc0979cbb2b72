package terminal

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal/keypad"
)

// Outbox is what the cashier flow needs from the payment outbox. Every
// call returns once the request is committed (or refused); outcomes come
// later as events.
type Outbox interface {
	// StartPayment commits a new payment and returns its paymentRequestId.
	StartPayment(ctx context.Context, req PaymentRequest) (paymentID string, err error)
	// CancelPayment commits the decision to cancel a live payment.
	CancelPayment(ctx context.Context, paymentID string) error
	// Refund commits a refund of a succeeded payment.
	Refund(ctx context.Context, paymentID string, amount money.Amount) (refundID string, err error)
	// Reprint queues another copy of a payment's receipt.
	Reprint(ctx context.Context, paymentID string) error
	// Recent returns the newest n payments, newest first.
	Recent(ctx context.Context, n int) ([]Summary, error)
	// PrintDayReport starts printing today's end-of-day report; its
	// result comes later as a DayReportPrinted event.
	PrintDayReport(ctx context.Context) error
}

// PaymentRequest is a payment the cashier asked for.
type PaymentRequest struct {
	Amount       money.Amount
	Scenario     Scenario // OrderCode or PaymentCode
	CustomerCode string   // PaymentCode only; never log it
}

// Display shows screens to the cashier and the customer.
type Display interface {
	Show(ctx context.Context, s Screen) error
}

// Beeper is implemented by displays or keypads that have a buzzer; Run
// uses it when the Display implements it.
type Beeper interface {
	Beep(ctx context.Context, sound Sound) error
}

// Options wires a Machine to the world.
type Options struct {
	Machine *Machine
	Keys    <-chan keypad.Key // keypad.Merge of the till's sources
	Events  <-chan Input      // outcomes, QR codes, receipts and health from the outbox
	Outbox  Outbox
	Display Display

	Ticks  <-chan time.Time // nil: a tick every second
	Now    func() time.Time // nil: time.Now
	Logger *slog.Logger     // nil: slog.Default()

	// Observe, when set, is called with every new state (for status
	// reporting); it must not block.
	Observe func(State)

	// Lockout is the manager PIN's lockout kept from before a restart;
	// Lockouts, when set, keeps every change of it.
	Lockout  Lockout
	Lockouts LockoutStore
}

// LockoutStore keeps the manager PIN's lockout across restarts, so that
// restarting the till does not give a PIN guesser fresh tries.
type LockoutStore interface {
	SaveLockout(ctx context.Context, l Lockout) error
}

// Run drives the flow until ctx is done (it then returns nil) or an input
// channel closes. Effects are carried out in order, one input at a time;
// the outbox's answer to an effect is fed back before the next key or
// event, so the flow never has two requests to the outbox in flight.
func Run(ctx context.Context, o Options) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Ticks == nil {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		o.Ticks = ticker.C
	}
	d := driver{Options: o}
	s, effs := o.Machine.Resume(o.Now(), o.Lockout)
	d.state = s
	d.carryOut(ctx, effs)
	for {
		var in Input
		select {
		case <-ctx.Done():
			return nil
		case k, ok := <-o.Keys:
			if !ok {
				return ErrKeysClosed
			}
			in = Press{k}
		case ev, ok := <-o.Events:
			if !ok {
				return ErrEventsClosed
			}
			in = ev
		case now := <-o.Ticks:
			in = Tick{now}
		}
		d.step(ctx, in)
	}
}

type driver struct {
	Options
	state State
	shown *Screen // the last screen shown
}

func (d *driver) step(ctx context.Context, in Input) {
	before := d.state.Phase
	var effs []Effect
	d.state, effs = d.Machine.Step(d.state, in)
	if d.state.Phase != before {
		d.Logger.Info("till", "from", before.String(), "to", d.state.Phase.String(),
			"paymentRequestId", d.state.Payment.ID, "amount", d.state.Payment.Amount.String())
	}
	if d.Observe != nil {
		d.Observe(d.state)
	}
	d.carryOut(ctx, effs)
}

// carryOut performs effects and steps the machine with each reply.
func (d *driver) carryOut(ctx context.Context, effs []Effect) {
	for _, e := range effs {
		if reply := d.perform(ctx, e); reply != nil {
			d.step(ctx, reply)
		}
	}
}

func (d *driver) perform(ctx context.Context, e Effect) Input {
	switch e := e.(type) {
	case StartPayment:
		id, err := d.Outbox.StartPayment(ctx, PaymentRequest{Amount: e.Amount, Scenario: e.Scenario, CustomerCode: e.CustomerCode})
		if err != nil {
			d.Logger.Warn("payment not started", "amount", e.Amount.String(), "scenario", string(e.Scenario), "err", err)
			return StartRefused{Attempt: e.Attempt, Reason: err.Error()}
		}
		d.Logger.Info("payment started", "paymentRequestId", id, "amount", e.Amount.String(), "scenario", string(e.Scenario))
		return PaymentStarted{Attempt: e.Attempt, PaymentID: id}
	case CancelPayment:
		if err := d.Outbox.CancelPayment(ctx, e.PaymentID); err != nil {
			d.Logger.Warn("cancel refused", "paymentRequestId", e.PaymentID, "err", err)
			return CancelRefused{PaymentID: e.PaymentID, Reason: err.Error()}
		}
		d.Logger.Info("cancel requested", "paymentRequestId", e.PaymentID)
	case Refund:
		id, err := d.Outbox.Refund(ctx, e.PaymentID, e.Amount)
		if err != nil {
			d.Logger.Warn("refund refused", "paymentRequestId", e.PaymentID, "amount", e.Amount.String(), "err", err)
			return RefundRefused{PaymentID: e.PaymentID, Reason: err.Error()}
		}
		d.Logger.Info("refund requested", "paymentRequestId", e.PaymentID, "refundRequestId", id, "amount", e.Amount.String())
		return RefundAccepted{PaymentID: e.PaymentID, RefundID: id}
	case Reprint:
		if err := d.Outbox.Reprint(ctx, e.PaymentID); err != nil {
			return Reprinted{PaymentID: e.PaymentID, Reason: err.Error()}
		}
		return Reprinted{PaymentID: e.PaymentID}
	case PrintDayReport:
		if err := d.Outbox.PrintDayReport(ctx); err != nil {
			return DayReportPrinted{Reason: err.Error()}
		}
	case LoadRecent:
		list, err := d.Outbox.Recent(ctx, e.N)
		if err != nil {
			return RecentLoaded{Reason: err.Error()}
		}
		return RecentLoaded{Payments: list}
	case SaveLockout:
		if d.Lockouts != nil {
			if err := d.Lockouts.SaveLockout(ctx, e.Lockout); err != nil {
				// The lockout still holds until posd stops.
				d.Logger.Error("manager PIN lockout not kept across restarts", "err", err)
			}
		}
	case Show:
		// The screen of the state now, not the one e was made with: an
		// outbox reply stepped in between (a refused start) must not be
		// followed by the stale "Charging" screen that preceded it.
		v := d.Machine.View(d.state)
		if d.shown != nil && v.Equal(*d.shown) {
			return nil
		}
		d.shown = &v
		// A broken display must not stop payments: log and carry on.
		if err := d.Display.Show(ctx, v); err != nil {
			d.Logger.Error("display", "err", err)
		}
	case Beep:
		if b, ok := d.Display.(Beeper); ok {
			if err := b.Beep(ctx, e.Sound); err != nil {
				d.Logger.Warn("beep", "err", err)
			}
		}
	default:
		d.Logger.Error("unknown effect", "effect", fmt.Sprintf("%T", e))
	}
	return nil
}
