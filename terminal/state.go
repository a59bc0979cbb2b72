package terminal

import (
	"time"

	"github.com/posd/posd/money"
)

// Phase is the step of the cashier flow the till is at.
type Phase int

// The phases. A payment is live from Starting to Cancelling; the outcome
// phases show the last one until the cashier moves on.
const (
	Ready      Phase = iota // typing an amount
	Confirming              // amount typed, waiting for a second Enter
	Starting                // the outbox was asked to start the payment
	Waiting                 // payment sent; waiting for the QR (OrderCode) or the outcome (PaymentCode)
	ShowingQR               // the customer is shown the order code
	Cancelling              // the outbox was asked to cancel
	Paid                    // the outbox verified success
	Declined                // the payment failed for good
	Voided                  // the payment was cancelled for good
	Attention               // the outcome is unknown and needs a person

	PIN           // manager PIN being typed
	Menu          // manager menu
	List          // recent payments, to view, reprint or refund
	Detail        // one payment
	RefundAmount  // typing the amount to refund
	RefundConfirm // refund amount typed, waiting for Enter
	ManagerWait   // the outbox was asked to refund or reprint
	Following     // a refund or reprint the outbox took, followed to its result
	Locked        // too many wrong PINs: every key but Cancel is dropped
)

var phaseNames = [...]string{"ready", "confirming", "starting", "waiting", "qr", "cancelling",
	"paid", "declined", "cancelled", "attention", "pin", "menu", "list", "detail",
	"refund-amount", "refund-confirm", "manager-wait", "following", "locked"}

func (p Phase) String() string {
	if p >= 0 && int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return "phase?"
}

// live reports whether the phase has a payment that may still take money.
func (p Phase) live() bool { return p >= Starting && p <= Cancelling }

// outcome reports whether the phase shows a payment's final state.
func (p Phase) outcome() bool { return p >= Paid && p <= Attention }

// manager reports whether the phase is in the manager menu.
func (p Phase) manager() bool { return p >= PIN }

// Lockout is the manager PIN's state that outlives a restart: wrong PINs
// in a row and the end of the lockout they caused.
type Lockout struct {
	Failures int
	Until    time.Time
}

// Purpose is why the manager opened the recent list.
type Purpose int

// What picking an entry of the recent list does.
const (
	View Purpose = iota
	ReprintReceipt
	RefundPayment
)

// Scenario is who scans whom: the buyer scans the QR the till shows
// (OrderCode), or the cashier scans the buyer's code (PaymentCode). The
// values are AMS's inStorePaymentScenario
// (https://docs.antom.com/ac/ams/oc, https://docs.antom.com/ac/ams/upm).
type Scenario string

// The scenarios the till starts.
const (
	OrderCode   Scenario = "OrderCode"
	PaymentCode Scenario = "PaymentCode"
	// EntryCode payments are started by the customer on posd's entry page
	// (https://docs.antom.com/ac/ams/ec); the till only follows them.
	EntryCode Scenario = "EntryCode"
)

// Payment is the till's view of the current or last payment.
type Payment struct {
	ID              string // empty until PaymentStarted
	Amount          money.Amount
	Scenario        Scenario
	CancelRequested bool // Cancel pressed before the outbox answered Start
	CodeValue       string
	Expires         time.Time
	Expired         bool // Expires has passed: the QR is no longer shown
	Reason          string
	ReceiptPrinted  bool
	ReceiptTrouble  string
	Since           time.Time // when the outcome phase began
}

// State is everything the flow remembers. It is a value: Step returns a
// new one and never changes the one it was given.
type State struct {
	Phase   Phase
	Entry   string // what was typed: an amount, a PIN or a refund amount
	Notice  string // a message for the cashier, cleared by the next key
	Now     time.Time
	Attempt int // StartPayment effects so far
	Payment Payment

	Trouble   [numParts]string // per Part; empty when it works
	Unsettled []string         // other payments that need attention

	// Manager menu.
	PINFailures   int
	LockedUntil   time.Time
	ManagerActive time.Time // last key in the menu
	Purpose       Purpose
	Loading       bool
	Recent        []Summary
	Selected      int // index into Recent
	RefundValue   int64
	// Following: the refund (its refundRequestId; empty for a reprint)
	// the screen follows, and its result once known.
	FollowRefund string
	FollowDone   bool
	FollowText   string
}
