package terminal

import (
	"fmt"

	"github.com/posd/posd/money"
)

// Effect is something the flow asks the world to do. Run carries them out;
// replies come back as Inputs.
type Effect interface{ effect() }

// StartPayment asks the outbox to take a payment. Reply: PaymentStarted or StartRefused.
type StartPayment struct {
	Attempt      int // echoed in the reply
	Amount       money.Amount
	Scenario     Scenario // OrderCode or PaymentCode
	CustomerCode string   // the scanned code, for PaymentCode
}

// String hides the customer's code, which is a bearer token while it is valid.
func (s StartPayment) String() string {
	code := ""
	if s.CustomerCode != "" {
		code = fmt.Sprintf(" code=%d digits", len(s.CustomerCode))
	}
	return fmt.Sprintf("StartPayment{attempt=%d %s %s%s}", s.Attempt, s.Amount, s.Scenario, code)
}

// CancelPayment asks the outbox to cancel a live payment. Reply: a final
// event later, or CancelRefused.
type CancelPayment struct{ PaymentID string }

// Refund asks the outbox to refund part or all of a succeeded payment.
// Reply: RefundAccepted or RefundRefused.
type Refund struct {
	PaymentID string
	Amount    money.Amount
}

// Reprint asks for another copy of a receipt. Reply: Reprinted.
type Reprint struct{ PaymentID string }

// LoadRecent asks for the newest N payments. Reply: RecentLoaded.
type LoadRecent struct{ N int }

// SaveLockout asks for the manager PIN's lockout to be kept across
// restarts (Options.Lockouts); it comes before the screen that shows it.
type SaveLockout struct{ Lockout Lockout }

// Show puts a new screen in front of the cashier and the customer.
type Show struct{ Screen Screen }

// Sound is a beep pattern.
type Sound int

// The beeps the flow asks for.
const (
	BeepError   Sound = iota // a refused key or a problem
	BeepSuccess              // a payment succeeded
)

// Beep asks for a sound, where the till has a buzzer.
type Beep struct{ Sound Sound }

// PrintDayReport asks for today's end-of-day report on the receipt
// printer (manager menu 4). Reply: DayReportPrinted, now if it could not
// start, later as an event when it printed or failed.
type PrintDayReport struct{}

func (PrintDayReport) effect() {}

func (StartPayment) effect()  {}
func (CancelPayment) effect() {}
func (Refund) effect()        {}
func (Reprint) effect()       {}
func (LoadRecent) effect()    {}
func (SaveLockout) effect()   {}
func (Show) effect()          {}
func (Beep) effect()          {}
