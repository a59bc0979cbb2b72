package queue_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/queue/queuetest"
)

// Tests of issue 12's rules, each against the engine and the in-memory
// gateway ledger: what the outbox records must agree with what the gateway
// did, whatever reply reaches the terminal.

// voidSlips counts the void slips printed for id.
func (h *harness) voidSlips(id string) int {
	n := 0
	for _, j := range h.jobs(id) {
		if j.Kind == queue.VoidReceipt {
			n++
		}
	}
	return n
}

// Rule 1: a genuine decline that names no payment, replayed in place of
// the real answer while the customer was charged, is unknown: the outbox
// inquires and records the payment paid, and the till never hears
// "declined".
func TestRuleReplayedDeclineIsUnknown(t *testing.T) {
	h := newHarness(t)
	faultFirst(h.gw, queuetest.CallPay, 1, queuetest.Replay)
	h.start()
	sub := h.eng.Subscribe(64)
	defer sub.Close()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	p := h.settled("P1")
	if e := h.gw.Ledger()["P1"]; p.State != queue.Succeeded || e.Status != queue.StatusSuccess || len(h.jobs("P1")) != 1 {
		t.Fatalf("outbox %s, gateway %s: the charge has no record", p.State, e.Status)
	}
	for len(sub.C) > 0 {
		if c := <-sub.C; c.Kind == queue.ChangeFailed {
			t.Fatal("the till was told declined")
		}
	}
}

// Rule 1: even a decline naming this payment is confirmed by inquiry; the
// till may say "declined" at once, but when the inquiry finds the payment
// paid the money goes back, with an alert and a void slip.
func TestRuleDeclineFoundPaidIsGivenBack(t *testing.T) {
	h := newHarness(t)
	h.gw.Answer = func(c queuetest.Call, id string) (queue.Outcome, string, bool) {
		return queue.Failure, "USER_BALANCE_NOT_ENOUGH", c == queuetest.CallPay
	}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeFailed, "P1")
	att := h.waitFor(queue.ChangeNeedsAttention, "P1")
	if att.Attention != queue.AttentionPaidAfterDecline {
		t.Errorf("attention %q", att.Attention)
	}
	p := h.settled("P1")
	e := h.gw.Ledger()["P1"]
	if p.State != queue.Cancelled || !e.Reversed || e.Status != queue.StatusCancelled {
		t.Fatalf("outbox %s, gateway %s reversed=%v: the charge was not given back", p.State, e.Status, e.Reversed)
	}
	if n := h.voidSlips("P1"); n != 1 {
		t.Errorf("%d void slips, want 1", n)
	}
}

// Rule 1: a genuine decline of this very payment becomes FAILED only after
// a verified inquiry agrees; the till hears "declined" once, at once.
func TestRuleDeclineFailsAfterInquiryAgrees(t *testing.T) {
	h := newHarness(t)
	h.start()
	sub := h.eng.Subscribe(64)
	defer sub.Close()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodeDeclined+"00000000000001", 1000))
	if c := h.waitFor(queue.ChangeFailed, "P1"); c.Code != "USER_BALANCE_NOT_ENOUGH" {
		t.Errorf("till told %q", c.Code)
	}
	p := h.settled("P1")
	if p.State != queue.Failed || p.ResultCode != "USER_BALANCE_NOT_ENOUGH" || h.gw.Calls(queuetest.CallInquire) == 0 {
		t.Fatalf("%s %s after %d inquiries", p.State, p.ResultCode, h.gw.Calls(queuetest.CallInquire))
	}
	failed := 0
	for len(sub.C) > 0 {
		if c := <-sub.C; c.RequestID == "P1" && c.Kind == queue.ChangeFailed {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("the till was told %d times", failed)
	}
}

// Rule 2: an inquiry that reports this payment with another amount is not
// success; the payment is resolved by cancel instead, and the gateway and
// the outbox agree.
func TestRuleInquiryWithAnotherAmountIsNotSuccess(t *testing.T) {
	h := newHarness(t)
	h.gw.Fault = func(c queuetest.Call, id string) queuetest.Fault {
		if c == queuetest.CallInquire {
			return queuetest.WrongAmount
		}
		return queuetest.NoFault
	}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodeNever+"00000000000001", 1000))
	p := h.settled("P1")
	e := h.gw.Ledger()["P1"]
	if p.State == queue.Succeeded || p.ReceiptIssued {
		t.Fatalf("a reply with another amount made the payment %s", p.State)
	}
	if p.State != queue.Cancelled || e.Status != queue.StatusCancelled {
		t.Fatalf("outbox %s, gateway %s", p.State, e.Status)
	}
}

// Rule 2: replies replayed from other requests, on every call, never make
// a payment paid or failed against what the gateway did.
func TestRuleReplayedRepliesNeverDecide(t *testing.T) {
	h := newHarness(t)
	var n atomic.Int32
	h.gw.Fault = func(c queuetest.Call, id string) queuetest.Fault {
		if n.Add(1)%2 == 1 { // every other call, of every kind
			return queuetest.Replay
		}
		return queuetest.NoFault
	}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.pay(payReq("P2", "S2", queue.PaymentCode, queuetest.CodeNever+"00000000000001", 1000))
	p1 := h.settled("P1")
	if p1.State == queue.Succeeded {
		if _, err := h.eng.Refund("P1", money.Amount{Currency: "USD", Value: 400}, "test"); err != nil {
			t.Fatal(err)
		}
		p1 = h.settled("P1")
	}
	p2 := h.settled("P2")
	l := h.gw.Ledger()
	for _, p := range []queue.Payment{p1, p2} {
		e := l[p.RequestID]
		paid := p.State.Paid() || p.State == queue.Refunded
		if paid != (e.Status == queue.StatusSuccess) {
			t.Errorf("%s: outbox %s, gateway %s", p.RequestID, p.State, e.Status)
		}
		var done int64
		for _, r := range p.Refunds {
			if r.State == queue.RefundSucceeded {
				done += r.Amount.Value
			}
		}
		var at int64
		for _, a := range e.Refunds {
			at += a.Value
		}
		if done != at {
			t.Errorf("%s: outbox refunded %d, gateway %d", p.RequestID, done, at)
		}
	}
}

// Rule 3: a verified success notification for a payment posd closed
// triggers an inquiry; paid means the money goes back, with an alert.
// A notification for an unknown payment is reported as such.
func TestRuleLateSuccessNotificationIsChecked(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodeDeclined+"00000000000001", 1000))
	if p := h.settled("P1"); p.State != queue.Failed {
		t.Fatalf("state %s", p.State)
	}
	h.gw.PaidLate("P1") // the gateway charged it after all
	res, err := h.eng.Notice("P1", true)
	if err != nil || res != queue.NoticeRecheck {
		t.Fatalf("Notice = %v, %v", res, err)
	}
	if p, _ := h.store.Get("P1"); p.Next != queue.OpInquire {
		t.Fatalf("the check is not committed before the notification is acknowledged: %s next=%s", p.State, p.Next)
	}
	att := h.waitFor(queue.ChangeNeedsAttention, "P1")
	if att.Attention != queue.AttentionPaidAfterClose {
		t.Errorf("attention %q", att.Attention)
	}
	p := h.settled("P1")
	if e := h.gw.Ledger()["P1"]; p.State != queue.Cancelled || !e.Reversed {
		t.Fatalf("outbox %s, gateway %s reversed=%v", p.State, e.Status, e.Reversed)
	}
	if h.voidSlips("P1") != 1 {
		t.Error("no void slip")
	}

	// Not paid after all: back to FAILED, without a word to the till.
	h.pay(payReq("P2", "S2", queue.PaymentCode, queuetest.CodeDeclined+"00000000000001", 1000))
	h.settled("P2")
	if res, err := h.eng.Notice("P2", true); err != nil || res != queue.NoticeRecheck {
		t.Fatalf("Notice = %v, %v", res, err)
	}
	if p := h.settled("P2"); p.State != queue.Failed || p.Attention != "" {
		t.Fatalf("P2 %s attention %q", p.State, p.Attention)
	}
	if res, _ := h.eng.Notice("NOPE", true); res != queue.NoticeUnknown {
		t.Errorf("unknown payment: %v", res)
	}
}

// Rule 4: a merchant or configuration code stops new payments at once
// (a customer's decline does not); payments under way are still resolved.
func TestRuleMerchantCodeStopsNewPayments(t *testing.T) {
	h := newHarness(t)
	h.gw.Answer = func(c queuetest.Call, id string) (queue.Outcome, string, bool) {
		if c == queuetest.CallPay && id == "P2" {
			return queue.Failure, alipay.CodeMerchantNotRegistered, true
		}
		return "", "", false
	}
	h.start()
	h.pay(payReq("P0", "S0", queue.PaymentCode, queuetest.CodeDeclined+"00000000000001", 1000))
	h.settled("P0")
	if err := h.eng.Stopped(); err != nil {
		t.Fatalf("a customer's decline stopped the till: %v", err)
	}
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodeNever+"00000000000001", 1000))
	h.pay(payReq("P2", "S2", queue.PaymentCode, queuetest.CodeDeclined+"00000000000001", 1000))
	c := h.waitFor(queue.ChangeStopped, "")
	if c.Code != alipay.CodeMerchantNotRegistered || !errors.Is(h.eng.Stopped(), queue.ErrStopped) ||
		!strings.Contains(h.eng.Stopped().Error(), "not registered") {
		t.Fatalf("stopped: %+v, %v", c, h.eng.Stopped())
	}
	if _, err := h.eng.Pay(payReq("P3", "S3", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000)); !errors.Is(err, queue.ErrStopped) {
		t.Fatalf("new payment while stopped: %v", err)
	}
	if p := h.settled("P1"); p.State != queue.Cancelled {
		t.Errorf("payment under way not resolved: %s", p.State)
	}
}

// Rule 4: a wrong key makes every reply a claim of SIGNATURE_INVALID that
// cannot be trusted; repeated, it stops new payments.
func TestRuleRepeatedSignatureInvalidStops(t *testing.T) {
	h := newHarness(t)
	h.gw.Answer = func(c queuetest.Call, id string) (queue.Outcome, string, bool) {
		return queue.Unsure, alipay.CodeSignatureInvalid, true
	}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodeNever+"00000000000001", 1000))
	c := h.waitFor(queue.ChangeStopped, "")
	if c.Code != alipay.CodeSignatureInvalid || !errors.Is(h.eng.Stopped(), queue.ErrStopped) {
		t.Fatalf("stopped: %+v, %v", c, h.eng.Stopped())
	}
}

// Rule 7: a payment-code pay unanswered for PayAnswerWait (5 s by
// default, https://docs.antom.com/ac/ams_upm/bp) is inquired, without
// waiting for the pay's own 15 s deadline.
func TestRuleFirstInquiryWhenPayIsUnanswered(t *testing.T) {
	if w := queue.DefaultPolicy().PayAnswerWait; w != 5*time.Second {
		t.Fatalf("default PayAnswerWait %v, want 5s", w)
	}
	h := newHarness(t)
	pol := queue.DefaultPolicy()
	pol.PayAnswerWait = 100 * time.Millisecond // wall time, short for the test
	h.cfg = func(c *queue.Config) { c.Policy = &pol }
	h.frozen = true // the engine's clock does not move: only the pay's own wait can end it
	cut := make(chan struct{})
	h.gw.Before = func(ctx context.Context, c queuetest.Call) {
		if c == queuetest.CallPay {
			<-ctx.Done() // the gateway never answers
			close(cut)
		}
	}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodeNever+"00000000000001", 1000))
	select {
	case <-cut:
	case <-time.After(20 * time.Second): // deadlock guard
		t.Fatal("the pay was never given up")
	}
	h.waitForCall(queuetest.CallInquire)
}

// Rule 5: refund ids are at most 64 characters whatever the payment id and
// the refund's number, and unique.
func TestRuleRefundIDsFit(t *testing.T) {
	h := newHarness(t)
	h.start()
	id := "T" + strings.Repeat("3", 31) + "-20261129T030000-0123456789ab" // a 32-character terminal id
	if len(id) != 61 {
		t.Fatalf("id is %d long", len(id))
	}
	h.pay(payReq(id, "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	h.waitFor(queue.ChangeSucceeded, id)
	seen := map[string]bool{}
	for i := range 12 {
		r, err := h.eng.Refund(id, money.Amount{Currency: "USD", Value: 10}, "")
		if err != nil {
			t.Fatalf("refund %d: %v", i+1, err)
		}
		if len(r.RequestID) > alipay.MaxIDLen || seen[r.RequestID] || alipay.CheckRequestID("refundRequestId", r.RequestID) != nil {
			t.Fatalf("refund %d: id %q (%d characters)", i+1, r.RequestID, len(r.RequestID))
		}
		seen[r.RequestID] = true
	}
	if p := h.settled(id); p.State != queue.PartiallyRefunded || len(h.gw.Ledger()[id].Refunds) != 12 {
		t.Fatalf("%s with %d refunds at the gateway", p.State, len(h.gw.Ledger()[id].Refunds))
	}
}

// Rule 5: ids with characters the gateway does not take are refused when
// the payment is made, never stored to be retried for ever.
func TestRuleIDCharacters(t *testing.T) {
	h := newHarness(t)
	h.start()
	for _, id := range []string{"T01/2026", "T01 2026", "T01.2026", "Tö1", strings.Repeat("x", 65)} {
		req := payReq(id, "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000)
		if _, err := h.eng.Pay(req); !errors.Is(err, queue.ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", id, err)
		}
	}
}

// Rule 11: a cashier abort that crosses a pay which comes back paid is a
// reversal: its cancel prints a void slip.
func TestRuleAbortCrossingPaidPayPrintsVoidSlip(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	sent := make(chan struct{})
	h.gw.Before = func(ctx context.Context, c queuetest.Call) {
		if c == queuetest.CallPay {
			close(sent)
			<-release
		}
	}
	h.start()
	h.pay(payReq("P1", "S1", queue.PaymentCode, queuetest.CodePaid+"00000000000001", 1000))
	<-sent
	if err := h.eng.Abort("P1"); err != nil {
		t.Fatal(err)
	}
	close(release)
	p := h.settled("P1")
	if e := h.gw.Ledger()["P1"]; p.State != queue.Cancelled || !e.Reversed {
		t.Fatalf("outbox %s, gateway %s reversed=%v", p.State, e.Status, e.Reversed)
	}
	if n := h.voidSlips("P1"); n != 1 {
		t.Errorf("%d void slips, want 1", n)
	}
}
