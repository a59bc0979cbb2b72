package queue

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// PaymentRequest is what the terminal hands the outbox to take money: the
// encoded pay body (from alipay.EncodePay, sent byte for byte on every
// retry) and the fields the outbox needs to track it.
type PaymentRequest struct {
	RequestID string // paymentRequestId inside Body
	SaleID    string // the sale this attempt pays for (order.referenceOrderId)
	Scenario  Scenario
	Amount    money.Amount // paymentAmount inside Body
	Body      []byte
	ExpiresAt time.Time // paymentExpiryTime inside Body; zero = contract default
}

// newPayment returns the record for a new attempt, in state SENT with the
// first pay due at once: it is committed just before the first pay byte
// leaves, so NEW and SENT are one commit (one fsync) in posd.
func newPayment(req PaymentRequest, now time.Time, pol *Policy) (Payment, error) {
	if err := alipay.CheckRequestID("paymentRequestId", req.RequestID); err != nil {
		return Payment{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if req.SaleID == "" {
		return Payment{}, fmt.Errorf("%w: %s has no sale id", ErrInvalid, req.RequestID)
	}
	if req.Scenario != PaymentCode && !req.Scenario.buyerScans() {
		return Payment{}, fmt.Errorf("%w: %s: unknown scenario %q", ErrInvalid, req.RequestID, req.Scenario)
	}
	if err := req.Amount.Validate(); err != nil {
		return Payment{}, fmt.Errorf("%w: %s: %w", ErrInvalid, req.RequestID, err)
	}
	if err := checkBody(&req); err != nil {
		return Payment{}, err
	}
	exp := req.ExpiresAt
	if exp.IsZero() {
		exp = now.Add(pol.DefaultExpiry)
	}
	return Payment{
		RequestID: req.RequestID,
		SaleID:    req.SaleID,
		Scenario:  req.Scenario,
		Amount:    req.Amount,
		Body:      append([]byte(nil), req.Body...),
		State:     Sent,
		CreatedAt: now,
		UpdatedAt: now,
		ExpiresAt: exp,
		Next:      OpPay,
		DueAt:     now,
		Seq:       1,
	}, nil
}

// checkBody makes sure the body that will be sent is the payment being
// recorded: a body for another id or amount would be persisted under one
// paymentRequestId and charged under another.
func checkBody(req *PaymentRequest) error {
	var b struct {
		PaymentRequestID string        `json:"paymentRequestId"`
		PaymentAmount    *money.Amount `json:"paymentAmount"`
		PaymentFactor    struct {
			Scenario Scenario `json:"inStorePaymentScenario"`
		} `json:"paymentFactor"`
	}
	if len(req.Body) == 0 {
		return fmt.Errorf("%w: %s has no request body", ErrInvalid, req.RequestID)
	}
	if err := json.Unmarshal(req.Body, &b); err != nil {
		return fmt.Errorf("%w: %s: request body is not JSON: %v", ErrInvalid, req.RequestID, err)
	}
	switch {
	case b.PaymentRequestID != req.RequestID:
		return fmt.Errorf("%w: body is for paymentRequestId %q, not %q", ErrInvalid, b.PaymentRequestID, req.RequestID)
	case b.PaymentAmount == nil || *b.PaymentAmount != req.Amount:
		return fmt.Errorf("%w: %s: body's paymentAmount differs from %s", ErrInvalid, req.RequestID, req.Amount)
	case b.PaymentFactor.Scenario != req.Scenario:
		return fmt.Errorf("%w: %s: body's scenario %q is not %s", ErrInvalid, req.RequestID, b.PaymentFactor.Scenario, req.Scenario)
	}
	return nil
}

// checkNewAttempt decides whether a sale may start another payment attempt,
// given the attempts already recorded for it: never while one is still in
// flight (two live attempts could both be paid), never once one was paid,
// even if it was refunded since (the gateway would then hold two successful
// payments for one sale: ring it up as a new sale instead).
func checkNewAttempt(saleID string, attempts []Payment) error {
	for i := range attempts {
		a := &attempts[i]
		if a.SaleID != saleID {
			continue
		}
		if a.State.Paid() || a.State == Refunded {
			return fmt.Errorf("%w: sale %s by %s", ErrSalePaid, saleID, a.RequestID)
		}
		if !a.State.IsFinal() {
			return fmt.Errorf("%w: sale %s has %s in %s", ErrSaleBusy, saleID, a.RequestID, a.State)
		}
	}
	return nil
}
