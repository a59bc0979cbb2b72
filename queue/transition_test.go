package queue

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func usd(v int64) money.Amount { return money.Amount{Currency: "USD", Value: v} }

// testBody is the smallest pay body newPayment accepts for id.
func testBody(id string, sc Scenario, minor int64) []byte {
	return fmt.Appendf(nil, `{"paymentRequestId":%q,"paymentAmount":{"currency":"USD","value":"%d"},"paymentFactor":{"inStorePaymentScenario":%q}}`, id, minor, sc)
}

func newTestPayment(t testing.TB, id string, sc Scenario) Payment {
	t.Helper()
	pol := DefaultPolicy()
	p, err := newPayment(PaymentRequest{
		RequestID: id, SaleID: "sale-" + id, Scenario: sc, Amount: usd(1000),
		Body: testBody(id, sc, 1000), ExpiresAt: t0.Add(2 * time.Minute),
	}, t0, &pol)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// event constructors. Answers get their Seq from the record they answer,
// and name its request and amount (self, selfAmount) as a genuine reply
// does: about fills them in.
func payAns(o Outcome, code string) event {
	return event{Kind: evPayAnswer, Pay: PayReply{Outcome: o, Code: code, RequestID: self, PaymentID: "PID"}}
}
func payQR(qr string) event {
	return event{Kind: evPayAnswer, Pay: PayReply{Outcome: Success, Code: "SUCCESS", RequestID: self, PaymentID: "PID", QR: qr}}
}
func inq(o Outcome, st PaymentStatus, code string) event {
	return event{Kind: evInquiryAnswer, Inquiry: InquiryReply{Outcome: o, Status: st, Code: code, RequestID: self, Amount: selfAmount, PaymentID: "PID"}}
}
func canc(o Outcome, code string) event {
	return event{Kind: evCancelAnswer, Cancel: CancelReply{Outcome: o, Code: code, RequestID: self}}
}
func refAns(o Outcome, code string) event {
	return event{Kind: evRefundAnswer, Refund: RefundReply{Outcome: o, Code: code, RefundRequestID: self, Amount: selfAmount, RefundID: "RID"}}
}
func refInq(o Outcome, st PaymentStatus, code string) event {
	return event{Kind: evRefundInquiryAnswer, Refund: RefundReply{Outcome: o, Status: st, Code: code, RefundRequestID: self, Amount: selfAmount}}
}

// self and selfAmount stand for the request and amount of the record an
// answer is given to.
const self = "\x00self"

var selfAmount = &money.Amount{}

// about makes ev name p's request (and active refund) where it says self.
func about(p Payment, ev event) event {
	fill := func(id *string, want string) {
		if *id == self {
			*id = want
		}
	}
	fill(&ev.Pay.RequestID, p.RequestID)
	fill(&ev.Inquiry.RequestID, p.RequestID)
	fill(&ev.Cancel.RequestID, p.RequestID)
	if ev.Inquiry.Amount == selfAmount {
		a := p.Amount
		ev.Inquiry.Amount = &a
	}
	var ref Refund
	if i := p.activeRefund(); i >= 0 {
		ref = p.Refunds[i]
	}
	fill(&ev.Refund.RefundRequestID, ref.RequestID)
	if ev.Refund.Amount == selfAmount {
		a := ref.Amount
		ev.Refund.Amount = &a
	}
	return ev
}
func cashier(k eventKind) event { return event{Kind: k} }
func refundReq(v int64) event   { return event{Kind: evRequestRefund, RefundAmount: usd(v)} }

func isAnswer(k eventKind) bool {
	switch k {
	case evPayAnswer, evInquiryAnswer, evCancelAnswer, evRefundAnswer, evRefundInquiryAnswer:
		return true
	}
	return false
}

// stepAt applies ev at time `now`, answering the call p waits for.
func stepAt(t testing.TB, p Payment, ev event, now time.Time) (Payment, []action) {
	t.Helper()
	pol := DefaultPolicy()
	ev.At = now
	if isAnswer(ev.Kind) {
		ev.Seq = p.Seq
		ev = about(p, ev)
	}
	before := p.Clone()
	q, acts, err := step(p, ev, &pol)
	if err != nil {
		t.Fatalf("%s on %s: %v", ev.Kind, p.State, err)
	}
	if msg := checkStep(before, q, ev, acts); msg != "" {
		t.Fatalf("%s on %s: %s", ev.Kind, before.State, msg)
	}
	return q, acts
}

func walk(t testing.TB, p Payment, evs ...event) Payment {
	t.Helper()
	now := t0
	for _, ev := range evs {
		now = now.Add(time.Second)
		p, _ = stepAt(t, p, ev, now)
	}
	return p
}

// fixtures reaches every state the way the engine would.
func fixtures(t testing.TB) map[State]Payment {
	t.Helper()
	upm := newTestPayment(t, "P1", PaymentCode)
	oc := newTestPayment(t, "P2", OrderCode)
	unknown := walk(t, upm, payAns(Unsure, ""))
	cancelling := walk(t, unknown, cashier(evAbort))
	attention := walk(t, cancelling, canc(Unsure, ""), canc(Unsure, ""), canc(Unsure, ""), canc(Unsure, ""), canc(Unsure, ""))
	succeeded := walk(t, upm, payAns(Success, "SUCCESS"))
	refunding := walk(t, succeeded, refundReq(300))
	partly := walk(t, refunding, refAns(Success, "SUCCESS"))
	newRec := upm.Clone()
	newRec.State, newRec.Next = New, OpNone
	return map[State]Payment{
		New:               newRec,
		Sent:              upm,
		AwaitingBuyer:     walk(t, oc, payQR("https://qr.example/1")),
		Unknown:           unknown,
		Cancelling:        cancelling,
		NeedsAttention:    attention,
		Succeeded:         succeeded,
		Failed:            walk(t, upm, payAns(Failure, "USER_BALANCE_NOT_ENOUGH"), inq(Success, StatusFail, "")),
		Cancelled:         walk(t, cancelling, canc(Success, "SUCCESS")),
		Refunding:         refunding,
		PartiallyRefunded: partly,
		Refunded:          walk(t, partly, refundReq(700), refAns(Success, "SUCCESS")),
	}
}

func summary(p Payment, acts []action) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s next=%s", p.State, p.Next)
	for _, a := range acts {
		fmt.Fprintf(&b, " %s:%s%s", a.Kind, a.Change, a.Receipt)
	}
	return b.String()
}

func TestStepTable(t *testing.T) {
	fx := fixtures(t)
	oc := newTestPayment(t, "P2", OrderCode)
	ocOnce := walk(t, oc, payAns(Unsure, ""))
	ocTwice := walk(t, ocOnce, payAns(InProcess, "PAYMENT_IN_PROCESS"))
	windowed := walk(t, fx[Cancelling], canc(Failure, CodeCancelWindowExceed))
	missing := walk(t, fx[Cancelling], canc(Failure, CodeOrderNotExist))
	invalid := walk(t, fx[Cancelling], canc(Failure, CodeOrderStatusInvalid))
	voiding := walk(t, fx[Succeeded], cashier(evVoid))
	refundUnsure := walk(t, fx[Refunding], refAns(Unsure, ""))
	declined := walk(t, fx[Sent], payAns(Failure, "USER_BALANCE_NOT_ENOUGH"))
	rechecking := walk(t, fx[Failed], cashier(evPaidNotice))
	other, thousand := usd(999), usd(1000)
	// The cashier aborts while the pay is out; the pay comes back paid (late: its Seq is gone).
	abortedPaid := walk(t, fx[Sent], cashier(evAbort))
	late := about(abortedPaid, payAns(Success, "SUCCESS"))
	late.Seq, late.At = fx[Sent].Seq, t0.Add(2*time.Second)
	pol := DefaultPolicy()
	abortedPaid, _, _ = step(abortedPaid, late, &pol)
	if !abortedPaid.VoidSlip || abortedPaid.State != Cancelling || abortedPaid.Next != OpCancel {
		t.Fatalf("late paid answer to an aborted pay: %s voidSlip=%v", summary(abortedPaid, nil), abortedPaid.VoidSlip)
	}
	cases := []struct {
		name  string
		from  Payment
		ev    event
		after time.Duration // since t0
		want  string
	}{
		{"upm paid", fx[Sent], payAns(Success, "SUCCESS"), time.Second, "SUCCEEDED next= print:sale notify:succeeded"},
		// Rule 1: a pay answered F tells the till at once, and is FAILED only when an inquiry agrees.
		{"upm declined, confirming", fx[Sent], payAns(Failure, "USER_BALANCE_NOT_ENOUGH"), time.Second, "UNKNOWN next=inquiryPayment notify:failed"},
		{"decline confirmed", declined, inq(Success, StatusFail, ""), 2 * time.Second, "FAILED next="},
		{"decline confirmed: not created", declined, inq(Failure, "", CodeOrderNotExist), 2 * time.Second, "FAILED next="},
		{"declined but paid: reversed", declined, inq(Success, StatusSuccess, ""), 2 * time.Second, "NEEDS_ATTENTION next=cancel notify:needs-attention"},
		{"declined, paid, reversed: void slip", walk(t, declined, inq(Success, StatusSuccess, "")), canc(Success, "SUCCESS"), 3 * time.Second, "CANCELLED next= notify:cancelled print:void"},
		{"declined, paid, too late: refunded", walk(t, declined, inq(Success, StatusSuccess, ""), canc(Failure, CodeCancelWindowExceed)), inq(Success, StatusSuccess, ""), 4 * time.Second, "REFUNDING next=refund print:sale notify:refunding"},
		{"declined, still processing", declined, inq(Success, StatusProcessing, ""), 2 * time.Second, "UNKNOWN next=inquiryPayment"},
		// Rule 2: answers that do not name this request (or its amount) decide nothing.
		{"pay F naming no payment", fx[Sent], event{Kind: evPayAnswer, Pay: PayReply{Outcome: Failure, Code: "PARAM_ILLEGAL"}}, time.Second, "UNKNOWN next=inquiryPayment"},
		{"pay S naming another payment", fx[Sent], event{Kind: evPayAnswer, Pay: PayReply{Outcome: Success, Code: "SUCCESS", RequestID: "P9"}}, time.Second, "UNKNOWN next=inquiryPayment"},
		{"inquiry SUCCESS with another amount", fx[Unknown], event{Kind: evInquiryAnswer, Inquiry: InquiryReply{Outcome: Success, Status: StatusSuccess, RequestID: "P1", Amount: &other}}, 5 * time.Second, "UNKNOWN next=inquiryPayment"},
		{"inquiry SUCCESS naming no amount", fx[Unknown], event{Kind: evInquiryAnswer, Inquiry: InquiryReply{Outcome: Success, Status: StatusSuccess, RequestID: "P1"}}, 5 * time.Second, "UNKNOWN next=inquiryPayment"},
		{"inquiry FAIL of another payment", fx[Unknown], event{Kind: evInquiryAnswer, Inquiry: InquiryReply{Outcome: Success, Status: StatusFail, RequestID: "P9", Amount: &thousand}}, 5 * time.Second, "UNKNOWN next=inquiryPayment"},
		{"cancel S naming no payment", fx[Cancelling], event{Kind: evCancelAnswer, Cancel: CancelReply{Outcome: Success, Code: "SUCCESS"}}, 5 * time.Second, "CANCELLING next=cancel"},
		{"refund F naming no refund", fx[Refunding], event{Kind: evRefundAnswer, Refund: RefundReply{Outcome: Failure, Code: "REFUND_AMOUNT_EXCEED"}}, time.Minute, "REFUNDING next=inquiryRefund"},
		{"refund S with another amount", fx[Refunding], event{Kind: evRefundAnswer, Refund: RefundReply{Outcome: Success, Code: "SUCCESS", RefundRequestID: "P1-R1", Amount: &other}}, time.Minute, "REFUNDING next=inquiryRefund"},
		{"refund inquiry S naming no refund", refundUnsure, event{Kind: evRefundInquiryAnswer, Refund: RefundReply{Outcome: Success, Status: StatusSuccess}}, time.Minute, "REFUNDING next=refund"},
		// Rule 3: a verified success notification for a closed payment is checked.
		{"paid notice on failed", fx[Failed], cashier(evPaidNotice), time.Minute, "CANCELLING next=inquiryPayment"},
		{"paid notice on cancelled", fx[Cancelled], cashier(evPaidNotice), time.Minute, "CANCELLING next=inquiryPayment"},
		{"paid notice on succeeded", fx[Succeeded], cashier(evPaidNotice), time.Minute, "SUCCEEDED next="},
		{"paid notice on unknown", fx[Unknown], cashier(evPaidNotice), time.Minute, "UNKNOWN next=inquiryPayment"},
		{"recheck: paid, reversed", rechecking, inq(Success, StatusSuccess, ""), 2 * time.Minute, "NEEDS_ATTENTION next=cancel notify:needs-attention"},
		{"recheck: paid, reversal done", walk(t, rechecking, inq(Success, StatusSuccess, "")), canc(Success, "SUCCESS"), 3 * time.Minute, "CANCELLED next= notify:cancelled print:void"},
		{"recheck: not paid", rechecking, inq(Success, StatusFail, ""), 2 * time.Minute, "FAILED next="},
		{"recheck: not found", rechecking, inq(Failure, "", CodeOrderNotExist), 2 * time.Minute, "FAILED next="},
		{"recheck: no answer", rechecking, inq(Unsure, "", ""), 2 * time.Minute, "CANCELLING next=inquiryPayment"},
		// Rule 11: an abort crossed by a paid pay gives money back: its cancel prints a void slip.
		{"abort crossed by paid pay, cancelled", abortedPaid, canc(Success, "SUCCESS"), 3 * time.Second, "CANCELLED next= notify:cancelled print:void"},
		{"abort of an unpaid payment, cancelled", fx[Cancelling], canc(Success, "SUCCESS"), 3 * time.Second, "CANCELLED next= notify:cancelled"},
		{"upm in process", fx[Sent], payAns(InProcess, "PAYMENT_IN_PROCESS"), time.Second, "UNKNOWN next=inquiryPayment"},
		{"upm timeout", fx[Sent], payAns(Unsure, ""), time.Second, "UNKNOWN next=inquiryPayment"},
		{"upm rate limited", fx[Sent], payAns(InProcess, CodeTrafficExceedLimit), time.Second, "UNKNOWN next=inquiryPayment"},
		{"upm not sent, resend", fx[Sent], payAns(NotSent, ""), time.Second, "SENT next=pay"},
		{"upm not sent too long", fx[Sent], payAns(NotSent, ""), time.Minute, "FAILED next= notify:failed"},
		{"repeat inconsistent", fx[Sent], payAns(Failure, CodeRepeatReqInconsistent), time.Second, "UNKNOWN next=inquiryPayment notify:needs-attention"},
		{"repeat inconsistent, then paid", walk(t, fx[Sent], payAns(Failure, CodeRepeatReqInconsistent)), inq(Success, StatusSuccess, ""), 5 * time.Second, "SUCCEEDED next= print:sale notify:succeeded"},
		{"oc code shown", oc, payQR("https://qr"), time.Second, "AWAITING_BUYER next=inquiryPayment notify:qr-ready"},
		{"oc S without code", oc, payAns(Success, "SUCCESS"), time.Second, "UNKNOWN next=inquiryPayment"},
		{"oc unsure resends", oc, payAns(Unsure, ""), time.Second, "UNKNOWN next=pay"},
		{"oc not sent resends", ocOnce, payAns(NotSent, ""), time.Second, "UNKNOWN next=pay"},
		{"oc third unsure inquires", ocTwice, payAns(Unsure, ""), time.Second, "UNKNOWN next=inquiryPayment"},
		{"inquiry success", fx[Unknown], inq(Success, StatusSuccess, ""), 5 * time.Second, "SUCCEEDED next= print:sale notify:succeeded"},
		{"inquiry fail", fx[Unknown], inq(Success, StatusFail, "RISK_REJECT"), 5 * time.Second, "FAILED next= notify:failed"},
		{"inquiry cancelled", fx[Unknown], inq(Success, StatusCancelled, ""), 5 * time.Second, "CANCELLED next= notify:cancelled"},
		{"inquiry processing", fx[Unknown], inq(Success, StatusProcessing, ""), 5 * time.Second, "UNKNOWN next=inquiryPayment"},
		{"inquiry not exist", fx[Unknown], inq(Failure, "", CodeOrderNotExist), 5 * time.Second, "UNKNOWN next=inquiryPayment"},
		{"inquiry unsure", fx[Unknown], inq(Unsure, "", ""), 5 * time.Second, "UNKNOWN next=inquiryPayment"},
		{"inquiry refused", fx[Unknown], inq(Failure, "", "ACCESS_DENIED"), 5 * time.Second, "CANCELLING next=cancel"},
		{"inquiry past deadline", fx[Unknown], inq(Success, StatusProcessing, ""), 2 * time.Minute, "CANCELLING next=cancel"},
		{"qr paid", fx[AwaitingBuyer], inq(Success, StatusSuccess, ""), 10 * time.Second, "SUCCEEDED next= print:sale notify:succeeded"},
		{"qr waiting", fx[AwaitingBuyer], inq(Success, StatusProcessing, ""), 10 * time.Second, "AWAITING_BUYER next=inquiryPayment"},
		{"qr expired", fx[AwaitingBuyer], inq(Success, StatusProcessing, ""), 3 * time.Minute, "CANCELLING next=cancel"},
		{"abort unknown", fx[Unknown], cashier(evAbort), time.Second, "CANCELLING next=cancel"},
		{"abort qr", fx[AwaitingBuyer], cashier(evAbort), time.Second, "CANCELLING next=cancel"},
		{"abort sent", fx[Sent], cashier(evAbort), time.Second, "CANCELLING next=cancel"},
		{"abort cancelling", fx[Cancelling], cashier(evAbort), time.Second, "CANCELLING next=cancel"},
		{"abort new", fx[New], cashier(evAbort), time.Second, "FAILED next= notify:failed"},
		{"cancel ok", fx[Cancelling], canc(Success, "SUCCESS"), 5 * time.Second, "CANCELLED next= notify:cancelled"},
		{"cancel unsure", fx[Cancelling], canc(Unsure, ""), 5 * time.Second, "CANCELLING next=cancel"},
		{"cancel U", fx[Cancelling], canc(InProcess, "UNKNOWN_EXCEPTION"), 5 * time.Second, "CANCELLING next=cancel"},
		{"cancel fifth failure", walk(t, fx[Cancelling], canc(Unsure, ""), canc(Unsure, ""), canc(Unsure, ""), canc(Unsure, "")), canc(Unsure, ""), time.Minute, "NEEDS_ATTENTION next=cancel notify:needs-attention"},
		{"attention cancel ok", fx[NeedsAttention], canc(Success, "SUCCESS"), time.Hour, "CANCELLED next= notify:cancelled"},
		{"window exceeded inquires", fx[Cancelling], canc(Failure, CodeCancelWindowExceed), 5 * time.Second, "CANCELLING next=inquiryPayment"},
		{"window exceeded paid refunds", windowed, inq(Success, StatusSuccess, ""), 10 * time.Second, "REFUNDING next=refund print:sale notify:refunding"},
		{"window exceeded failed", windowed, inq(Success, StatusFail, ""), 10 * time.Second, "FAILED next= notify:failed"},
		{"window exceeded unknown", windowed, inq(Unsure, "", ""), 10 * time.Second, "NEEDS_ATTENTION next=inquiryPayment notify:needs-attention"},
		{"window exceeded processing", windowed, inq(Success, StatusProcessing, ""), 10 * time.Second, "NEEDS_ATTENTION next=inquiryPayment notify:needs-attention"},
		{"not exist confirms later", fx[Cancelling], canc(Failure, CodeOrderNotExist), 5 * time.Second, "CANCELLING next=inquiryPayment"},
		{"confirmed not created", missing, inq(Failure, "", CodeOrderNotExist), 3 * time.Minute, "FAILED next= notify:failed"},
		{"created late and paid", missing, inq(Success, StatusSuccess, ""), 3 * time.Minute, "REFUNDING next=refund print:sale notify:refunding"},
		{"created late, processing", missing, inq(Success, StatusProcessing, ""), 3 * time.Minute, "CANCELLING next=cancel"},
		{"status invalid, cancelled", invalid, inq(Success, StatusCancelled, ""), 10 * time.Second, "CANCELLED next= notify:cancelled"},
		{"cancel refused", fx[Cancelling], canc(Failure, "ACCESS_DENIED"), 5 * time.Second, "CANCELLING next=cancel"},
		{"void", fx[Succeeded], cashier(evVoid), time.Minute, "CANCELLING next=cancel"},
		{"void done", voiding, canc(Success, "SUCCESS"), time.Minute, "CANCELLED next= notify:cancelled print:void"},
		{"void too late refunds", walk(t, voiding, canc(Failure, CodeCancelWindowExceed)), inq(Success, StatusSuccess, ""), time.Minute, "REFUNDING next=refund notify:refunding"},
		{"refund request", fx[Succeeded], refundReq(1000), time.Minute, "REFUNDING next=refund notify:refunding"},
		{"refund queued behind", fx[Refunding], refundReq(100), time.Minute, "REFUNDING next=refund"},
		{"refund ok partly", fx[Refunding], refAns(Success, "SUCCESS"), time.Minute, "PARTIALLY_REFUNDED next= print:refund notify:refunded"},
		{"refund declined", fx[Refunding], refAns(Failure, "REFUND_WINDOW_EXCEED"), time.Minute, "SUCCEEDED next= notify:refund-failed"},
		{"refund unsure inquires", fx[Refunding], refAns(Unsure, ""), time.Minute, "REFUNDING next=inquiryRefund"},
		{"refund not sent resends", fx[Refunding], refAns(NotSent, ""), time.Minute, "REFUNDING next=refund"},
		{"refund status invalid waits", fx[Refunding], refAns(Failure, CodeOrderStatusInvalid), time.Minute, "REFUNDING next=refund"},
		{"refund inquiry ok", refundUnsure, refInq(Success, StatusSuccess, ""), time.Minute, "PARTIALLY_REFUNDED next= print:refund notify:refunded"},
		{"refund inquiry processing", refundUnsure, refInq(Success, StatusProcessing, ""), time.Minute, "REFUNDING next=inquiryRefund"},
		{"refund inquiry fail", refundUnsure, refInq(Success, StatusFail, ""), time.Minute, "SUCCEEDED next= notify:refund-failed"},
		{"refund inquiry not found resends", refundUnsure, refInq(Failure, "", CodeOrderNotExist), time.Minute, "REFUNDING next=refund"},
		{"refund of the rest", fx[PartiallyRefunded], refundReq(700), time.Minute, "REFUNDING next=refund notify:refunding"},
		{"restart new discards", fx[New], cashier(evRestart), time.Minute, "FAILED next= notify:failed"},
		{"restart sent inquires", fx[Sent], cashier(evRestart), time.Second, "UNKNOWN next=inquiryPayment"},
		{"restart unknown resumes", fx[Unknown], cashier(evRestart), time.Second, "UNKNOWN next=inquiryPayment"},
		{"restart cancelling resends", fx[Cancelling], cashier(evRestart), time.Second, "CANCELLING next=cancel"},
		{"restart refunding", fx[Refunding], cashier(evRestart), time.Second, "REFUNDING next=refund"},
		{"restart final", fx[Succeeded], cashier(evRestart), time.Second, "SUCCEEDED next="},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, acts := stepAt(t, c.from, c.ev, t0.Add(c.after))
			if s := summary(got, acts); s != c.want {
				t.Errorf("got  %s\nwant %s", s, c.want)
			}
		})
	}
}

func TestRateLimitedPayBacksOff(t *testing.T) {
	fx := fixtures(t)
	now := t0.Add(time.Second)
	limited, _ := stepAt(t, fx[Sent], payAns(InProcess, CodeTrafficExceedLimit), now)
	plain, _ := stepAt(t, fx[Sent], payAns(InProcess, "PAYMENT_IN_PROCESS"), now)
	if !plain.DueAt.Equal(now) {
		t.Errorf("U: first inquiry at %v, want at once", plain.DueAt.Sub(now))
	}
	if wait := limited.DueAt.Sub(now); wait < time.Second {
		t.Errorf("rate limited: first inquiry after %v, want >= 1s", wait)
	}
}

func TestStepRefusals(t *testing.T) {
	fx := fixtures(t)
	pol := DefaultPolicy()
	cases := []struct {
		name string
		from State
		ev   event
		want error
	}{
		{"abort succeeded", Succeeded, cashier(evAbort), ErrFinal},
		{"abort failed", Failed, cashier(evAbort), ErrFinal},
		{"void unknown", Unknown, cashier(evVoid), ErrNotVoidable},
		{"void partly refunded", PartiallyRefunded, cashier(evVoid), ErrNotVoidable},
		{"refund failed payment", Failed, refundReq(100), ErrNotRefundable},
		{"refund unknown payment", Unknown, refundReq(100), ErrNotRefundable},
		{"refund other currency", Succeeded, event{Kind: evRequestRefund, RefundAmount: money.Amount{Currency: "EUR", Value: 1}}, ErrNotRefundable},
		{"refund zero", Succeeded, refundReq(0), ErrNotRefundable},
		{"refund too much", Succeeded, refundReq(1001), ErrRefundExceeds},
		{"refund more than left", Refunding, refundReq(701), ErrRefundExceeds},
		{"refund refunded", Refunded, refundReq(1), ErrNotRefundable},
		{"unknown event", Sent, event{Kind: "bogus"}, ErrRefused},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from := fx[c.from]
			got, acts, err := step(from, c.ev, &pol)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if got.State != from.State || got.Seq != from.Seq || len(acts) != 0 {
				t.Errorf("refused event changed the record: %s", summary(got, acts))
			}
		})
	}
}

// allEvents is every event shape step distinguishes.
func allEvents() []event {
	var evs []event
	outcomes := []Outcome{Success, Failure, InProcess, Unsure, NotSent}
	codes := []string{"", "SUCCESS", CodeOrderNotExist, CodeCancelWindowExceed, CodeOrderStatusInvalid,
		CodeRepeatReqInconsistent, CodeTrafficExceedLimit, "ACCESS_DENIED"}
	statuses := []PaymentStatus{"", StatusSuccess, StatusFail, StatusCancelled, StatusProcessing}
	for _, o := range outcomes {
		for _, c := range codes {
			evs = append(evs, payAns(o, c), canc(o, c), refAns(o, c))
			q := payQR("https://qr")
			q.Pay.Outcome, q.Pay.Code = o, c
			evs = append(evs, q)
			for _, s := range statuses {
				evs = append(evs, inq(o, s, c), refInq(o, s, c))
			}
		}
	}
	return append(evs, cashier(evAbort), cashier(evVoid), cashier(evRestart), cashier(evPaidNotice), refundReq(1), refundReq(500), refundReq(1000))
}

// TestStepExhaustive applies every event shape to every state, in time and
// late, checking the invariants; answers carrying another call's Seq must
// change nothing.
func TestStepExhaustive(t *testing.T) {
	pol := DefaultPolicy()
	fx := fixtures(t)
	for _, oc := range []bool{false, true} {
		for state, from := range fx {
			if oc {
				from.Scenario = OrderCode
			}
			for _, ev := range allEvents() {
				for _, when := range []time.Duration{time.Second, time.Hour} {
					ev.At = t0.Add(when)
					if isAnswer(ev.Kind) {
						ev = about(from, ev)
						stale := ev
						stale.Seq = from.Seq - 1
						got, acts, err := step(from, stale, &pol)
						if err != nil || len(acts) != 0 || got.Seq != from.Seq || got.State != from.State {
							t.Fatalf("%s: late %s changed the record: %s %v", state, ev.Kind, summary(got, acts), err)
						}
						ev.Seq = from.Seq
					}
					got, acts, err := step(from, ev, &pol)
					if err != nil {
						if got.State != from.State || len(acts) != 0 {
							t.Fatalf("%s: refused %s changed the record", state, ev.Kind)
						}
						continue
					}
					if msg := checkStep(from, got, ev, acts); msg != "" {
						t.Fatalf("%s + %s %+v: %s", state, ev.Kind, ev, msg)
					}
				}
			}
		}
	}
}

// checkStep returns what is wrong with one transition, or "".
func checkStep(before, after Payment, ev event, acts []action) string {
	if msg := checkRecord(after); msg != "" {
		return msg
	}
	if after.RequestID != before.RequestID || string(after.Body) != string(before.Body) || after.Amount != before.Amount {
		return "identity or request body changed"
	}
	if before.State.IsFinal() && after.State != before.State {
		allowed := (before.State == Succeeded && after.State == Cancelling && ev.Kind == evVoid) ||
			(before.State.Paid() && after.State == Refunding && ev.Kind == evRequestRefund) ||
			(!before.State.Paid() && after.State == Cancelling && ev.Kind == evPaidNotice)
		if !allowed {
			return fmt.Sprintf("final %s became %s on %s", before.State, after.State, ev.Kind)
		}
	}
	if before.State == Refunding && after.State != Refunding && !after.State.Paid() && after.State != Refunded {
		return fmt.Sprintf("refunding payment became %s", after.State)
	}
	paidNow := after.State.Paid() || after.State == Refunded
	paidBefore := before.State.Paid() || before.State == Refunded
	if paidNow && !paidBefore {
		verified := (ev.Kind == evPayAnswer && ev.Pay.Outcome == Success && before.Scenario == PaymentCode) ||
			(ev.Kind == evInquiryAnswer && ev.Inquiry.Outcome == Success && ev.Inquiry.Status == StatusSuccess)
		if !verified {
			return fmt.Sprintf("became %s without a verified success (%s %+v)", after.State, ev.Kind, ev)
		}
	}
	for _, a := range acts {
		if a.Kind == actPrint && a.Receipt == SaleReceipt && before.ReceiptIssued {
			return "second sale receipt"
		}
	}
	if after.Next == OpPay && before.Next != OpPay {
		return "pay scheduled again after another call"
	}
	return ""
}

// checkRecord returns what is wrong with a record on its own, or "".
func checkRecord(p Payment) string {
	if err := p.validate(); err != nil {
		return err.Error()
	}
	if p.State.IsFinal() != (p.Next == OpNone) && p.State != New {
		return fmt.Sprintf("state %s with next call %q", p.State, p.Next)
	}
	if (p.State.Paid() || p.State == Refunded) && !p.ReceiptIssued {
		return fmt.Sprintf("%s without a receipt", p.State)
	}
	if p.Next == OpPay && p.State != Sent && !(p.State == Unknown && p.Scenario == OrderCode) {
		return fmt.Sprintf("pay scheduled in %s", p.State)
	}
	if (p.Next == OpRefund || p.Next == OpInquireRefund) && p.State != Refunding {
		return fmt.Sprintf("refund call in %s", p.State)
	}
	for i, r := range p.Refunds {
		if r.RequestID != refundRequestID(p.RequestID, i+1) {
			return fmt.Sprintf("refund %d has id %s", i, r.RequestID)
		}
	}
	if p.State == Refunding && p.activeRefund() < 0 {
		return "refunding without a refund in flight"
	}
	return ""
}

func TestNewPaymentChecksItsBody(t *testing.T) {
	pol := DefaultPolicy()
	good := PaymentRequest{RequestID: "P1", SaleID: "S1", Scenario: PaymentCode, Amount: usd(1000), Body: testBody("P1", PaymentCode, 1000)}
	if _, err := newPayment(good, t0, &pol); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(*PaymentRequest){
		"other id":       func(r *PaymentRequest) { r.Body = testBody("P2", PaymentCode, 1000) },
		"other amount":   func(r *PaymentRequest) { r.Body = testBody("P1", PaymentCode, 999) },
		"other scenario": func(r *PaymentRequest) { r.Body = testBody("P1", OrderCode, 1000) },
		"not json":       func(r *PaymentRequest) { r.Body = []byte("pay me") },
		"empty body":     func(r *PaymentRequest) { r.Body = nil },
		"no sale":        func(r *PaymentRequest) { r.SaleID = "" },
		"zero amount":    func(r *PaymentRequest) { r.Amount = usd(0) },
		"long id":        func(r *PaymentRequest) { r.RequestID = strings.Repeat("x", 65) },
		"no scenario":    func(r *PaymentRequest) { r.Scenario = "" },
	}
	for name, mutate := range bad {
		r := good
		mutate(&r)
		if _, err := newPayment(r, t0, &pol); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestCheckNewAttempt(t *testing.T) {
	fx := fixtures(t)
	for state, p := range fx {
		err := checkNewAttempt(p.SaleID, []Payment{p})
		switch {
		case state.Paid() || state == Refunded:
			if !errors.Is(err, ErrSalePaid) {
				t.Errorf("%s: err = %v, want ErrSalePaid", state, err)
			}
		case !state.IsFinal():
			if !errors.Is(err, ErrSaleBusy) {
				t.Errorf("%s: err = %v, want ErrSaleBusy", state, err)
			}
		default:
			if err != nil {
				t.Errorf("%s: err = %v, want a new attempt allowed", state, err)
			}
		}
		if err := checkNewAttempt("other sale", []Payment{p}); err != nil {
			t.Errorf("another sale refused: %v", err)
		}
	}
}

func TestJitterStaysInRange(t *testing.T) {
	pol := DefaultPolicy()
	seen := map[time.Duration]bool{}
	for n := range 200 {
		d := pol.jittered(3*time.Second, "P1", n)
		if d < 2700*time.Millisecond || d > 3300*time.Millisecond {
			t.Fatalf("jittered 3s = %v, outside ±10%%", d)
		}
		seen[d] = true
	}
	if len(seen) < 50 {
		t.Errorf("only %d distinct pauses in 200: no real jitter", len(seen))
	}
	if a, b := pol.jittered(3*time.Second, "P1", 7), pol.jittered(3*time.Second, "P1", 7); a != b {
		t.Error("jitter is not a pure function of id and attempt")
	}
}

func TestNeedsCommit(t *testing.T) {
	fx := fixtures(t)
	cases := []struct {
		name string
		from Payment
		ev   event
		want bool
	}{
		{"poll while unknown", fx[Unknown], inq(Success, StatusProcessing, ""), false},
		{"poll while the code is shown", fx[AwaitingBuyer], inq(Success, StatusProcessing, ""), false},
		{"pay not sent, resend", fx[Sent], payAns(NotSent, ""), false},
		{"paid", fx[Unknown], inq(Success, StatusSuccess, ""), true},
		{"unknown to cancelling", fx[Unknown], inq(Failure, "", "ACCESS_DENIED"), true},
		// Leaving SENT for what a restart would make of it anyway waits for
		// the next commit: the QR (or the first inquiry) comes at once.
		{"sent to unknown", fx[Sent], payAns(Unsure, ""), false},
		{"sent to the code shown", newTestPayment(t, "P2", OrderCode), payQR("https://qr.example/1"), false},
		{"order code pay unsure, resend", newTestPayment(t, "P2", OrderCode), payAns(Unsure, ""), true},
		{"paid at once", fx[Sent], payAns(Success, ""), true},
		{"declined", fx[Sent], payAns(Failure, "USER_BALANCE_NOT_ENOUGH"), true},
		{"cancel retry", fx[Cancelling], canc(Unsure, ""), true},
		{"refund inquiry poll", walk(t, fx[Refunding], refAns(Unsure, "")), refInq(Success, StatusProcessing, ""), false},
		{"refund sent to unknown", fx[Refunding], refAns(Unsure, ""), true},
	}
	for _, c := range cases {
		q, acts := stepAt(t, c.from, c.ev, t0.Add(5*time.Second))
		if got := needsCommit(&c.from, &q, acts); got != c.want {
			t.Errorf("%s: needsCommit = %v, want %v", c.name, got, c.want)
		}
	}
}

// Rule 4: which answers stop new payments. A merchant or configuration
// code in a trusted reply stops at once; a claim that cannot be trusted,
// or a signature code, only three in a row; a customer's decline never;
// a trusted answer in between starts the count again.
func TestStopWatch(t *testing.T) {
	pay := func(o Outcome, code string) event {
		return event{Kind: evPayAnswer, Pay: PayReply{Outcome: o, Code: code}}
	}
	inquiry := func(o Outcome, code string) event {
		return event{Kind: evInquiryAnswer, Inquiry: InquiryReply{Outcome: o, Code: code}}
	}
	cases := []struct {
		name string
		evs  []event
		want bool
	}{
		{"not registered", []event{pay(Failure, "MERCHANT_NOT_REGISTERED")}, true},
		{"merchant restricted", []event{pay(Failure, "INVALID_MERCHANT_STATUS")}, true},
		{"access denied on inquiry", []event{inquiry(Failure, "ACCESS_DENIED")}, true},
		{"key not found", []event{pay(Failure, "KEY_NOT_FOUND")}, true},
		{"client invalid", []event{pay(Failure, "CLIENT_INVALID")}, true},
		{"no contract", []event{pay(Failure, "INVALID_CONTRACT")}, true},
		{"customer decline", []event{pay(Failure, "USER_BALANCE_NOT_ENOUGH"), pay(Failure, "RISK_REJECT"), pay(Failure, "USER_BALANCE_NOT_ENOUGH")}, false},
		{"one signature invalid", []event{pay(Failure, "SIGNATURE_INVALID")}, false},
		{"three signature invalid", []event{pay(Failure, "SIGNATURE_INVALID"), inquiry(Failure, "SIGNATURE_INVALID"), pay(Failure, "SIGNATURE_INVALID")}, true},
		{"three untrusted claims", []event{pay(Unsure, "SIGNATURE_INVALID"), inquiry(Unsure, "SIGNATURE_INVALID"), pay(Unsure, "ACCESS_DENIED")}, true},
		{"two claims", []event{pay(Unsure, "MERCHANT_NOT_REGISTERED"), pay(Unsure, "MERCHANT_NOT_REGISTERED")}, false},
		{"claims broken by a trusted answer", []event{pay(Unsure, "SIGNATURE_INVALID"), pay(Unsure, "SIGNATURE_INVALID"),
			inquiry(Success, "SUCCESS"), pay(Unsure, "SIGNATURE_INVALID")}, false},
		{"timeouts do not break the count", []event{pay(Unsure, "SIGNATURE_INVALID"), pay(Unsure, ""),
			pay(Unsure, "SIGNATURE_INVALID"), pay(NotSent, ""), inquiry(Unsure, "SIGNATURE_INVALID")}, true},
	}
	for _, c := range cases {
		var w stopWatch
		stopped := false
		for _, ev := range c.evs {
			if s, _ := w.observe(ev); s {
				stopped = true
			}
		}
		if stopped != c.want {
			t.Errorf("%s: stopped %v, want %v", c.name, stopped, c.want)
		}
	}
}

// Rule 5: refund ids stay within 64 characters and unique for every
// payment id and refund number; an id that cannot be encoded fails the
// refund instead of retrying it for ever.
func TestRefundRequestIDFits(t *testing.T) {
	for _, pid := range []string{"P1", strings.Repeat("T", 32) + "-20261129T030000-0123456789ab", strings.Repeat("x", 62), strings.Repeat("y", 64)} {
		seen := map[string]bool{}
		for _, n := range []int{1, 2, 9, 10, 11, 99, 100, 12345, 1 << 30} {
			id := refundRequestID(pid, n)
			if err := alipay.CheckRequestID("refundRequestId", id); err != nil || seen[id] {
				t.Errorf("%d-character payment, refund %d: %q (%v)", len(pid), n, id, err)
			}
			seen[id] = true
		}
	}
	if refundRequestID("P1", 3) != "P1-R3" {
		t.Error("short ids must keep their readable form")
	}
	if a, b := refundRequestID(strings.Repeat("z", 63)+"a", 10), refundRequestID(strings.Repeat("z", 63)+"b", 10); a == b {
		t.Errorf("two payments share refund id %q", a)
	}
	fx := fixtures(t)
	p, acts := stepAt(t, fx[Refunding], refAns(NotSent, CodeLocalInvalid), t0.Add(time.Minute))
	if p.State != Succeeded || p.Refunds[0].State != RefundFailed || p.Attention != CodeLocalInvalid || len(acts) == 0 {
		t.Errorf("unencodable refund: %s", summary(p, acts))
	}
}

// A refund the gateway keeps refusing without naming it (so it decides
// nothing) and cannot find is asked about for ever with the same
// refundRequestId, and after RefundAttentionAfter a person is told, once;
// the flag goes when the refund is settled.
func TestRefundUnconfirmedNeedsAttention(t *testing.T) {
	pol := DefaultPolicy()
	p := fixtures(t)[Refunding]
	refundID := p.Refunds[p.activeRefund()].RequestID
	made := p.Refunds[p.activeRefund()].CreatedAt
	unnamed := event{Kind: evRefundAnswer, Refund: RefundReply{Outcome: Failure, Code: "REFUND_AMOUNT_EXCEED"}}
	notFound := event{Kind: evRefundInquiryAnswer, Refund: RefundReply{Outcome: Failure, Code: "ORDER_NOT_EXIST"}}
	told := 0
	now := made
	for round := 0; now.Before(made.Add(pol.RefundAttentionAfter + time.Hour)); round++ {
		ev := unnamed
		if p.Next == OpInquireRefund {
			ev = notFound
		}
		if p.Next != OpRefund && p.Next != OpInquireRefund {
			t.Fatalf("round %d: next %s, want the refund asked about again", round, p.Next)
		}
		now = p.DueAt
		var acts []action
		p, acts = stepAt(t, p, ev, now)
		for _, a := range acts {
			if a.Kind == actNotify && a.Change == ChangeNeedsAttention {
				told++
				if a.RefundID != refundID {
					t.Errorf("attention names refund %q, want %q", a.RefundID, refundID)
				}
			}
		}
		overdue := !now.Before(made.Add(pol.RefundAttentionAfter))
		if got := p.Attention == AttentionRefundUnconfirmed; got != overdue {
			t.Fatalf("round %d at +%v: attention %q", round, now.Sub(made), p.Attention)
		}
		if i := p.activeRefund(); i < 0 || p.Refunds[i].RequestID != refundID || p.State != Refunding {
			t.Fatalf("round %d: the refund is no longer the one asked about: %+v", round, p.Refunds)
		}
	}
	if told != 1 {
		t.Errorf("a person was told %d times, want once", told)
	}
	// A genuine answer at last: refunded, and the flag goes.
	if p.Next == OpInquireRefund {
		p, _ = stepAt(t, p, refInq(Success, StatusSuccess, "SUCCESS"), p.DueAt)
	} else {
		p, _ = stepAt(t, p, refAns(Success, "SUCCESS"), p.DueAt)
	}
	if p.State != PartiallyRefunded || p.Attention != "" {
		t.Errorf("after the refund: %s attention %q", p.State, p.Attention)
	}
}
