package terminal

import (
	"time"

	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal/keypad"
)

// Input is something that happens to the till: a key, a reply to an
// effect, an event from the outbox, or the clock. The concrete types are
// listed below; Machine.Step ignores inputs it has no use for in the
// current phase.
type Input interface{ input() }

// Press is a key from any keypad, or a scanned customer code.
type Press struct{ Key keypad.Key }

// Tick tells the flow the time; Run sends one every second. Timeouts
// (lockout, idle manager menu, QR expiry, result screens) advance only on ticks.
type Tick struct{ Now time.Time }

// PaymentStarted answers StartPayment: the outbox has committed the
// payment under PaymentID and will send it.
type PaymentStarted struct {
	Attempt   int
	PaymentID string
}

// CustomerStarted says a customer started a payment on the entry page
// (Entry Code). A free till (ready and empty, showing a final outcome, or
// offering this amount in preset mode) follows it as its own; a busy one
// leaves it alone: it resolves in the outbox and its receipt prints.
type CustomerStarted struct {
	PaymentID string
	Amount    money.Amount
}

// StartRefused answers StartPayment: the outbox did not take the payment,
// so nothing was sent and nobody was charged.
type StartRefused struct {
	Attempt int
	Reason  string
}

// QRReady says the gateway issued the order code for a payment: the
// customer scans CodeValue until Expires.
type QRReady struct {
	PaymentID string
	CodeValue string
	Expires   time.Time
}

// Succeeded says the outbox verified that the payment succeeded (a signed
// S answer or inquiry SUCCESS). Amount is what was paid.
type Succeeded struct {
	PaymentID string
	Amount    money.Amount
}

// Failed says the payment failed for good; nobody was charged.
type Failed struct {
	PaymentID string
	Reason    string
}

// Cancelled says the payment was cancelled for good; nobody was charged.
type Cancelled struct{ PaymentID string }

// NeedsAttention says the outbox cannot tell whether the payment went
// through and has stopped trying on its own: a person must look at it.
type NeedsAttention struct {
	PaymentID string
	Reason    string
}

// CancelRefused answers CancelPayment: the outbox would not cancel.
type CancelRefused struct {
	PaymentID string
	Reason    string
}

// SlipPrinted reports how the slip of a succeeded payment printed: printed,
// or why not. (The slip itself is printer.Receipt.)
type SlipPrinted struct {
	PaymentID string
	Printed   bool
	Reason    string
}

// RefundAccepted answers Refund: the outbox committed the refund and will send it.
type RefundAccepted struct{ PaymentID, RefundID string }

// RefundRefused answers Refund: nothing will be refunded.
type RefundRefused struct{ PaymentID, Reason string }

// DayReportPrinted answers PrintDayReport; Reason is empty when the
// report printed.
type DayReportPrinted struct{ Reason string }

func (DayReportPrinted) input() {}

// Reprinted answers Reprint; Reason is empty when the receipt was queued.
type Reprinted struct{ PaymentID, Reason string }

// RefundSettled says a refund the outbox sent reached its result: OK, or
// refused with Reason.
type RefundSettled struct {
	PaymentID, RefundID string
	OK                  bool
	Reason              string
}

// RecentLoaded answers LoadRecent, newest first; Reason says why the list
// could not be read.
type RecentLoaded struct {
	Payments []Summary
	Reason   string
}

// Part is a piece of the till that can be in trouble.
type Part int

// The parts whose trouble the cashier is told about.
const (
	Network Part = iota // the link to the internet
	Gateway             // the Alipay gateway answers, but with errors
	Printer             // the receipt printer
	Events              // the event stream to the merchant's back office (MQTT)
	numParts
)

// Health says whether a part works; Detail says what is wrong when it does not.
type Health struct {
	Part   Part
	OK     bool
	Detail string
}

func (Press) input()           {}
func (Tick) input()            {}
func (PaymentStarted) input()  {}
func (StartRefused) input()    {}
func (CustomerStarted) input() {}
func (QRReady) input()         {}
func (Succeeded) input()       {}
func (Failed) input()          {}
func (Cancelled) input()       {}
func (NeedsAttention) input()  {}
func (CancelRefused) input()   {}
func (SlipPrinted) input()     {}
func (RefundAccepted) input()  {}
func (RefundRefused) input()   {}
func (Reprinted) input()       {}
func (RefundSettled) input()   {}
func (RecentLoaded) input()    {}
func (Health) input()          {}

// Status is where a payment in the recent list stands.
type Status string

// Payment statuses shown in the manager's list.
const (
	StatusPending   Status = "pending"
	StatusSucceeded Status = "paid"
	StatusFailed    Status = "failed"
	StatusCancelled Status = "cancelled"
	StatusAttention Status = "needs attention"
	StatusRefunded  Status = "refunded"
)

// Summary is one payment in the manager's list.
type Summary struct {
	PaymentID string
	Amount    money.Amount
	Refunded  money.Amount // total refunded so far; zero value for none
	Status    Status
	Time      time.Time
}

// refundable is what may still be refunded: paid and not yet refunded in full.
func (s Summary) refundable() int64 {
	if s.Status != StatusSucceeded && s.Status != StatusRefunded {
		return 0
	}
	if s.Refunded.Value > 0 && s.Refunded.Currency != s.Amount.Currency {
		return 0
	}
	return max(s.Amount.Value-s.Refunded.Value, 0)
}
