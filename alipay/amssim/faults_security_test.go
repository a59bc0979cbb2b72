package amssim_test

import (
	"bytes"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

// replay-error: the request is carried out, and the answer is an earlier
// genuine F reply that verifies but names no payment.
func TestFaultReplayError(t *testing.T) {
	for _, earlier := range []bool{false, true} {
		t.Run(map[bool]string{false: "synthesised", true: "captured"}[earlier], func(t *testing.T) {
			e := newEnv(t)
			var captured []byte
			if earlier {
				// A malformed pay the gateway refuses: its genuine signed F reply
				// is what the fault replays.
				req := payRequest("", usd(1000), alipay.ScenarioPaymentCode, amssim.CodePaid)
				_, r, _ := e.client.Pay(t.Context(), req)
				if r.Outcome != alipay.OutcomeNotSent {
					t.Fatalf("the client sent a request without paymentRequestId: %v", r.Outcome)
				}
				rep := e.raw(rawRequest{path: alipay.PrefixSandbox + string(alipay.APIPay), clientID: testClientID,
					body: []byte(`{"productCode":"IN_STORE_PAYMENT"}`), key: merchantKey})
				if rep.status != http.StatusOK || rep.result.ResultCode != alipay.CodeParamIllegal || !rep.signed {
					t.Fatalf("malformed pay: %d %s", rep.status, rep.body)
				}
				captured = rep.body
			}
			e.addFault(map[string]any{"endpoint": "pay", "kind": "replay-error", "count": 1})
			// The reply is genuine and signed, but names no payment: the
			// client holds it unknown (never a decline), its result kept
			// apart as a claim.
			resp, r := e.pay("P1", usd(1000), amssim.CodePaid)
			if r.Verified || r.Outcome != alipay.OutcomeUnknown || !errors.Is(r.Err, alipay.ErrReplyMismatch) ||
				r.Claim.ResultStatus != alipay.StatusFailure || r.Claim.ResultCode != alipay.CodeParamIllegal {
				t.Fatalf("replayed reply: verified %v outcome %v claim %+v err %v", r.Verified, r.Outcome, r.Claim, r.Err)
			}
			if resp != nil {
				t.Fatalf("the replayed reply was decoded: %+v", resp)
			}
			if captured != nil && !bytes.Contains(captured, []byte(r.Claim.ResultCode)) {
				t.Fatalf("replayed %+v, want the captured %s", r.Claim, captured)
			}
			// The gateway charged the customer all the same.
			if p := e.ledgerPayment("P1"); p.Status != amssim.StatusSuccess || p.Calls.Pay != 1 {
				t.Fatalf("ledger %+v", p)
			}
			inq, r := e.inquire("P1")
			expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
			if inq.PaymentStatus != amssim.StatusSuccess {
				t.Fatalf("inquiry %s", inq.PaymentStatus)
			}
		})
	}
}

// wrong-amount: a correctly signed reply whose amount is one minor unit off.
func TestFaultWrongAmount(t *testing.T) {
	e := newEnv(t)
	pay, _ := e.pay("P1", usd(1000), amssim.CodePaid)
	e.addFault(map[string]any{"endpoint": "inquiryPayment", "kind": "wrong-amount", "count": 1})
	inq, r := e.inquire("P1")
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if *inq.PaymentAmount != usd(1001) || inq.PaymentRequestID != "P1" {
		t.Fatalf("inquiry under wrong-amount: %+v %v", inq.PaymentAmount, inq.PaymentRequestID)
	}
	inq, _ = e.inquire("P1") // count 1: the next one is right
	if *inq.PaymentAmount != usd(1000) {
		t.Fatalf("second inquiry %v", inq.PaymentAmount)
	}
	e.addFault(map[string]any{"endpoint": "refund", "kind": "wrong-amount", "count": 1})
	// The client binds refund replies to the request: a signed reply for
	// another amount is unknown, never success.
	_, r = e.refund("P1-R1", pay.PaymentID, usd(300))
	if r.Outcome != alipay.OutcomeUnknown || !errors.Is(r.Err, alipay.ErrReplyMismatch) {
		t.Fatalf("refund under wrong-amount: %v %v", r.Outcome, r.Err)
	}
	if l := e.ledger(); l.Refunds[0].Amount != usd(300) || l.Payments[0].Refunded != usd(300) {
		t.Fatalf("the ledger moved the wrong amount: %+v", l.Refunds[0])
	}
}

// refund-processing and Config.RefundDelay: the refund is accepted and
// stays PROCESSING until its time comes; U, then S.
func TestRefundProcessing(t *testing.T) {
	for _, c := range []struct {
		name  string
		delay time.Duration
		fault map[string]any
	}{
		{"config", 30 * time.Second, nil},
		{"fault", 30 * time.Second, map[string]any{"endpoint": "refund", "kind": "refund-processing", "count": 1, "delayMs": 30000}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, func(cfg *amssim.Config) {
				if c.fault == nil {
					cfg.RefundDelay = c.delay
				}
			})
			pay, _ := e.pay("P1", usd(1000), amssim.CodePaid)
			if c.fault != nil {
				e.addFault(c.fault)
			}
			rr, r := e.refund("P1-R1", pay.PaymentID, usd(400))
			expect(t, r, alipay.OutcomeInProcess, "REFUND_IN_PROCESS")
			if rr.RefundID == "" {
				t.Fatalf("accepted refund without refundId: %+v", rr)
			}
			ir, r, _ := e.client.InquiryRefund(t.Context(), alipay.InquiryRefundRequest{RefundRequestID: "P1-R1"})
			expect(t, r, alipay.OutcomeInProcess, alipay.CodeSuccess)
			if ir.RefundStatus != alipay.RefundStatusProcessing || !ir.RefundTime.IsZero() {
				t.Fatalf("inquiry while processing: %+v", ir)
			}
			// The PROCESSING refund already counts against the payment.
			_, r = e.refund("P1-R2", pay.PaymentID, usd(601))
			expect(t, r, alipay.OutcomeFailure, alipay.CodeRefundAmountExceed)
			_, r = e.refund("P1-R1", pay.PaymentID, usd(400)) // a retry while processing
			expect(t, r, alipay.OutcomeInProcess, "REFUND_IN_PROCESS")

			e.clock.Advance(c.delay)
			ir, _, _ = e.client.InquiryRefund(t.Context(), alipay.InquiryRefundRequest{RefundRequestID: "P1-R1"})
			if ir.RefundStatus != alipay.RefundStatusSuccess || !ir.RefundTime.Time.Equal(e.now()) {
				t.Fatalf("inquiry after the delay: %+v", ir)
			}
			_, r = e.refund("P1-R1", pay.PaymentID, usd(400))
			expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
			if l := e.ledger(); l.Refunds[0].Status != alipay.RefundStatusSuccess || l.Refunds[0].Calls.InquiryRefund != 2 {
				t.Fatalf("ledger %+v", l.Refunds[0])
			}
		})
	}
}

// A short cancel window: a paid payment past it is refunded instead; an
// unpaid one can still be closed.
func TestShortCancelWindow(t *testing.T) {
	e := newEnv(t, func(c *amssim.Config) { c.CancelWindow = 2 * time.Second })
	pay, _ := e.pay("P1", usd(1000), amssim.CodePaid)
	e.payOrderCode("OC1", usd(500))
	e.clock.Advance(2*time.Second + time.Millisecond)
	_, r := e.cancel("P1")
	expect(t, r, alipay.OutcomeFailure, alipay.CodeCancelWindowExceed)
	if r.Action() != alipay.ActionRefundInstead {
		t.Fatalf("action %v", r.Action())
	}
	_, r = e.refund("P1-R1", pay.PaymentID, usd(1000))
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	_, r = e.cancel("OC1")
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if p := e.ledgerPayment("P1"); p.Status != amssim.StatusSuccess || p.Refunded != usd(1000) || p.Reversed {
		t.Fatalf("P1 %+v", p)
	}
}
