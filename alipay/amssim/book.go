package amssim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// Payment statuses, as inquiryPayment reports them (https://docs.antom.com/ac/ams/paymentri).
const (
	StatusProcessing = alipay.PaymentStatusProcessing
	StatusSuccess    = alipay.PaymentStatusSuccess
	StatusFail       = alipay.PaymentStatusFail
	StatusCancelled  = alipay.PaymentStatusCancelled
)

// Calls counts the requests received that concern one payment, including
// those a fault dropped.
type Calls struct {
	Pay            int `json:"pay"`
	InquiryPayment int `json:"inquiryPayment"`
	Cancel         int `json:"cancel"`
	Refund         int `json:"refund"`
	InquiryRefund  int `json:"inquiryRefund"` // inquiries of this payment's refunds
}

// Payment is one payment as the gateway knows it: the ground truth.
type Payment struct {
	ClientID         string          `json:"clientId"`
	PaymentRequestID string          `json:"paymentRequestId"`
	PaymentID        string          `json:"paymentId"`
	Scenario         alipay.Scenario `json:"scenario"`
	// UserAgent is order.env.userAgent as received (the wallet's, for EntryCode).
	UserAgent string `json:"userAgent,omitempty"`
	// SettlementCurrency is settlementStrategy.settlementCurrency as received.
	SettlementCurrency string       `json:"settlementCurrency,omitempty"`
	Behaviour          Behaviour    `json:"behaviour"`
	Status             string       `json:"status"`               // PROCESSING, SUCCESS, FAIL, CANCELLED
	ResultCode         string       `json:"resultCode,omitempty"` // paymentResultCode: why it is in that status
	Amount             money.Amount `json:"amount"`
	Refunded           money.Amount `json:"refunded"`
	Reversed           bool         `json:"reversed"` // paid, then cancelled: the money went back
	CreatedAt          time.Time    `json:"createdAt"`
	ExpiresAt          time.Time    `json:"expiresAt"`
	FinishedAt         time.Time    `json:"finishedAt,omitzero"` // paymentTime: when it became SUCCESS or FAIL
	CancelledAt        time.Time    `json:"cancelledAt,omitzero"`
	ScannedAt          time.Time    `json:"scannedAt,omitzero"`
	CodeValue          string       `json:"codeValue,omitempty"`
	Calls              Calls        `json:"calls"`
	Notification       *Delivery    `json:"notification,omitempty"`
	// FirstRequest is the body of the pay request that created the
	// payment, byte for byte (a string, so that no JSON re-indenting
	// touches it).
	FirstRequest string `json:"firstRequest,omitempty"`
}

// RefundCalls counts the requests received that concern one refund.
type RefundCalls struct {
	Refund        int `json:"refund"`
	InquiryRefund int `json:"inquiryRefund"`
}

// Refund is one accepted refund.
type Refund struct {
	ClientID          string       `json:"clientId"`
	RefundRequestID   string       `json:"refundRequestId"`
	RefundID          string       `json:"refundId"`
	PaymentID         string       `json:"paymentId"`
	PaymentRequestID  string       `json:"paymentRequestId"`
	ReferenceRefundID string       `json:"referenceRefundId,omitempty"`
	Amount            money.Amount `json:"amount"`
	Status            string       `json:"status"` // PROCESSING (see Config.RefundDelay), then SUCCESS
	CreatedAt         time.Time    `json:"createdAt"`
	CompleteAt        time.Time    `json:"completeAt,omitzero"` // when a PROCESSING refund becomes SUCCESS
	RefundTime        time.Time    `json:"refundTime,omitzero"` // when it became SUCCESS
	Calls             RefundCalls  `json:"calls"`
}

// Ledger is the ground truth served at GET /sim/ledger, payments and
// refunds in creation order.
type Ledger struct {
	Payments      []Payment      `json:"payments"`
	Refunds       []Refund       `json:"refunds"`
	Registrations []Registration `json:"registrations"`
}

// payment is a Payment plus what the simulator needs to answer for it.
type payment struct {
	Payment
	MethodID            string          `json:"paymentMethodId,omitempty"`
	NotifyURL           string          `json:"paymentNotifyUrl,omitempty"`
	Token               string          `json:"token,omitempty"`
	SettleAt            time.Time       `json:"settleAt,omitzero"` // when a password code settles
	Closed              bool            `json:"closed,omitempty"`  // cancelled by expiry, not by a cancel call
	PayResult           *alipay.Result  `json:"payResult,omitempty"`
	OrderDescription    string          `json:"orderDescription"`
	MerchantName        string          `json:"merchantName"`
	ReferenceMerchantID string          `json:"referenceMerchantId"`
	Seq                 uint64          `json:"seq"`
	NotifyBody          json.RawMessage `json:"notifyBody,omitempty"`
}

// book is the simulator's whole state. Its methods are the gateway's
// decisions: pure, given the time, with no I/O.
type book struct {
	Seq           uint64                   `json:"seq"`
	Payments      map[string]*payment      `json:"payments"`
	Refunds       map[string]*Refund       `json:"refunds"`
	Registrations map[string]*registration `json:"registrations"`
	// Pending counts calls for payments that do not exist (yet): a pay
	// dropped before processing, an inquiry of an unknown id.
	Pending map[string]*Calls `json:"pendingCalls"`
	// PendingRefunds does the same for refunds, by refundRequestId.
	PendingRefunds map[string]*RefundCalls `json:"pendingRefundCalls"`

	byPaymentID map[string]string // client+paymentId -> key
	byToken     map[string]string // wallet token -> key
	byRefundID  map[string]string // client+refundId -> key
	// order is every payment in creation order; live the payments that
	// can still change on their own (PROCESSING, or a notification to
	// deliver) and liveRefunds the PROCESSING refunds, so that the work
	// done per request does not grow with the ledger.
	order       []*payment
	live        map[string]*payment
	liveRefunds map[string]*Refund
}

func newBook() *book {
	b := &book{
		Payments:       map[string]*payment{},
		Refunds:        map[string]*Refund{},
		Registrations:  map[string]*registration{},
		Pending:        map[string]*Calls{},
		PendingRefunds: map[string]*RefundCalls{},
	}
	b.index()
	return b
}

// index rebuilds the lookup maps (after loading a state file).
func (b *book) index() {
	if b.Payments == nil {
		b.Payments = map[string]*payment{}
	}
	if b.Refunds == nil {
		b.Refunds = map[string]*Refund{}
	}
	if b.Registrations == nil {
		b.Registrations = map[string]*registration{}
	}
	if b.Pending == nil {
		b.Pending = map[string]*Calls{}
	}
	if b.PendingRefunds == nil {
		b.PendingRefunds = map[string]*RefundCalls{}
	}
	b.byPaymentID, b.byToken, b.byRefundID = map[string]string{}, map[string]string{}, map[string]string{}
	b.order, b.live, b.liveRefunds = nil, map[string]*payment{}, map[string]*Refund{}
	for k, p := range b.Payments {
		b.byPaymentID[key(p.ClientID, p.PaymentID)] = k
		if p.Token != "" {
			b.byToken[p.Token] = k
		}
		b.order = append(b.order, p)
		if p.isLive() {
			b.live[k] = p
		}
	}
	slices.SortFunc(b.order, func(x, y *payment) int { return cmp.Compare(x.Seq, y.Seq) })
	for k, r := range b.Refunds {
		b.byRefundID[key(r.ClientID, r.RefundID)] = k
		if r.Status == alipay.RefundStatusProcessing {
			b.liveRefunds[k] = r
		}
	}
}

// isLive reports whether a payment can still change without a request.
func (p *payment) isLive() bool {
	return p.Status == StatusProcessing || p.Notification != nil && !p.Notification.Acked && !p.Notification.GaveUp
}

// key scopes an id to the merchant: ids are unique per client id only.
func key(clientID, id string) string { return clientID + " " + id }

func (b *book) nextID(now time.Time) string {
	b.Seq++
	return fmt.Sprintf("%s%08d", now.UTC().Format("20060102150405"), b.Seq)
}

// find looks a payment up by paymentId (which wins) or paymentRequestId.
func (b *book) find(clientID, requestID, paymentID string) *payment {
	if paymentID != "" {
		return b.Payments[b.byPaymentID[key(clientID, paymentID)]]
	}
	return b.Payments[key(clientID, requestID)]
}

// count records a received call. Calls for a payment that does not exist
// are kept under its request id and added when it is created.
func (b *book) count(clientID, requestID, paymentID string, bump func(*Calls)) {
	if p := b.find(clientID, requestID, paymentID); p != nil {
		bump(&p.Calls)
		return
	}
	if requestID == "" {
		return // an unknown paymentId names nothing we could ever match
	}
	k := key(clientID, requestID)
	if b.Pending[k] == nil {
		b.Pending[k] = &Calls{}
	}
	bump(b.Pending[k])
}

// countRefund records a refund or inquiryRefund call, like count.
func (b *book) countRefund(clientID, requestID, refundID string, bump func(*RefundCalls)) {
	if r := b.findRefund(clientID, requestID, refundID); r != nil {
		bump(&r.Calls)
		return
	}
	if requestID == "" {
		return
	}
	k := key(clientID, requestID)
	if b.PendingRefunds[k] == nil {
		b.PendingRefunds[k] = &RefundCalls{}
	}
	bump(b.PendingRefunds[k])
}

// advance applies what time did to a payment: a password code settling,
// or expiry closing an unpaid payment. It reports whether the status changed.
func (b *book) advance(p *payment, now time.Time) bool {
	if p.Status != StatusProcessing {
		return false
	}
	settles := !p.SettleAt.IsZero() && !now.Before(p.SettleAt)
	expires := p.Behaviour != BehaviourNoAnswer && !now.Before(p.ExpiresAt)
	switch {
	case settles && (!expires || !p.SettleAt.After(p.ExpiresAt)):
		if p.Behaviour == BehaviourPasswordPaid {
			b.finish(p, StatusSuccess, alipay.CodeSuccess, p.SettleAt)
		} else {
			b.finish(p, StatusFail, alipay.CodeUserPaymentVerificationFailed, p.SettleAt)
		}
	case expires:
		p.Status, p.ResultCode, p.Closed, p.CancelledAt = StatusCancelled, alipay.CodeOrderIsClosed, true, p.ExpiresAt
	default:
		return false
	}
	return true
}

// finish makes a payment SUCCESS or FAIL and queues its notification.
func (b *book) finish(p *payment, status, code string, at time.Time) {
	p.Status, p.ResultCode, p.FinishedAt = status, code, at
	if p.NotifyURL == "" {
		return
	}
	p.NotifyBody = paymentNotification(p)
	p.Notification = &Delivery{URL: p.NotifyURL, ClientID: p.ClientID, NextAt: at}
}

// advanceAll advances every live payment, refund and registration; the
// worker calls it.
func (b *book) advanceAll(now time.Time) bool {
	changed := false
	for k, p := range b.live {
		changed = b.advance(p, now) || changed
		if !p.isLive() {
			delete(b.live, k)
		}
	}
	for _, r := range b.Registrations {
		changed = b.advanceRegistration(r, now) || changed
	}
	for k, r := range b.liveRefunds {
		changed = advanceRefund(r, now) || changed
		if r.Status != alipay.RefundStatusProcessing {
			delete(b.liveRefunds, k)
		}
	}
	return changed
}

// livePayments lists the live payments in creation order.
func (b *book) livePayments() []*payment {
	out := make([]*payment, 0, len(b.live))
	for _, p := range b.live {
		out = append(out, p)
	}
	slices.SortFunc(out, func(x, y *payment) int { return cmp.Compare(x.Seq, y.Seq) })
	return out
}

// advanceRefund completes a PROCESSING refund whose time has come.
func advanceRefund(r *Refund, now time.Time) bool {
	if r.Status != alipay.RefundStatusProcessing || now.Before(r.CompleteAt) {
		return false
	}
	r.Status, r.RefundTime = alipay.RefundStatusSuccess, r.CompleteAt
	return true
}

// nextEvent is the earliest future moment at which something happens on
// its own: a settle, an expiry, a notification attempt.
func (b *book) nextEvent() time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, p := range b.live {
		if p.Status == StatusProcessing {
			consider(p.SettleAt)
			if p.Behaviour != BehaviourNoAnswer {
				consider(p.ExpiresAt)
			}
		}
		if d := p.Notification; d != nil && d.pending() {
			consider(d.NextAt)
		}
	}
	for _, r := range b.Registrations {
		if r.Status == RegistrationProcessing {
			consider(r.CompleteAt)
		}
		if d := r.Notification; d != nil && d.pending() {
			consider(d.NextAt)
		}
	}
	for _, r := range b.liveRefunds {
		if r.Status == alipay.RefundStatusProcessing {
			consider(r.CompleteAt)
		}
	}
	return next
}

func result(status alipay.ResultStatus, code, message string) alipay.Result {
	return alipay.Result{ResultStatus: status, ResultCode: code, ResultMessage: message}
}

var (
	resultSuccess   = result(alipay.StatusSuccess, alipay.CodeSuccess, "success")
	resultInProcess = result(alipay.StatusUnknown, alipay.CodePaymentInProcess, "payment in process")
	resultNotExist  = result(alipay.StatusFailure, alipay.CodeOrderNotExist, "order does not exist")
	// resultRefundInProcess answers a refund accepted but not yet done;
	// the refund pages send U for "retry or inquire"
	// (https://docs.antom.com/ac/ams/refund).
	resultRefundInProcess = result(alipay.StatusUnknown, codeRefundInProcess, "refund is being processed")
)

func fail(code, message string) alipay.Result { return result(alipay.StatusFailure, code, message) }
