package queuetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
)

// Call names a gateway call, as passed to fault and hook functions.
type Call string

// Calls.
const (
	CallPay           Call = "pay"
	CallInquire       Call = "inquiryPayment"
	CallCancel        Call = "cancel"
	CallRefund        Call = "refund"
	CallInquireRefund Call = "inquiryRefund"
)

// Fault is what goes wrong with one call.
type Fault int

// Faults. Lost is the dangerous one: the gateway acted but the terminal
// never heard, exactly like a timeout after the request left.
const (
	NoFault  Fault = iota
	FailDial       // nothing sent: NotSent
	Drop           // request lost on the way: not performed, outcome unknown
	Lost           // performed, reply lost: outcome unknown
	Busy           // verified U (UNKNOWN_EXCEPTION), not performed
	// Replay: performed, and the reply replaced by a genuine one from
	// another request, as someone on the network path could: a decline
	// naming no payment for pay and refund, a FAIL of another payment for
	// inquiryPayment, a success naming no payment for cancel and
	// inquiryRefund.
	Replay
	// WrongAmount: performed; an inquiry reports this payment with another
	// amount (other calls answer as Replay).
	WrongAmount
)

// Payment codes that script the buyer in PaymentCode payments: the
// paymentMethodId starts with one of these.
const (
	CodePaid     = "2800" // paid at once
	CodeDeclined = "2801" // USER_BALANCE_NOT_ENOUGH
	CodePassword = "2802" // PAYMENT_IN_PROCESS, paid after two inquiries
	CodeNever    = "2803" // PAYMENT_IN_PROCESS, stays PROCESSING
)

// LedgerEntry is the gateway's view of one payment.
type LedgerEntry struct {
	RequestID string
	SaleID    string // order.referenceOrderId
	PaymentID string
	Amount    money.Amount
	Scenario  string
	Status    queue.PaymentStatus
	Reversed  bool                    // cancelled after it was paid
	Refunds   map[string]money.Amount // refundRequestId → amount, successful only
	PayCalls  int                     // pay requests that reached the gateway
	body      []byte
	code      string
	inquiries int
	paidAt    time.Time
	createdAt time.Time
}

// Gateway is an in-memory AMS ledger behind queue.Gateway, with scripted
// buyers and injectable faults. It keeps the gateway's rules that matter
// to the outbox: idempotent pay and refund ids, cancel reversing a paid
// payment inside the cancel window, refund totals.
type Gateway struct {
	mu     sync.Mutex
	now    func() time.Time
	ledger map[string]*LedgerEntry
	nextID int
	calls  map[Call]int
	// CancelWindow is how long after payment a paid payment can be
	// cancelled (reversed); after it cancel says CANCEL_WINDOW_EXCEED.
	CancelWindow time.Duration
	// Fault decides the fault of each call; nil means none.
	Fault func(c Call, id string) Fault
	// Before runs at the start of every call (tests block it to hold calls in flight).
	Before func(ctx context.Context, c Call)
	// Answer, when set, may script the answer to a call the gateway
	// performed: ok true answers with outcome and code instead (naming
	// the request when verified, as the gateway does).
	Answer func(c Call, id string) (o queue.Outcome, code string, ok bool)
	// OrderCodeBuyer, when set, scripts the buyer of an order code: the
	// code is paid once payAfter has passed since pay, if pays.
	OrderCodeBuyer func(requestID string) (payAfter time.Duration, pays bool)
	faults         int
}

// Faults returns how many calls a fault was injected into.
func (g *Gateway) Faults() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.faults
}

// NewGateway returns an empty ledger reading time from now.
func NewGateway(now func() time.Time) *Gateway {
	return &Gateway{now: now, ledger: map[string]*LedgerEntry{}, calls: map[Call]int{}, CancelWindow: 24 * time.Hour}
}

// Calls returns how many calls of kind c reached the gateway.
func (g *Gateway) Calls(c Call) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[c]
}

// Ledger returns a copy of the gateway's payments.
func (g *Gateway) Ledger() map[string]LedgerEntry {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]LedgerEntry{}
	for k, v := range g.ledger {
		e := *v
		e.Refunds = map[string]money.Amount{}
		for rk, rv := range v.Refunds {
			e.Refunds[rk] = rv
		}
		out[k] = e
	}
	return out
}

// BuyerPays is the buyer paying an order code.
func (g *Gateway) BuyerPays(requestID string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	e, ok := g.ledger[requestID]
	if !ok || e.Status != queue.StatusProcessing {
		return fmt.Errorf("queuetest: %s cannot be paid now", requestID)
	}
	g.markPaid(e)
	return nil
}

// PaidLate marks a payment the gateway holds as paid, whatever its status,
// as a pay processed late would: for tests of what posd does when a
// payment it closed turns out paid.
func (g *Gateway) PaidLate(requestID string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	e, ok := g.ledger[requestID]
	if !ok {
		return fmt.Errorf("queuetest: no payment %s", requestID)
	}
	g.markPaid(e)
	return nil
}

func (g *Gateway) markPaid(e *LedgerEntry) {
	e.Status = queue.StatusSuccess
	e.paidAt = g.now()
}

// do makes one call: the Before hook outside the lock (so a test can hold
// several calls in flight), the fault, the gateway's action under the lock,
// and the reply lost after acting.
func do[T any](g *Gateway, ctx context.Context, c Call, id string, act func() T, miss func(queue.Outcome) T) T {
	g.hook(ctx, c)
	g.mu.Lock()
	defer g.mu.Unlock()
	f, performed := g.start(ctx, c, id)
	if !performed {
		return miss(unsure(f))
	}
	r := act()
	if g.Answer != nil {
		if o, code, ok := g.Answer(c, id); ok {
			return scripted[T](c, id, o, code)
		}
	}
	switch f {
	case Lost:
		return miss(queue.Unsure)
	case Replay, WrongAmount:
		return replayed(c, f, id, r)
	}
	return r
}

// scripted is the answer Answer asked for.
func scripted[T any](c Call, id string, o queue.Outcome, code string) T {
	named := ""
	if o == queue.Success || o == queue.Failure || o == queue.InProcess {
		named = id
	}
	var out any
	switch c {
	case CallPay:
		out = queue.PayReply{Outcome: o, Code: code, RequestID: named}
	case CallInquire:
		out = queue.InquiryReply{Outcome: o, Code: code, RequestID: named}
	case CallCancel:
		out = queue.CancelReply{Outcome: o, Code: code, RequestID: named}
	default:
		out = queue.RefundReply{Outcome: o, Code: code, RefundRequestID: named}
	}
	return out.(T)
}

// replayed is the reply someone on the path puts in place of r.
func replayed[T any](c Call, f Fault, id string, r T) T {
	var out any
	switch c {
	case CallPay:
		out = queue.PayReply{Outcome: queue.Failure, Code: "PARAM_ILLEGAL"}
	case CallInquire:
		in := any(r).(queue.InquiryReply)
		other := money.Amount{Currency: "USD", Value: 1}
		if in.Amount != nil {
			other = money.Amount{Currency: in.Amount.Currency, Value: in.Amount.Value + 1}
		}
		if f == WrongAmount {
			out = queue.InquiryReply{Outcome: queue.Success, Code: "SUCCESS", Status: queue.StatusSuccess, RequestID: id, Amount: &other, PaymentID: in.PaymentID}
		} else {
			out = queue.InquiryReply{Outcome: queue.Success, Code: "SUCCESS", Status: queue.StatusFail, RequestID: "OTHER-" + id, Amount: &other}
		}
	case CallCancel:
		out = queue.CancelReply{Outcome: queue.Success, Code: "SUCCESS"}
	case CallRefund:
		out = queue.RefundReply{Outcome: queue.Failure, Code: "REFUND_AMOUNT_EXCEED"}
	case CallInquireRefund:
		out = queue.RefundReply{Outcome: queue.Success, Code: "SUCCESS", Status: queue.StatusFail}
	}
	return out.(T)
}

// hook runs Before outside the lock, so a test can hold several calls in flight.
func (g *Gateway) hook(ctx context.Context, c Call) {
	if g.Before != nil {
		g.Before(ctx, c)
	}
}

// start applies the fault; performed reports whether the gateway
// should act.
func (g *Gateway) start(ctx context.Context, c Call, id string) (Fault, bool) {
	f := NoFault
	if g.Fault != nil {
		f = g.Fault(c, id)
	}
	if f != NoFault {
		g.faults++
	}
	if f == FailDial || ctx.Err() != nil {
		return f, false
	}
	if f == Drop || f == Busy {
		return f, false
	}
	g.calls[c]++
	return f, true
}

func unsure(f Fault) queue.Outcome {
	switch f {
	case FailDial:
		return queue.NotSent
	case Busy:
		return queue.InProcess
	}
	return queue.Unsure
}

type payBody struct {
	PaymentRequestID string       `json:"paymentRequestId"`
	PaymentAmount    money.Amount `json:"paymentAmount"`
	Order            struct {
		ReferenceOrderID string `json:"referenceOrderId"`
	} `json:"order"`
	PaymentMethod struct {
		PaymentMethodID string `json:"paymentMethodId"`
	} `json:"paymentMethod"`
	PaymentFactor struct {
		Scenario string `json:"inStorePaymentScenario"`
	} `json:"paymentFactor"`
}

// Pay implements queue.Gateway.
func (g *Gateway) Pay(ctx context.Context, body []byte) queue.PayReply {
	var b payBody
	if err := json.Unmarshal(body, &b); err != nil || b.PaymentRequestID == "" {
		return queue.PayReply{Outcome: queue.Failure, Code: "PARAM_ILLEGAL"}
	}
	return do(g, ctx, CallPay, b.PaymentRequestID, func() queue.PayReply {
		e, seen := g.ledger[b.PaymentRequestID]
		if seen && string(e.body) != string(body) {
			// The real gateway compares key fields; byte equality is stricter.
			return queue.PayReply{Outcome: queue.Failure, Code: queue.CodeRepeatReqInconsistent, RequestID: b.PaymentRequestID}
		}
		if !seen {
			e = g.newEntry(b, body)
		}
		e.PayCalls++
		return g.payReplyLocked(e)
	}, func(o queue.Outcome) queue.PayReply { return queue.PayReply{Outcome: o} })
}

func (g *Gateway) newEntry(b payBody, body []byte) *LedgerEntry {
	g.nextID++
	e := &LedgerEntry{RequestID: b.PaymentRequestID, PaymentID: fmt.Sprintf("2026%08d", g.nextID),
		Amount: b.PaymentAmount, Scenario: b.PaymentFactor.Scenario, Status: queue.StatusProcessing,
		Refunds: map[string]money.Amount{}, body: append([]byte(nil), body...),
		code: b.PaymentMethod.PaymentMethodID, SaleID: b.Order.ReferenceOrderID, createdAt: g.now()}
	g.ledger[e.RequestID] = e
	if e.Scenario == string(queue.PaymentCode) {
		switch {
		case strings.HasPrefix(e.code, CodePaid):
			g.markPaid(e)
		case strings.HasPrefix(e.code, CodeDeclined):
			e.Status = queue.StatusFail
		}
	}
	return e
}

func (g *Gateway) payReplyLocked(e *LedgerEntry) queue.PayReply {
	r := g.payOutcomeLocked(e)
	r.RequestID = e.RequestID
	return r
}

func (g *Gateway) payOutcomeLocked(e *LedgerEntry) queue.PayReply {
	switch {
	case (e.Scenario == string(queue.OrderCode) || e.Scenario == string(queue.EntryCode)) && e.Status != queue.StatusFail:
		return queue.PayReply{Outcome: queue.Success, Code: "SUCCESS", PaymentID: e.PaymentID,
			QR: "https://qr.alipay.test/" + e.PaymentID, QRExpires: g.now().Add(2 * time.Minute)}
	case e.Status == queue.StatusSuccess:
		return queue.PayReply{Outcome: queue.Success, Code: "SUCCESS", PaymentID: e.PaymentID}
	case e.Status == queue.StatusFail:
		return queue.PayReply{Outcome: queue.Failure, Code: "USER_BALANCE_NOT_ENOUGH"}
	case e.Status == queue.StatusCancelled:
		return queue.PayReply{Outcome: queue.Failure, Code: "ORDER_IS_CANCELED"}
	}
	return queue.PayReply{Outcome: queue.InProcess, Code: "PAYMENT_IN_PROCESS"}
}

// InquirePayment implements queue.Gateway.
func (g *Gateway) InquirePayment(ctx context.Context, id string) queue.InquiryReply {
	return do(g, ctx, CallInquire, id, func() queue.InquiryReply {
		e, ok := g.ledger[id]
		if !ok {
			return queue.InquiryReply{Outcome: queue.Failure, Code: queue.CodeOrderNotExist}
		}
		e.inquiries++
		if e.Status == queue.StatusProcessing && strings.HasPrefix(e.code, CodePassword) && e.inquiries >= 2 {
			g.markPaid(e)
		}
		if e.Status == queue.StatusProcessing && (e.Scenario == string(queue.OrderCode) || e.Scenario == string(queue.EntryCode)) && g.OrderCodeBuyer != nil {
			if after, pays := g.OrderCodeBuyer(id); pays && g.now().Sub(e.createdAt) >= after {
				g.markPaid(e)
			}
		}
		amount := e.Amount
		return queue.InquiryReply{Outcome: queue.Success, Code: "SUCCESS", Status: e.Status, RequestID: id, Amount: &amount, PaymentID: e.PaymentID}
	}, func(o queue.Outcome) queue.InquiryReply { return queue.InquiryReply{Outcome: o} })
}

// Cancel implements queue.Gateway.
func (g *Gateway) Cancel(ctx context.Context, id string) queue.CancelReply {
	return do(g, ctx, CallCancel, id, func() queue.CancelReply { return g.cancelLocked(id) },
		func(o queue.Outcome) queue.CancelReply { return queue.CancelReply{Outcome: o} })
}

func (g *Gateway) cancelLocked(id string) queue.CancelReply {
	e, ok := g.ledger[id]
	if !ok {
		return queue.CancelReply{Outcome: queue.Failure, Code: queue.CodeOrderNotExist}
	}
	switch e.Status {
	case queue.StatusSuccess:
		if len(e.Refunds) > 0 || g.now().Sub(e.paidAt) > g.CancelWindow {
			return queue.CancelReply{Outcome: queue.Failure, Code: queue.CodeCancelWindowExceed}
		}
		e.Reversed = true
	case queue.StatusFail:
		return queue.CancelReply{Outcome: queue.Failure, Code: queue.CodeOrderStatusInvalid}
	}
	e.Status = queue.StatusCancelled
	return queue.CancelReply{Outcome: queue.Success, Code: "SUCCESS", RequestID: id}
}

// Refund implements queue.Gateway.
func (g *Gateway) Refund(ctx context.Context, r queue.RefundCall) queue.RefundReply {
	return do(g, ctx, CallRefund, r.RefundRequestID, func() queue.RefundReply {
		out := g.refundLocked(r)
		out.RefundRequestID = r.RefundRequestID
		if out.Outcome == queue.Success {
			amount := r.Amount
			out.Amount = &amount
		}
		return out
	}, func(o queue.Outcome) queue.RefundReply { return queue.RefundReply{Outcome: o} })
}

func (g *Gateway) refundLocked(r queue.RefundCall) queue.RefundReply {
	e, ok := g.ledger[r.PaymentRequestID]
	if !ok || (r.PaymentID != "" && r.PaymentID != e.PaymentID) {
		return queue.RefundReply{Outcome: queue.Failure, Code: queue.CodeOrderNotExist}
	}
	if done, ok := e.Refunds[r.RefundRequestID]; ok {
		if done != r.Amount {
			return queue.RefundReply{Outcome: queue.Failure, Code: queue.CodeRepeatReqInconsistent}
		}
		return queue.RefundReply{Outcome: queue.Success, Code: "SUCCESS", RefundID: "R" + r.RefundRequestID}
	}
	if e.Status == queue.StatusCancelled {
		return queue.RefundReply{Outcome: queue.Failure, Code: "ORDER_IS_CANCELED"}
	}
	if e.Status != queue.StatusSuccess {
		return queue.RefundReply{Outcome: queue.Failure, Code: queue.CodeOrderStatusInvalid}
	}
	var sum int64
	for _, a := range e.Refunds {
		sum += a.Value
	}
	if sum+r.Amount.Value > e.Amount.Value || r.Amount.Currency != e.Amount.Currency {
		return queue.RefundReply{Outcome: queue.Failure, Code: "REFUND_AMOUNT_EXCEED"}
	}
	e.Refunds[r.RefundRequestID] = r.Amount
	return queue.RefundReply{Outcome: queue.Success, Code: "SUCCESS", RefundID: "R" + r.RefundRequestID}
}

// InquireRefund implements queue.Gateway.
func (g *Gateway) InquireRefund(ctx context.Context, id string) queue.RefundReply {
	return do(g, ctx, CallInquireRefund, id, func() queue.RefundReply {
		for _, e := range g.ledger {
			if a, ok := e.Refunds[id]; ok {
				return queue.RefundReply{Outcome: queue.Success, Code: "SUCCESS", Status: queue.StatusSuccess, RefundID: "R" + id,
					RefundRequestID: id, Amount: &a}
			}
		}
		return queue.RefundReply{Outcome: queue.Failure, Code: queue.CodeOrderNotExist}
	}, func(o queue.Outcome) queue.RefundReply { return queue.RefundReply{Outcome: o} })
}
