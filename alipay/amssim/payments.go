package amssim

import (
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// payInput is what book.pay needs from a validated pay request.
type payInput struct {
	ClientID string
	Req      alipay.PayRequest
	Expiry   time.Duration // scaled default expiry
	Delay    time.Duration // scaled password delay
	Token    func() string // a fresh wallet token
	BaseURL  string        // for codeValue links
	// Registered reports whether a referenceMerchantId may take payments.
	Registered func(referenceMerchantID string) bool
	// Body is the request as received; SettlementCurrency its
	// settlementStrategy.settlementCurrency.
	Body               []byte
	SettlementCurrency string
}

// pay creates a payment or answers a repeat of one (reference §6, §8.1-8.5).
// The returned payment is nil when none was created.
func (b *book) pay(in payInput, now time.Time) (alipay.Result, *payment) {
	req := in.Req
	k := key(in.ClientID, req.PaymentRequestID)
	if p := b.Payments[k]; p != nil {
		// Idempotency: the key fields must match (https://docs.antom.com/ac/ams/idempotency).
		if p.Amount != req.PaymentAmount || p.MethodID != req.PaymentMethod.PaymentMethodID ||
			p.Scenario != req.PaymentFactor.InStorePaymentScenario {
			return fail(alipay.CodeRepeatReqInconsistent, "paymentRequestId reused with different key fields"), nil
		}
		b.advance(p, now)
		return b.repeatResult(p), p
	}
	if in.Registered != nil && !in.Registered(req.Order.Merchant.ReferenceMerchantID) {
		return fail(alipay.CodeMerchantNotRegistered, "referenceMerchantId is not registered"), nil
	}
	expires := now.Add(in.Expiry)
	if !req.PaymentExpiryTime.Time.IsZero() {
		expires = req.PaymentExpiryTime.Time
		if !expires.After(now) {
			return fail(alipay.CodeParamIllegal, "paymentExpiryTime is not in the future"), nil
		}
	}
	p := &payment{
		Payment: Payment{
			ClientID:         in.ClientID,
			PaymentRequestID: req.PaymentRequestID,
			PaymentID:        b.nextID(now),
			Scenario:         req.PaymentFactor.InStorePaymentScenario,
			Status:           StatusProcessing,
			ResultCode:       alipay.CodePaymentInProcess,
			Amount:           req.PaymentAmount,
			Refunded:         money.Amount{Currency: req.PaymentAmount.Currency},
			CreatedAt:        now,
			ExpiresAt:        expires,
			UserAgent:        req.Order.Env.UserAgent,
			FirstRequest:     string(in.Body),

			SettlementCurrency: in.SettlementCurrency,
		},
		MethodID:            req.PaymentMethod.PaymentMethodID,
		NotifyURL:           req.PaymentNotifyURL,
		OrderDescription:    req.Order.OrderDescription,
		MerchantName:        req.Order.Merchant.MerchantName,
		ReferenceMerchantID: req.Order.Merchant.ReferenceMerchantID,
		Seq:                 b.Seq,
	}
	if c := b.Pending[k]; c != nil {
		p.Calls = *c
		delete(b.Pending, k)
	}
	b.Payments[k] = p
	b.byPaymentID[key(in.ClientID, p.PaymentID)] = k
	b.order = append(b.order, p)
	b.live[k] = p

	if p.Scenario != alipay.ScenarioPaymentCode {
		p.Behaviour = BehaviourCustomer
		p.Token = in.Token()
		for b.byToken[p.Token] != "" {
			p.Token = in.Token()
		}
		b.byToken[p.Token] = k
		p.CodeValue = in.BaseURL + walletPath + p.Token
		r := resultSuccess
		p.PayResult = &r
		return r, p
	}
	p.Behaviour = behaviourOf(p.MethodID)
	switch p.Behaviour {
	case BehaviourPaid:
		b.finish(p, StatusSuccess, alipay.CodeSuccess, now)
	case BehaviourInsufficient:
		b.finish(p, StatusFail, alipay.CodeUserBalanceNotEnough, now)
	case BehaviourInvalidCode:
		b.finish(p, StatusFail, alipay.CodeInvalidPaymentCode, now)
	case BehaviourExpiredCode:
		b.finish(p, StatusFail, alipay.CodeExpiredCode, now)
	case BehaviourPasswordPaid, BehaviourPasswordDeclined:
		p.SettleAt = now.Add(in.Delay)
	}
	return b.repeatResult(p), p
}

// repeatResult is the pay result for the payment as it stands: the first
// final result once there is one; a closed or cancelled payment answers
// ORDER_IS_CLOSED / ORDER_IS_CANCELED.
func (b *book) repeatResult(p *payment) alipay.Result {
	if p.Status == StatusCancelled {
		if p.Closed {
			return fail(alipay.CodeOrderIsClosed, "payment expired unpaid")
		}
		return fail(alipay.CodeOrderIsCanceled, "payment was cancelled")
	}
	if p.PayResult != nil {
		return *p.PayResult
	}
	var r alipay.Result
	switch p.Status {
	case StatusSuccess:
		r = resultSuccess
	case StatusFail:
		r = fail(p.ResultCode, "payment failed")
	default:
		return resultInProcess
	}
	p.PayResult = &r
	return r
}

// inquire answers inquiryPayment: the inquiry works (S) whenever the
// payment exists; its status is in the payment.
func (b *book) inquire(clientID, requestID, paymentID string, now time.Time) (alipay.Result, *payment) {
	p := b.find(clientID, requestID, paymentID)
	if p == nil {
		return resultNotExist, nil
	}
	b.advance(p, now)
	return resultSuccess, p
}

// cancel closes an unpaid payment or reverses a paid one, in full, inside
// the window (https://docs.antom.com/ac/ams/paymentc).
func (b *book) cancel(clientID, requestID, paymentID string, window time.Duration, now time.Time) (alipay.Result, *payment) {
	p := b.find(clientID, requestID, paymentID)
	if p == nil {
		return resultNotExist, nil
	}
	b.advance(p, now)
	if p.Status == StatusCancelled {
		return resultSuccess, p // idempotent: already closed or cancelled
	}
	// The window bounds reversing money; an unpaid payment can always be
	// closed, as its expiry would close it anyway.
	if p.Status != StatusProcessing && now.After(p.CreatedAt.Add(window)) {
		return fail(alipay.CodeCancelWindowExceed, "outside the cancel window: refund instead"), p
	}
	if p.Status == StatusSuccess && p.Refunded.Value > 0 {
		return fail(alipay.CodeOrderStatusInvalid, "partly refunded: cannot be reversed in full"), p
	}
	p.Reversed = p.Status == StatusSuccess
	p.Status, p.ResultCode, p.CancelledAt = StatusCancelled, alipay.CodeOrderIsCanceled, now
	p.SettleAt = time.Time{}
	return resultSuccess, p
}

// refundInput is a validated refund request.
type refundInput struct {
	ClientID string
	Req      alipay.RefundRequest
	Window   time.Duration
	Delay    time.Duration // how long the refund stays PROCESSING; 0: done at once
}

// refund returns part or all of a successful payment; the total never
// exceeds it (https://docs.antom.com/ac/ams/refund, reference §8.8).
func (b *book) refund(in refundInput, now time.Time) (alipay.Result, *Refund) {
	req := in.Req
	k := key(in.ClientID, req.RefundRequestID)
	if r := b.Refunds[k]; r != nil {
		if r.PaymentID != req.PaymentID || r.Amount != req.RefundAmount {
			return fail(alipay.CodeRepeatReqInconsistent, "refundRequestId reused with different data"), nil
		}
		advanceRefund(r, now)
		if r.Status == alipay.RefundStatusProcessing {
			return resultRefundInProcess, r
		}
		return resultSuccess, r
	}
	p := b.find(in.ClientID, "", req.PaymentID)
	if p == nil {
		return resultNotExist, nil
	}
	b.advance(p, now)
	switch {
	case p.Status == StatusCancelled:
		return fail(alipay.CodeOrderIsCanceled, "payment was cancelled"), nil
	case p.Status != StatusSuccess:
		return fail(alipay.CodeOrderStatusInvalid, "payment is not successful"), nil
	case req.RefundAmount.Currency != p.Amount.Currency:
		return fail(alipay.CodeCurrencyNotSupport, "refund currency differs from the payment's"), nil
	case now.After(p.FinishedAt.Add(in.Window)):
		return fail(alipay.CodeRefundWindowExceed, "outside the refund window"), nil
	}
	total, err := p.Refunded.Add(req.RefundAmount)
	if err != nil || total.Value > p.Amount.Value {
		return fail(alipay.CodeRefundAmountExceed, "refunds would exceed the payment"), nil
	}
	p.Refunded = total
	r := &Refund{
		ClientID:          in.ClientID,
		RefundRequestID:   req.RefundRequestID,
		RefundID:          b.nextID(now),
		PaymentID:         p.PaymentID,
		PaymentRequestID:  p.PaymentRequestID,
		ReferenceRefundID: req.ReferenceRefundID,
		Amount:            req.RefundAmount,
		Status:            alipay.RefundStatusSuccess,
		CreatedAt:         now,
		RefundTime:        now,
	}
	res := resultSuccess
	if in.Delay > 0 {
		// The money is committed to the refund (the total stays bounded)
		// but it completes later.
		r.Status, r.RefundTime, r.CompleteAt = alipay.RefundStatusProcessing, time.Time{}, now.Add(in.Delay)
		res = resultRefundInProcess
	}
	if c := b.PendingRefunds[k]; c != nil {
		r.Calls = *c
		delete(b.PendingRefunds, k)
	}
	b.Refunds[k] = r
	b.byRefundID[key(in.ClientID, r.RefundID)] = k
	if r.Status == alipay.RefundStatusProcessing {
		b.liveRefunds[k] = r
	}
	return res, r
}

// findRefund looks a refund up by refundId (which wins) or refundRequestId.
func (b *book) findRefund(clientID, requestID, refundID string) *Refund {
	if refundID != "" {
		return b.Refunds[b.byRefundID[key(clientID, refundID)]]
	}
	return b.Refunds[key(clientID, requestID)]
}

// Customer actions on the wallet page and at POST /sim/customer.
const (
	ActionPay          = "pay"
	ActionDecline      = "decline"
	ActionInsufficient = "insufficient"
	ActionScan         = "scan"
)

// customer applies what the customer did to the payment behind a wallet token.
func (b *book) customer(token, action string, now time.Time) (*payment, error) {
	p := b.Payments[b.byToken[token]]
	if p == nil {
		return nil, ErrNoSuchCode
	}
	switch action {
	case ActionPay, ActionDecline, ActionInsufficient, ActionScan:
	default:
		return p, ErrBadAction
	}
	b.advance(p, now)
	if p.Status != StatusProcessing {
		return p, ErrNotPayable
	}
	switch action {
	case ActionPay:
		b.finish(p, StatusSuccess, alipay.CodeSuccess, now)
	case ActionDecline:
		b.finish(p, StatusFail, codeCustomerDeclined, now)
	case ActionInsufficient:
		b.finish(p, StatusFail, alipay.CodeUserBalanceNotEnough, now)
	case ActionScan:
		p.ScannedAt = now
	}
	return p, nil
}
