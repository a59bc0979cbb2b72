package queue

import (
	"fmt"
	"time"

	"github.com/posd/posd/money"
)

// eventKind names what happened to a payment.
type eventKind string

// Events. The *Answer events carry a gateway reply and the Seq of the call
// they answer; the others come from the cashier or from a restart.
const (
	evPayAnswer           eventKind = "pay-answer"
	evInquiryAnswer       eventKind = "inquiry-answer"
	evCancelAnswer        eventKind = "cancel-answer"
	evRefundAnswer        eventKind = "refund-answer"
	evRefundInquiryAnswer eventKind = "refund-inquiry-answer"
	evAbort               eventKind = "abort"          // cashier abandons a pending payment
	evVoid                eventKind = "void"           // cashier reverses a succeeded payment
	evRequestRefund       eventKind = "request-refund" // cashier refunds part or all of a payment
	evRestart             eventKind = "restart"        // the process started and found the record
	// evPaidNotice is a verified notifyPayment saying the payment succeeded
	// (https://docs.antom.com/ac/ams/paymentrn).
	evPaidNotice eventKind = "paid-notice"
)

// event is one input to step.
type event struct {
	Kind    eventKind
	At      time.Time // wall clock when it happened
	Seq     uint32    // for answers: Payment.Seq when the call was made
	Pay     PayReply
	Inquiry InquiryReply
	Cancel  CancelReply
	Refund  RefundReply
	// evRequestRefund only.
	RefundAmount money.Amount
	Reason       string
}

// actionKind names a side effect of a transition. The gateway call that
// comes next is not an action: it is in the record (Next, DueAt), committed
// before it is made.
type actionKind string

// Actions.
const (
	actNotify actionKind = "notify" // tell subscribers (after commit)
	actPrint  actionKind = "print"  // create a print job (in the same transaction)
)

// ReceiptKind says what a print job prints.
type ReceiptKind string

// Receipt kinds.
const (
	SaleReceipt   ReceiptKind = "sale"
	RefundReceipt ReceiptKind = "refund"
	VoidReceipt   ReceiptKind = "void" // a succeeded payment was reversed by cancel
)

// action is one side effect of a transition.
type action struct {
	Kind     actionKind
	Change   ChangeKind  // actNotify
	Receipt  ReceiptKind // actPrint
	RefundID string      // actPrint of a RefundReceipt, actNotify of refund changes: the refundRequestId
}

// step is the outbox's whole decision logic: given a record and an event it
// returns the next record and the side effects, with no I/O. It returns an
// error only for cashier requests that are refused (the record is then
// returned unchanged). Answers that do not match the call the record waits
// for (late, duplicated, or from before a restart) change nothing.
func step(p Payment, ev event, pol *Policy) (Payment, []action, error) {
	p = p.Clone()
	m := machine{p: &p, pol: pol, now: ev.At}
	var err error
	switch ev.Kind {
	case evPayAnswer, evInquiryAnswer, evCancelAnswer, evRefundAnswer, evRefundInquiryAnswer:
		ev = m.bound(ev)
		if !m.expects(ev) {
			m.late(ev)
			break
		}
		m.answer(ev)
	case evPaidNotice:
		m.paidNotice()
	case evAbort:
		err = m.abort()
	case evVoid:
		err = m.void()
	case evRequestRefund:
		err = m.requestRefund(ev.RefundAmount, ev.Reason)
	case evRestart:
		m.restart()
	default:
		err = fmt.Errorf("%w: unknown event %q", ErrRefused, ev.Kind)
	}
	if err != nil {
		return p, nil, err
	}
	if m.changed {
		p.UpdatedAt = ev.At
	}
	return p, m.actions, nil
}

type machine struct {
	p       *Payment
	pol     *Policy
	now     time.Time
	actions []action
	changed bool
}

// expects reports whether ev answers the call p is waiting for.
func (m *machine) expects(ev event) bool {
	want := map[eventKind]Op{
		evPayAnswer: OpPay, evInquiryAnswer: OpInquire, evCancelAnswer: OpCancel,
		evRefundAnswer: OpRefund, evRefundInquiryAnswer: OpInquireRefund,
	}[ev.Kind]
	return m.p.Next == want && m.p.Seq == ev.Seq
}

// bound makes an answer that is not about this record's request Unsure:
// a genuine reply replayed from another request, or one naming none, must
// decide nothing. Replies to pay and refund must always name the request;
// inquiry and cancel replies when they report success (the gateway returns
// the ids only then), and an inquiry's success must name the stored
// amount. A reply naming another request is never trusted.
func (m *machine) bound(ev event) event {
	p := m.p
	verified := func(o Outcome) bool { return o == Success || o == Failure || o == InProcess }
	about := func(o Outcome, named, want string, always bool) bool {
		return !verified(o) || named == want || (named == "" && !always && o != Success)
	}
	switch ev.Kind {
	case evPayAnswer:
		if !about(ev.Pay.Outcome, ev.Pay.RequestID, p.RequestID, true) {
			ev.Pay.Outcome = Unsure
		}
	case evInquiryAnswer:
		r := &ev.Inquiry
		if !about(r.Outcome, r.RequestID, p.RequestID, false) ||
			r.Outcome == Success && (r.Amount == nil || *r.Amount != p.Amount) {
			r.Outcome = Unsure
		}
	case evCancelAnswer:
		if !about(ev.Cancel.Outcome, ev.Cancel.RequestID, p.RequestID, false) {
			ev.Cancel.Outcome = Unsure
		}
	case evRefundAnswer, evRefundInquiryAnswer:
		r := &ev.Refund
		i := p.activeRefund()
		if i < 0 {
			break
		}
		ref := p.Refunds[i]
		if !about(r.Outcome, r.RefundRequestID, ref.RequestID, ev.Kind == evRefundAnswer) ||
			verified(r.Outcome) && r.Amount != nil && *r.Amount != ref.Amount {
			r.Outcome = Unsure
		}
	}
	return ev
}

// late handles an answer to a call the record no longer waits for. It
// changes no schedule; but if it is a verified "paid" for a payment being
// cancelled (a cashier abort that crossed a paid pay), the cancel now gives
// money back, and its success prints a void slip.
func (m *machine) late(ev event) {
	p := m.p
	if !m.inCancel() || p.VoidSlip {
		return
	}
	paid := ev.Kind == evPayAnswer && ev.Pay.Outcome == Success && p.Scenario == PaymentCode ||
		ev.Kind == evInquiryAnswer && ev.Inquiry.Outcome == Success && ev.Inquiry.Status == StatusSuccess
	if paid {
		p.VoidSlip = true
		m.changed = true
	}
}

func (m *machine) answer(ev event) {
	switch ev.Kind {
	case evPayAnswer:
		m.payAnswered(ev.Pay)
	case evInquiryAnswer:
		if m.inCancel() {
			m.cancelInquiryAnswered(ev.Inquiry)
		} else {
			m.inquiryAnswered(ev.Inquiry)
		}
	case evCancelAnswer:
		m.cancelAnswered(ev.Cancel)
	case evRefundAnswer:
		m.refundAnswered(ev.Refund)
	case evRefundInquiryAnswer:
		m.refundInquiryAnswered(ev.Refund)
	}
}

func (m *machine) inCancel() bool {
	return m.p.State == Cancelling || m.p.State == NeedsAttention
}

func (m *machine) schedule(op Op, at time.Time) {
	m.p.Next, m.p.DueAt = op, at
	m.p.Seq++
	m.changed = true
}

func (m *machine) after(d time.Duration, n int) time.Time {
	return m.now.Add(m.pol.jittered(d, m.p.RequestID, n))
}

func (m *machine) notify(c ChangeKind, refundID string) {
	m.actions = append(m.actions, action{Kind: actNotify, Change: c, RefundID: refundID})
}

func (m *machine) finish(s State, code string) {
	told := s == Failed && m.p.Declined != "" // the till heard "declined" already
	m.p.State, m.p.ResultCode = s, code
	m.p.Next, m.p.DueAt = OpNone, time.Time{}
	m.p.Seq++
	m.changed = true
	if told {
		return
	}
	switch s {
	case Failed:
		m.notify(ChangeFailed, "")
	case Cancelled:
		m.notify(ChangeCancelled, "")
	}
}

// issueReceipt prints the sale receipt, once per payment whatever happens.
func (m *machine) issueReceipt() {
	if m.p.ReceiptIssued {
		return
	}
	m.p.ReceiptIssued = true
	m.actions = append(m.actions, action{Kind: actPrint, Receipt: SaleReceipt})
}

// buyer keeps who paid, for the receipt, from the reply that proved it.
func (m *machine) buyer(b Buyer) {
	if b.Wallet != "" {
		m.p.Wallet = b.Wallet
	}
	if b.CustomerID != "" {
		m.p.CustomerID = b.CustomerID
	}
}

func (m *machine) succeed(paymentID string) {
	if paymentID != "" {
		m.p.PaymentID = paymentID
	}
	m.finish(Succeeded, "SUCCESS")
	m.issueReceipt()
	m.notify(ChangeSucceeded, "")
}

func (m *machine) startInquiries(since time.Time) {
	m.p.State = Unknown
	m.p.Inquiries = 0
	m.p.InquireUntil = since.Add(time.Duration(m.pol.MaxInquiries+1) * m.pol.InquiryInterval)
	m.schedule(OpInquire, m.now)
}

func (m *machine) startCancel(reason string) {
	m.p.State = Cancelling
	m.p.CancelReason = reason
	m.p.CancelStep = CancelSending
	m.p.CancelAttempts = 0
	m.schedule(OpCancel, m.now)
}

func (m *machine) attention(why string) {
	if why != "" {
		m.p.Attention = why
	}
	if m.p.State != NeedsAttention {
		m.p.State = NeedsAttention
		m.notify(ChangeNeedsAttention, "")
	}
	m.changed = true
}

func (m *machine) payAnswered(r PayReply) {
	p := m.p
	p.PayAttempts++
	switch r.Outcome {
	case NotSent:
		if p.State == Sent && m.now.Before(p.CreatedAt.Add(m.pol.PayResendFor)) {
			m.schedule(OpPay, m.after(m.pol.PayResendDelay, p.PayAttempts))
			return
		}
		if p.State == Sent {
			// Every attempt failed before a byte left: nothing exists at the gateway.
			m.finish(Failed, CodeNotSent)
			return
		}
		m.payUnsure()
	case Success:
		if p.Scenario == PaymentCode {
			m.buyer(r.Buyer)
			m.succeed(r.PaymentID)
			return
		}
		if r.QR == "" {
			// S without a code to show: the buyer cannot pay it; resolve by inquiry.
			m.startInquiries(m.now)
			return
		}
		p.State, p.QR = AwaitingBuyer, r.QR
		if r.PaymentID != "" {
			p.PaymentID = r.PaymentID
		}
		if !r.QRExpires.IsZero() && r.QRExpires.Before(p.ExpiresAt) {
			p.ExpiresAt = r.QRExpires
		}
		p.Inquiries = 0
		p.InquireUntil = p.ExpiresAt.Add(m.pol.ExpiryGrace)
		m.schedule(OpInquire, m.after(m.pol.InquiryInterval, 0))
		m.notify(ChangeQRReady, "")
	case Failure:
		if r.Code == CodeRepeatReqInconsistent {
			// Same id, different data: a local bug. What the first request
			// did is unknown, so find out instead of calling it failed.
			// The payment stays UNKNOWN (resolved by inquiry, then
			// cancel); an operator is told.
			m.startInquiries(m.now)
			p.Attention = r.Code
			m.notify(ChangeNeedsAttention, "")
			return
		}
		m.declined(r.Code)
	default: // InProcess, Unsure
		m.payUnsure()
		if r.Code == CodeTrafficExceedLimit && p.Next == OpInquire {
			// Rate limited: back off before the first inquiry (section 8.5).
			p.DueAt = m.after(m.pol.InquiryInterval, 0)
		}
	}
}

// declined handles a pay answered F, whatever the code. The till may say
// "declined" at once, but the record becomes FAILED only when a verified
// inquiry agrees: a genuine F replayed in place of the real answer must not
// hide a charge. If the inquiry finds it paid, the payment is reversed (or
// refunded) and an operator is told.
func (m *machine) declined(code string) {
	p := m.p
	p.Declined, p.ResultCode = code, code
	m.startInquiries(m.now)
	m.notify(ChangeFailed, "")
}

// paidUnwanted handles a verified SUCCESS for a payment the till has
// already given up on (declined, or closed before a success notification):
// the money goes back by cancel (a void slip when it succeeds), or by
// refund once the cancel window has passed.
func (m *machine) paidUnwanted(paymentID, why string) {
	p := m.p
	if paymentID != "" {
		p.PaymentID = paymentID
	}
	p.VoidSlip = true
	m.startCancel(why)
	m.attention(why)
}

// payUnsure handles a pay whose outcome is not known. An OrderCode pay may
// be repeated with the same bytes a few times to obtain the code; a
// PaymentCode pay is never repeated once a byte may have left.
func (m *machine) payUnsure() {
	p := m.p
	if p.Scenario.buyerScans() && p.PayAttempts < m.pol.OrderCodePayTries {
		p.State = Unknown
		m.schedule(OpPay, m.after(m.pol.PayResendDelay, p.PayAttempts))
		return
	}
	m.startInquiries(m.now)
}

// closedByInquiry finishes the payment on a verified FAIL or CANCELLED
// status and reports whether it did.
func (m *machine) closedByInquiry(r InquiryReply) bool {
	if r.Outcome != Success {
		return false
	}
	switch r.Status {
	case StatusFail:
		m.finish(Failed, nonEmpty(r.Code, "FAIL"))
		return true
	case StatusCancelled:
		m.finish(Cancelled, nonEmpty(r.Code, "CANCELLED"))
		return true
	}
	return false
}

func (m *machine) inquiryAnswered(r InquiryReply) {
	p := m.p
	if p.Declined != "" {
		switch {
		case r.Outcome == Success && (r.Status == StatusFail || r.Status == StatusCancelled),
			r.Outcome == Failure && r.Code == CodeOrderNotExist:
			m.finish(Failed, p.Declined) // the inquiry agrees: declined, nothing taken
			return
		case r.Outcome == Success && r.Status == StatusSuccess:
			m.paidUnwanted(r.PaymentID, AttentionPaidAfterDecline)
			return
		}
	}
	if m.closedByInquiry(r) {
		return
	}
	if r.Outcome == Success && r.Status == StatusSuccess {
		m.buyer(r.Buyer)
		m.succeed(r.PaymentID)
		return
	}
	if r.Outcome == Failure && r.Code != CodeOrderNotExist {
		// The inquiry itself was refused (auth, parameters): the payment
		// stays unknown and the reference SDK moves to cancel.
		p.Attention = r.Code
		m.startCancel("inquiry refused: " + r.Code)
		return
	}
	p.Inquiries++
	if !m.now.Before(p.InquireUntil) || (p.State == Unknown && p.Inquiries >= m.pol.MaxInquiries) {
		reason := "no final status after inquiries"
		if p.State == AwaitingBuyer {
			reason = "order code expired unpaid"
		}
		m.startCancel(reason)
		return
	}
	pause := m.pol.InquiryInterval
	if r.Code == CodeTrafficExceedLimit {
		pause *= 2
	}
	m.schedule(OpInquire, m.after(pause, p.Inquiries))
}

func (m *machine) cancelAnswered(r CancelReply) {
	p := m.p
	switch {
	case r.Outcome == Success:
		m.finish(Cancelled, "SUCCESS")
		if p.Reversal || p.VoidSlip {
			m.actions = append(m.actions, action{Kind: actPrint, Receipt: VoidReceipt})
		}
	case r.Outcome == Failure && r.Code == CodeCancelWindowExceed:
		p.CancelStep = CancelWindowExceeded
		m.schedule(OpInquire, m.now)
	case r.Outcome == Failure && r.Code == CodeOrderStatusInvalid:
		p.CancelStep = CancelStatusInvalid
		m.schedule(OpInquire, m.now)
	case r.Outcome == Failure && r.Code == CodeOrderNotExist:
		// One ORDER_NOT_EXIST does not prove nothing was charged: a delayed
		// pay may still create it. Confirm once the payment has expired (9.6).
		p.CancelStep = CancelConfirmMissing
		at := p.ExpiresAt.Add(m.pol.ExpiryGrace)
		if at.Before(m.now) {
			at = m.now
		}
		m.schedule(OpInquire, at)
	default:
		if r.Outcome == Failure {
			p.Attention = r.Code
		}
		m.cancelSetback(OpCancel)
	}
}

// cancelSetback schedules the next try of a cancel-phase call after a
// failure, escalating to NEEDS_ATTENTION after the reference SDK's five
// attempts (docs/payments.md, Cancel).
func (m *machine) cancelSetback(op Op) {
	p := m.p
	p.CancelAttempts++
	if p.CancelAttempts >= len(m.pol.CancelBackoff) {
		m.attention("")
	}
	m.schedule(op, m.after(m.pol.cancelPause(p.CancelAttempts), p.CancelAttempts))
}

func (m *machine) cancelInquiryAnswered(r InquiryReply) {
	p := m.p
	if p.CancelStep == CancelRecheck {
		m.recheckAnswered(r)
		return
	}
	if m.closedByInquiry(r) {
		return
	}
	if r.Outcome == Success {
		switch r.Status {
		case StatusSuccess:
			m.paidWhileCancelling(r.PaymentID)
			return
		case StatusProcessing:
			if p.CancelStep == CancelWindowExceeded {
				m.attention(CodeCancelWindowExceed)
				m.schedule(OpInquire, m.after(m.pol.CancelRetry, p.CancelAttempts))
				return
			}
			// Not paid yet and cancellable again: close it.
			p.CancelStep = CancelSending
			m.cancelSetback(OpCancel)
			return
		}
	}
	if r.Outcome == Failure && r.Code == CodeOrderNotExist && p.CancelStep == CancelConfirmMissing {
		m.finish(Failed, CodeNotCreated)
		return
	}
	if p.CancelStep == CancelWindowExceeded {
		m.attention(CodeCancelWindowExceed)
	}
	m.cancelSetback(OpInquire)
}

// paidNotice handles a verified success notification. For a payment posd
// closed unpaid (FAILED, CANCELLED) it decides nothing by itself, but the
// record is reopened for an inquiry: if the gateway says paid, the money
// is given back (paidUnwanted). Other records are left to their schedule.
func (m *machine) paidNotice() {
	p := m.p
	if p.State != Failed && p.State != Cancelled {
		return
	}
	p.Reopened = p.State
	p.State = Cancelling
	p.CancelStep = CancelRecheck
	p.CancelAttempts = 0
	m.schedule(OpInquire, m.now)
}

// recheckAnswered is the answer to the inquiry a late success
// notification asked for.
func (m *machine) recheckAnswered(r InquiryReply) {
	p := m.p
	switch {
	case r.Outcome == Success && r.Status == StatusSuccess:
		p.CancelStep = CancelSending // Reopened stays: the record of why
		m.paidUnwanted(r.PaymentID, AttentionPaidAfterClose)
	case r.Outcome == Success && (r.Status == StatusFail || r.Status == StatusCancelled),
		r.Outcome == Failure && r.Code == CodeOrderNotExist:
		// Not paid, as recorded: back to where it was, without a word to the till.
		p.State, p.Reopened, p.CancelStep = p.Reopened, "", CancelSending
		p.Next, p.DueAt = OpNone, time.Time{}
		p.Seq++
		m.changed = true
	default:
		m.cancelSetback(OpInquire)
	}
}

// paidWhileCancelling handles a verified SUCCESS found while cancelling:
// the money was taken and cancel can no longer return it, so the receipt
// is printed (once) and the whole remaining amount is refunded.
func (m *machine) paidWhileCancelling(paymentID string) {
	p := m.p
	if paymentID != "" {
		p.PaymentID = paymentID
	}
	p.CancelStep = CancelSending
	m.issueReceipt()
	rest := p.Amount.Value - p.RefundedTotal()
	if rest > 0 {
		m.addRefund(money.Amount{Currency: p.Amount.Currency, Value: rest}, "cancel not possible: "+p.CancelReason)
	}
	m.settleRefunds()
}

func (m *machine) addRefund(a money.Amount, reason string) {
	p := m.p
	id := refundRequestID(p.RequestID, len(p.Refunds)+1)
	p.Refunds = append(p.Refunds, Refund{
		RequestID: id, Amount: a, Reason: reason, State: RefundPending,
		CreatedAt: m.now, UpdatedAt: m.now,
	})
	m.changed = true
}

// settleRefunds starts the next refund in line or, when none is left,
// settles the payment's state from the refunds that succeeded.
func (m *machine) settleRefunds() {
	p := m.p
	if i := p.activeRefund(); i >= 0 {
		if p.State != Refunding {
			p.State = Refunding
			m.notify(ChangeRefunding, p.Refunds[i].RequestID)
		}
		m.schedule(OpRefund, m.now)
		return
	}
	var done int64
	for _, r := range p.Refunds {
		if r.State == RefundSucceeded {
			done += r.Amount.Value
		}
	}
	state := PartiallyRefunded
	switch done {
	case 0:
		state = Succeeded
	case p.Amount.Value:
		state = Refunded
	}
	p.State = state
	p.Next, p.DueAt = OpNone, time.Time{}
	p.Seq++
	m.changed = true
}

// refundOverdue tells a person once about refund i when it is still not
// settled RefundAttentionAfter after it was made.
func (m *machine) refundOverdue(i int) {
	ref := &m.p.Refunds[i]
	if m.p.Attention != "" || m.pol.RefundAttentionAfter <= 0 || m.now.Before(ref.CreatedAt.Add(m.pol.RefundAttentionAfter)) {
		return
	}
	m.p.Attention = AttentionRefundUnconfirmed
	m.notify(ChangeNeedsAttention, ref.RequestID)
}

// refundSettled drops the flag refundOverdue raised.
func (m *machine) refundSettled() {
	if m.p.Attention == AttentionRefundUnconfirmed {
		m.p.Attention = ""
	}
}

func (m *machine) refundDone(i int, r RefundReply) {
	m.refundSettled()
	ref := &m.p.Refunds[i]
	ref.State, ref.ResultCode, ref.UpdatedAt = RefundSucceeded, "SUCCESS", m.now
	if r.RefundID != "" {
		ref.RefundID = r.RefundID
	}
	m.actions = append(m.actions, action{Kind: actPrint, Receipt: RefundReceipt, RefundID: ref.RequestID})
	m.notify(ChangeRefunded, ref.RequestID)
	m.settleRefunds()
}

func (m *machine) refundFailed(i int, code string) {
	m.refundSettled()
	ref := &m.p.Refunds[i]
	ref.State, ref.ResultCode, ref.UpdatedAt = RefundFailed, code, m.now
	if code == CodeRepeatReqInconsistent {
		m.p.Attention = code
	}
	m.notify(ChangeRefundFailed, ref.RequestID)
	m.settleRefunds()
}

// refundPause is the wait before asking again about refund i: every
// RefundPoll during the first RefundPollFor, then every RefundRetry.
func (m *machine) refundPause(i int) time.Time {
	ref := &m.p.Refunds[i]
	d := m.pol.RefundRetry
	if m.now.Before(ref.CreatedAt.Add(m.pol.RefundPollFor)) {
		d = m.pol.RefundPoll
	}
	return m.after(d, ref.Attempts)
}

func (m *machine) refundAnswered(r RefundReply) {
	i := m.p.activeRefund()
	if i < 0 { // cannot happen for a record step produced; stay safe on stored data
		m.settleRefunds()
		return
	}
	ref := &m.p.Refunds[i]
	ref.Attempts++
	switch {
	case r.Outcome == Success:
		m.refundDone(i, r)
	case r.Outcome == Failure && r.Code == CodeOrderStatusInvalid:
		// The payment is not settled as successful yet: try again later.
		m.schedule(OpRefund, m.after(m.pol.RefundRetry, ref.Attempts))
	case r.Outcome == Failure:
		m.refundFailed(i, r.Code)
	case r.Outcome == NotSent && r.Code == CodeLocalInvalid:
		// The request cannot be encoded, so it can never be sent: a bug,
		// not a refund to retry for ever. Nothing left the terminal.
		m.p.Attention = CodeLocalInvalid
		m.refundFailed(i, CodeLocalInvalid)
	case r.Outcome == NotSent:
		m.schedule(OpRefund, m.refundPause(i))
		m.refundOverdue(i)
	default:
		ref.State = RefundUnknown
		m.schedule(OpInquireRefund, m.refundPause(i))
		m.refundOverdue(i)
	}
}

func (m *machine) refundInquiryAnswered(r RefundReply) {
	i := m.p.activeRefund()
	if i < 0 {
		m.settleRefunds()
		return
	}
	ref := &m.p.Refunds[i]
	ref.Attempts++
	switch {
	case r.Outcome == Success && r.Status == StatusSuccess:
		m.refundDone(i, r)
	case r.Outcome == Success && r.Status == StatusFail:
		m.refundFailed(i, nonEmpty(r.Code, "FAIL"))
	case r.Outcome == Success && r.Status == StatusProcessing:
		m.schedule(OpInquireRefund, m.refundPause(i))
		m.refundOverdue(i)
	default:
		// Not found, refused or no answer: send the same refund again;
		// the same refundRequestId cannot refund twice
		// (https://docs.antom.com/ac/ams/refund).
		m.schedule(OpRefund, m.refundPause(i))
		m.refundOverdue(i)
	}
}

func (m *machine) abort() error {
	p := m.p
	switch p.State {
	case New:
		m.finish(Failed, CodeDiscarded)
	case Sent, Unknown, AwaitingBuyer:
		m.startCancel("cashier abort")
	case Cancelling, NeedsAttention:
		// Already being cancelled.
	default:
		return fmt.Errorf("%w: payment %s is %s", ErrFinal, p.RequestID, p.State)
	}
	return nil
}

func (m *machine) void() error {
	p := m.p
	if p.State != Succeeded || len(p.Refunds) > 0 {
		return fmt.Errorf("%w: payment %s is %s", ErrNotVoidable, p.RequestID, p.State)
	}
	p.Reversal, p.VoidSlip = true, true
	m.startCancel("void")
	return nil
}

func (m *machine) requestRefund(a money.Amount, reason string) error {
	p := m.p
	if !p.State.Paid() {
		return fmt.Errorf("%w: payment %s is %s", ErrNotRefundable, p.RequestID, p.State)
	}
	if a.Currency != p.Amount.Currency {
		return fmt.Errorf("%w: refund in %s of a payment in %s", ErrNotRefundable, a.Currency, p.Amount.Currency)
	}
	if err := a.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrNotRefundable, err)
	}
	if a.Value > p.Amount.Value-p.RefundedTotal() {
		left := money.Amount{Currency: p.Amount.Currency, Value: p.Amount.Value - p.RefundedTotal()}
		return fmt.Errorf("%w: %s asked, %s left to refund", ErrRefundExceeds, a, left)
	}
	m.addRefund(a, reason)
	if p.State != Refunding {
		m.settleRefunds()
	}
	return nil
}

// restart is applied to every stored record when the process starts (9.9).
// Answers to calls made before the restart can no longer arrive, and any
// that do are ignored (Seq moves on).
func (m *machine) restart() {
	p := m.p
	switch p.State {
	case New:
		m.finish(Failed, CodeDiscarded)
	case Sent:
		// The pay may or may not have left before the crash: never resend a
		// PaymentCode pay, inquire instead, on a schedule counted from the
		// first send so a late restart still cancels in time.
		m.startInquiries(p.CreatedAt)
		if p.Scenario.buyerScans() {
			// Its code may have been shown (AWAITING_BUYER is written with
			// the next commit, not before the QR: needsCommit): give the
			// buyer until the code expires, as AWAITING_BUYER does.
			if until := p.ExpiresAt.Add(m.pol.ExpiryGrace); until.After(p.InquireUntil) {
				p.InquireUntil = until
			}
		}
	default:
		if p.Next != OpNone {
			p.Seq++
		}
	}
}

// needsCommit reports whether a transition must reach the disk before the
// call it schedules. Polls that only move an inquiry (or a resend of a pay
// that never left) along the same state need not: their deadlines were
// committed when the state was entered, and after a crash an inquiry more
// or less is harmless. Skipping them spares the SD card one commit (two
// fdatasyncs) every 3 s while a buyer looks for their phone.
//
// Leaving SENT for AWAITING_BUYER (the order code) or for UNKNOWN with
// inquiries need not either: that is what a restart makes of a SENT record
// anyway (inquiries, until the code expires for an order code), and the pay
// was committed before it left. So the QR is shown as soon as the verified
// pay answer is in, with one commit (two fdatasyncs) between Enter and the
// QR, and the new state is written with the record's next commit (issue 17).
func needsCommit(before, after *Payment, acts []action) bool {
	if restartWouldDo(before, after, acts) {
		return false
	}
	if len(acts) > 0 || before.State != after.State || before.Next != after.Next ||
		before.CancelStep != after.CancelStep || before.Attention != after.Attention ||
		before.VoidSlip != after.VoidSlip {
		return true
	}
	switch after.Next {
	case OpInquire, OpInquireRefund:
		return false
	case OpPay:
		return after.State != Sent && after.State != Unknown
	}
	return true
}

// restartWouldDo reports whether a transition only does what a restart
// does with the SENT record it leaves: inquire (until the code expires, for
// an order code), having shown nothing but the QR. A decline, an attention
// or a result is never among them: the till acts on those.
func restartWouldDo(before, after *Payment, acts []action) bool {
	if before.State != Sent || after.Next != OpInquire || after.Declined != before.Declined ||
		after.Attention != before.Attention || after.ResultCode != before.ResultCode || after.VoidSlip != before.VoidSlip {
		return false
	}
	switch after.State {
	case Unknown:
		return len(acts) == 0
	case AwaitingBuyer:
		for _, a := range acts {
			if a.Kind != actNotify || a.Change != ChangeQRReady {
				return false
			}
		}
		return true
	}
	return false
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
