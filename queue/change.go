package queue

import (
	"time"

	"github.com/posd/posd/money"
)

// ChangeKind names a state change subscribers are told about.
type ChangeKind string

// Changes.
const (
	ChangeQRReady        ChangeKind = "qr-ready"        // order code to show (Change.QR)
	ChangeSucceeded      ChangeKind = "succeeded"       // verified paid: hand over the goods
	ChangeFailed         ChangeKind = "failed"          // verified not paid
	ChangeCancelled      ChangeKind = "cancelled"       // closed or reversed by cancel
	ChangeNeedsAttention ChangeKind = "needs-attention" // an operator should look (Change.Attention)
	ChangeReceiptReady   ChangeKind = "receipt-ready"   // a print job was committed (Change.PrintJob)
	ChangeRefunding      ChangeKind = "refunding"       // a refund was committed and will be sent
	ChangeRefunded       ChangeKind = "refunded"        // a refund succeeded (Change.RefundID)
	ChangeRefundFailed   ChangeKind = "refund-failed"   // a refund was declined (Change.Code)
	ChangeUnwritable     ChangeKind = "unwritable"      // the database refused a write: no new payments
	ChangePruned         ChangeKind = "pruned"          // the retention ran (Change.Pruned records deleted)
	ChangeStopped        ChangeKind = "stopped"         // a merchant or configuration code: no new payments (Change.Code, Err)
)

// Change is what subscribers receive. It is a copy: holding it never
// holds up the engine.
type Change struct {
	Kind      ChangeKind
	RequestID string // paymentRequestId
	SaleID    string
	State     State
	Amount    money.Amount
	QR        string
	ExpiresAt time.Time // the payment's paymentExpiryTime
	// OwnRefund: the refund is the outbox's own, for money taken after the
	// cashier or the deadline cancelled the payment (not a void, not a
	// refund someone asked for).
	OwnRefund bool
	Code      string // result code that decided the state
	Attention string
	RefundID  string // refundRequestId for refund changes
	PrintJob  uint64 // ChangeReceiptReady
	Pruned    int    // ChangePruned
	At        time.Time
	Err       error // ChangeUnwritable, ChangeStopped
}
