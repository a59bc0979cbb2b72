package queue

import (
	"context"
	"time"

	"github.com/posd/posd/money"
)

// Gateway is what the engine needs from the AMS client. Every method sends
// one request and reports how it ended; none retries on its own (retries
// are the outbox's decisions, so they survive restarts). An implementation
// must report Success or Failure only for signature-verified answers, and
// NotSent only when no byte of the request can have reached the gateway.
type Gateway interface {
	// Pay sends the stored pay request body exactly as given, with a fresh
	// Request-Time and signature (https://docs.antom.com/ac/ams/upm).
	Pay(ctx context.Context, body []byte) PayReply
	// InquirePayment asks for a payment by paymentRequestId
	// (https://docs.antom.com/ac/ams/paymentri).
	InquirePayment(ctx context.Context, paymentRequestID string) InquiryReply
	// Cancel cancels by paymentRequestId (https://docs.antom.com/ac/ams/paymentc).
	Cancel(ctx context.Context, paymentRequestID string) CancelReply
	// Refund sends a refund (https://docs.antom.com/ac/ams/refund).
	Refund(ctx context.Context, r RefundCall) RefundReply
	// InquireRefund asks for a refund by refundRequestId
	// (https://docs.antom.com/ac/ams/ir).
	InquireRefund(ctx context.Context, refundRequestID string) RefundReply
}

// RefundCall is one refund request. PaymentRequestID is given so that an
// implementation can look the paymentId up when the outbox does not have it.
type RefundCall struct {
	RefundRequestID  string
	PaymentID        string
	PaymentRequestID string
	Amount           money.Amount
	Reason           string
}

// Clock is the engine's time source; tests drive it by hand.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
