package queue

import (
	"time"

	"github.com/posd/posd/money"
)

// Outcome is how a gateway call ended, as the alipay client reports it.
// Only Success and Failure are verified final answers; only NotSent is
// safe to retry with certainty.
type Outcome string

// Outcomes.
const (
	Success   Outcome = "SUCCESS"    // signature-verified resultStatus S
	Failure   Outcome = "FAILURE"    // signature-verified resultStatus F; Code says why
	InProcess Outcome = "IN_PROCESS" // signature-verified U (PAYMENT_IN_PROCESS, UNKNOWN_EXCEPTION, ...)
	Unsure    Outcome = "UNKNOWN"    // timeout, reset, non-200, unsigned or unverifiable reply
	NotSent   Outcome = "NOT_SENT"   // the dial failed before any byte of the request left
)

// Result codes the transitions act on (section 8 of the AMS reference).
const (
	CodeOrderNotExist         = "ORDER_NOT_EXIST"
	CodeCancelWindowExceed    = "CANCEL_WINDOW_EXCEED"
	CodeOrderStatusInvalid    = "ORDER_STATUS_INVALID"
	CodeRepeatReqInconsistent = "REPEAT_REQ_INCONSISTENT"
	CodeTrafficExceedLimit    = "REQUEST_TRAFFIC_EXCEED_LIMIT"
	CodeNotSent               = "NOT_SENT"           // local: pay never left the terminal
	CodeDiscarded             = "DISCARDED_NOT_SENT" // local: NEW record found at restart
	CodeNotCreated            = "NOT_CREATED"        // local: cancel and a later inquiry both said ORDER_NOT_EXIST
	CodeLocalInvalid          = "LOCAL_INVALID"      // local: the request could not be encoded; nothing was sent
)

// Attention reasons the outbox sets itself (Payment.Attention).
const (
	AttentionPaidAfterDecline = "paid after the till showed it declined: giving the money back"
	AttentionPaidAfterClose   = "paid after it was closed: giving the money back"
	// AttentionRefundUnconfirmed: no verified answer about a refund for
	// Policy.RefundAttentionAfter (a gateway that refuses it without
	// naming it, or no answer at all). It is still asked about with the
	// same refundRequestId, which cannot refund twice; the flag goes
	// when the refund is settled.
	AttentionRefundUnconfirmed = "refund not confirmed by the gateway: still asking with the same refundRequestId"
)

// PaymentStatus is inquiryPayment's paymentStatus
// (https://docs.antom.com/ac/ams/paymentri).
type PaymentStatus string

// Payment statuses.
const (
	StatusSuccess    PaymentStatus = "SUCCESS"
	StatusFail       PaymentStatus = "FAIL"
	StatusCancelled  PaymentStatus = "CANCELLED"
	StatusProcessing PaymentStatus = "PROCESSING"
)

// Every reply names the request it answers (RequestID, RefundRequestID)
// and, where the gateway returns it, the amount. step treats a Success,
// Failure or InProcess that does not name this record's request and amount
// as Unsure: a genuine reply replayed from another request must never
// decide a payment (https://docs.antom.com/ac/ams/idempotency). Code may
// be set on an Unsure reply too, from a body that could not be trusted; it
// is read only to raise alerts, never to move money.

// PayReply is the answer to pay.
type PayReply struct {
	Outcome   Outcome
	Code      string
	RequestID string // paymentRequestId the reply names
	PaymentID string
	QR        string    // OrderCode: the TEXT/QRCODE codeValue to render; EntryCode: redirectActionForm.redirectUrl
	QRExpires time.Time // OrderCode: orderCodeForm.expireTime, zero if absent
	Buyer     Buyer
}

// Buyer is who paid, as the gateway names them for receipts
// (pspCustomerInfo): the wallet and the masked customer id. Both are
// display text from the network: buyerOf keeps them short and printable.
type Buyer struct {
	Wallet     string
	CustomerID string
}

// InquiryReply is the answer to inquiryPayment. Outcome is about the
// inquiry itself; Status is the payment's status when Outcome is Success.
type InquiryReply struct {
	Outcome   Outcome
	Code      string
	Status    PaymentStatus
	RequestID string // paymentRequestId the reply names
	Buyer     Buyer
	Amount    *money.Amount // paymentAmount the reply names
	PaymentID string
}

// CancelReply is the answer to cancel.
type CancelReply struct {
	Outcome   Outcome
	Code      string
	RequestID string // paymentRequestId the reply names
}

// RefundReply is the answer to refund or inquiryRefund. For inquiryRefund
// Status carries refundStatus (SUCCESS, PROCESSING, FAIL) when Outcome is
// Success.
type RefundReply struct {
	Outcome         Outcome
	Code            string
	RefundRequestID string        // refundRequestId the reply names
	Amount          *money.Amount // refundAmount the reply names, if any
	RefundID        string
	Status          PaymentStatus
}
