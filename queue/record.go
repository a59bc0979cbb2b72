package queue

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// State is where a payment stands in its life (docs/payments.md, States,
// with the refund states). The string form is what is stored.
type State string

// Payment states. Final states are listed in IsFinal.
const (
	New               State = "NEW"                // id generated and committed, nothing sent
	Sent              State = "SENT"               // committed just before the first pay byte
	AwaitingBuyer     State = "AWAITING_BUYER"     // order code shown, buyer has not paid yet
	Unknown           State = "UNKNOWN"            // pay or inquiry gave no verified final answer
	Cancelling        State = "CANCELLING"         // cancel decided and committed
	NeedsAttention    State = "NEEDS_ATTENTION"    // cancel exhausted or window exceeded while unknown; still retried
	Succeeded         State = "SUCCEEDED"          // verified final success
	Failed            State = "FAILED"             // verified final failure (or never sent)
	Cancelled         State = "CANCELLED"          // verified cancel, or inquiry said CANCELLED
	Refunding         State = "REFUNDING"          // a refund of a succeeded payment is in flight
	PartiallyRefunded State = "PARTIALLY_REFUNDED" // refunds succeeded for less than the amount
	Refunded          State = "REFUNDED"           // refunds succeeded for the whole amount
)

// IsFinal reports whether the engine has nothing left to do for a payment
// in state s. A final state changes only by a refund or a reversal the
// cashier asks for.
func (s State) IsFinal() bool {
	switch s {
	case Succeeded, Failed, Cancelled, PartiallyRefunded, Refunded:
		return true
	}
	return false
}

// Paid reports whether the buyer's money is (still, at least partly) with
// the merchant in state s, as verified by the gateway.
func (s State) Paid() bool {
	return s == Succeeded || s == Refunding || s == PartiallyRefunded
}

// Scenario is the in-store pay scenario of a payment.
type Scenario string

// In-store scenarios posd drives (https://docs.antom.com/ac/ams/upm,
// https://docs.antom.com/ac/ams/oc).
const (
	PaymentCode Scenario = "PaymentCode" // the cashier scans the buyer's code (UPM)
	OrderCode   Scenario = "OrderCode"   // the buyer scans the QR posd shows
	// EntryCode: the buyer scans the till's static code and types the
	// amount on posd's page; the pay answer's redirectUrl takes the wallet
	// to the confirmation (https://docs.antom.com/ac/ams/ec).
	EntryCode Scenario = "EntryCode"
)

// buyerScans reports whether the buyer confirms in the wallet after the
// pay answer (an order or entry code): such a pay may be resent with the
// same bytes to obtain its code, and it waits for the buyer until it expires.
func (s Scenario) buyerScans() bool { return s == OrderCode || s == EntryCode }

// Op is the gateway call a record waits to make next.
type Op string

// Operations. OpNone means nothing is scheduled: the record is final.
const (
	OpNone          Op = ""
	OpPay           Op = "pay"
	OpInquire       Op = "inquiryPayment"
	OpCancel        Op = "cancel"
	OpRefund        Op = "refund"
	OpInquireRefund Op = "inquiryRefund"
)

// CancelStep says why an inquiry is made while a payment is being cancelled.
type CancelStep string

// Cancel sub-steps.
const (
	CancelSending        CancelStep = ""                    // sending cancel
	CancelConfirmMissing CancelStep = "CONFIRM_NOT_CREATED" // cancel said ORDER_NOT_EXIST: confirm after expiry (9.6)
	CancelWindowExceeded CancelStep = "WINDOW_EXCEEDED"     // cancel said CANCEL_WINDOW_EXCEED: inquire, refund if paid
	CancelStatusInvalid  CancelStep = "STATUS_INVALID"      // cancel said ORDER_STATUS_INVALID: inquire, act on status
	CancelRecheck        CancelStep = "RECHECK"             // a success notification came for a closed payment: inquire
)

// RefundState is where one refund stands.
type RefundState string

// Refund states.
const (
	RefundPending   RefundState = "PENDING"   // committed with its refundRequestId, not answered yet
	RefundUnknown   RefundState = "UNKNOWN"   // sent, no verified final answer
	RefundSucceeded RefundState = "SUCCEEDED" // verified refund SUCCESS
	RefundFailed    RefundState = "FAILED"    // verified refund failure
)

// Refund is one refund of a payment. Its RequestID is derived from the
// payment's (paymentRequestId + "-R" + n), so a crash between send and
// commit can never create a second refund at the gateway.
type Refund struct {
	RequestID  string       `json:"refundRequestId"`
	Amount     money.Amount `json:"amount"`
	Reason     string       `json:"reason,omitempty"`
	State      RefundState  `json:"state"`
	RefundID   string       `json:"refundId,omitempty"`
	ResultCode string       `json:"resultCode,omitempty"`
	Attempts   int          `json:"attempts"`
	CreatedAt  time.Time    `json:"createdAt"`
	UpdatedAt  time.Time    `json:"updatedAt"`
}

// Payment is one attempt to take money for a sale: one paymentRequestId
// with the exact pay request body that is sent, byte for byte, on every
// retry. All deadlines are wall-clock instants so that a restart resumes
// the same schedule.
type Payment struct {
	RequestID string       `json:"paymentRequestId"`
	SaleID    string       `json:"saleId"`
	Scenario  Scenario     `json:"scenario"`
	Amount    money.Amount `json:"amount"`
	// Body is the pay request exactly as sent. A final record is stored
	// without it (encodePayment): no pay is ever sent for it again.
	Body []byte `json:"body,omitempty"`

	State      State  `json:"state"`
	PaymentID  string `json:"paymentId,omitempty"`
	ResultCode string `json:"resultCode,omitempty"` // code of the answer that decided the state
	QR         string `json:"qr,omitempty"`         // order code text to render (OrderCode)
	// Wallet and CustomerID are pspCustomerInfo's pspName and customer
	// id from the reply that proved the payment: printed on its receipts.
	Wallet     string `json:"wallet,omitempty"`
	CustomerID string `json:"customerId,omitempty"`

	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	ExpiresAt time.Time `json:"expiresAt"` // paymentExpiryTime (or the QR's expireTime if earlier)

	// Schedule: the next call, when it is due, and the sequence number an
	// answer must carry to count (older answers are ignored).
	Next  Op        `json:"next,omitempty"`
	DueAt time.Time `json:"dueAt,omitempty"`
	Seq   uint32    `json:"seq"`

	PayAttempts    int        `json:"payAttempts"`
	Inquiries      int        `json:"inquiries"`
	InquireUntil   time.Time  `json:"inquireUntil,omitempty"`
	CancelAttempts int        `json:"cancelAttempts"`
	CancelReason   string     `json:"cancelReason,omitempty"`
	CancelStep     CancelStep `json:"cancelStep,omitempty"`
	Reversal       bool       `json:"reversal,omitempty"` // cancelling a payment that had succeeded
	// VoidSlip: the cancel under way gives back money a verified answer
	// said was taken (a void, an abort whose pay came back paid, a payment
	// paid after it was declined or closed), so its success prints a void slip.
	VoidSlip bool `json:"voidSlip,omitempty"`
	// Declined is the code of a pay answered F. The till is told at once;
	// the record becomes FAILED only when a verified inquiry agrees.
	Declined string `json:"declined,omitempty"`
	// Reopened is the state a closed payment had when a verified success
	// notification reopened it for a check (CancelRecheck).
	Reopened      State  `json:"reopened,omitempty"`
	ReceiptIssued bool   `json:"receiptIssued,omitempty"`
	Attention     string `json:"attention,omitempty"` // why an operator should look

	Refunds []Refund `json:"refunds,omitempty"`
}

// Live reports whether the engine still has calls to make for p.
func (p *Payment) Live() bool { return p.Next != OpNone }

// RefundedTotal is the sum of refunds that succeeded or may still succeed
// (pending or unknown): the most that can have left the merchant.
func (p *Payment) RefundedTotal() int64 {
	var sum int64
	for _, r := range p.Refunds {
		if r.State != RefundFailed {
			sum += r.Amount.Value
		}
	}
	return sum
}

// activeRefund returns the index of the first refund still in flight, or -1.
func (p *Payment) activeRefund() int {
	for i, r := range p.Refunds {
		if r.State == RefundPending || r.State == RefundUnknown {
			return i
		}
	}
	return -1
}

// refundRequestID is the deterministic id of the n-th refund (n from 1):
// paymentRequestId + "-R" + n, at most 64 characters in every case
// (https://docs.antom.com/ac/ams/refund). When that would be longer, the
// payment's id is shortened and a hash of all of it keeps the id unique.
func refundRequestID(paymentRequestID string, n int) string {
	suffix := "-R" + strconv.Itoa(n)
	if len(paymentRequestID)+len(suffix) <= alipay.MaxIDLen {
		return paymentRequestID + suffix
	}
	sum := sha256.Sum256([]byte(paymentRequestID))
	hash := hex.EncodeToString(sum[:6])
	keep := max(alipay.MaxIDLen-len(suffix)-len(hash)-1, 0)
	return paymentRequestID[:keep] + "-" + hash + suffix
}

// Clone returns a deep copy, so a caller can keep a record while the engine
// moves on.
func (p Payment) Clone() Payment {
	p.Body = append([]byte(nil), p.Body...)
	p.Refunds = append([]Refund(nil), p.Refunds...)
	return p
}

// encodePayment is the stored form of a payment. A final record with no
// calls left is stored without its pay request: it can never be sent
// again, and without it the record is a third of the size (1.7 KB to 0.6
// KB for a paid sale), which is most of the outbox's file and of its pages
// that posd's memory map keeps resident.
func encodePayment(p *Payment) ([]byte, error) {
	if p.State.IsFinal() && !p.Live() && p.Body != nil {
		stored := *p
		stored.Body = nil
		return json.Marshal(&stored)
	}
	return json.Marshal(p)
}

// decodePayment reads a stored payment and checks that it is one this
// package could have written.
func decodePayment(data []byte) (Payment, error) {
	var p Payment
	if err := json.Unmarshal(data, &p); err != nil {
		return Payment{}, fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	if err := p.validate(); err != nil {
		return Payment{}, err
	}
	return p, nil
}

func (p *Payment) validate() error {
	if p.RequestID == "" || len(p.RequestID) > 64 {
		return fmt.Errorf("%w: paymentRequestId %q must be 1 to 64 characters", ErrBadRecord, p.RequestID)
	}
	if err := p.Amount.Validate(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBadRecord, p.RequestID, err)
	}
	switch p.State {
	case New, Sent, AwaitingBuyer, Unknown, Cancelling, NeedsAttention,
		Succeeded, Failed, Cancelled, Refunding, PartiallyRefunded, Refunded:
	default:
		return fmt.Errorf("%w: %s: unknown state %q", ErrBadRecord, p.RequestID, p.State)
	}
	switch p.Scenario {
	case PaymentCode, OrderCode, EntryCode:
	default:
		return fmt.Errorf("%w: %s: unknown scenario %q", ErrBadRecord, p.RequestID, p.Scenario)
	}
	var sum int64
	for _, r := range p.Refunds {
		if r.Amount.Currency != p.Amount.Currency || r.Amount.Value <= 0 {
			return fmt.Errorf("%w: %s: refund %s has amount %s", ErrBadRecord, p.RequestID, r.RequestID, r.Amount)
		}
		if r.State != RefundFailed {
			sum += r.Amount.Value
		}
	}
	if sum > p.Amount.Value {
		return fmt.Errorf("%w: %s: refunds exceed the payment", ErrBadRecord, p.RequestID)
	}
	return nil
}
