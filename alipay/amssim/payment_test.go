package amssim_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/money"
)

func TestPaymentCodeTestCodes(t *testing.T) {
	cases := []struct {
		code    string
		outcome alipay.Outcome
		result  string
		status  string // inquiry right after pay
		later   string // inquiry after the password delay
		failure string // paymentResultCode once final
	}{
		{amssim.CodePaid, alipay.OutcomeSuccess, alipay.CodeSuccess, amssim.StatusSuccess, amssim.StatusSuccess, alipay.CodeSuccess},
		{"281234567890123456", alipay.OutcomeSuccess, alipay.CodeSuccess, amssim.StatusSuccess, amssim.StatusSuccess, alipay.CodeSuccess},
		{amssim.CodeInsufficient, alipay.OutcomeFailure, alipay.CodeUserBalanceNotEnough, amssim.StatusFail, amssim.StatusFail, alipay.CodeUserBalanceNotEnough},
		{amssim.CodeInvalid, alipay.OutcomeFailure, alipay.CodeInvalidPaymentCode, amssim.StatusFail, amssim.StatusFail, alipay.CodeInvalidPaymentCode},
		{"12345", alipay.OutcomeFailure, alipay.CodeInvalidPaymentCode, amssim.StatusFail, amssim.StatusFail, alipay.CodeInvalidPaymentCode},
		{amssim.CodeExpired, alipay.OutcomeFailure, alipay.CodeExpiredCode, amssim.StatusFail, amssim.StatusFail, alipay.CodeExpiredCode},
		{amssim.CodePasswordPaid, alipay.OutcomeInProcess, alipay.CodePaymentInProcess, amssim.StatusProcessing, amssim.StatusSuccess, alipay.CodeSuccess},
		{amssim.CodePasswordDeclined, alipay.OutcomeInProcess, alipay.CodePaymentInProcess, amssim.StatusProcessing, amssim.StatusFail, alipay.CodeUserPaymentVerificationFailed},
		{amssim.CodeNoAnswer, alipay.OutcomeInProcess, alipay.CodePaymentInProcess, amssim.StatusProcessing, amssim.StatusProcessing, alipay.CodePaymentInProcess},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			e := newEnv(t)
			_, r := e.pay("P1", usd(1000), c.code)
			expect(t, r, c.outcome, c.result)
			inq, r := e.inquire("P1")
			expect(t, r, map[string]alipay.Outcome{
				amssim.StatusSuccess: alipay.OutcomeSuccess, amssim.StatusFail: alipay.OutcomeFailure,
				amssim.StatusProcessing: alipay.OutcomeInProcess,
			}[c.status], alipay.CodeSuccess)
			if inq.PaymentStatus != c.status {
				t.Fatalf("status %s, want %s", inq.PaymentStatus, c.status)
			}
			e.clock.Advance(amssim.DefaultPasswordDelay)
			inq, _ = e.inquire("P1")
			if inq.PaymentStatus != c.later || inq.PaymentResultCode != c.failure {
				t.Fatalf("after delay: %s %s, want %s %s", inq.PaymentStatus, inq.PaymentResultCode, c.later, c.failure)
			}
			// The no-answer code never expires on its own.
			e.clock.Advance(time.Hour)
			inq, _ = e.inquire("P1")
			if inq.PaymentStatus != c.later {
				t.Fatalf("an hour later: %s, want %s", inq.PaymentStatus, c.later)
			}
			p := e.ledgerPayment("P1")
			if p.Status != c.later || p.Calls.Pay != 1 || p.Calls.InquiryPayment != 3 || p.Amount != usd(1000) {
				t.Fatalf("ledger %+v", p)
			}
		})
	}
}

func TestOrderCodeCustomerPays(t *testing.T) {
	e := newEnv(t)
	resp, r := e.payOrderCode("OC1", usd(2500))
	expect(t, r, alipay.OutcomeInProcess, alipay.CodeSuccess)
	code, ok := resp.OrderCodeForm.QRText()
	if !ok {
		t.Fatalf("no TEXT QRCODE entry in %+v", resp.OrderCodeForm)
	}
	if want := e.clock.Now().Add(amssim.DefaultPaymentExpiry); !resp.OrderCodeForm.ExpireTime.Equal(want) {
		t.Fatalf("expireTime %v, want %v", resp.OrderCodeForm.ExpireTime, want)
	}
	if _, err := e.sim.Customer(code, amssim.ActionScan); err != nil {
		t.Fatal(err)
	}
	inq, _ := e.inquire("OC1")
	if inq.PaymentStatus != amssim.StatusProcessing {
		t.Fatalf("after scan: %s", inq.PaymentStatus)
	}
	if _, err := e.sim.Customer(code, amssim.ActionPay); err != nil {
		t.Fatal(err)
	}
	inq, r = e.inquire("OC1")
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if inq.PaymentStatus != amssim.StatusSuccess || *inq.PaymentAmount != usd(2500) {
		t.Fatalf("inquiry %+v", inq)
	}
	// Paying twice is refused and changes nothing.
	if _, err := e.sim.Customer(code, amssim.ActionPay); err == nil {
		t.Fatal("second pay accepted")
	}
	// A repeated pay still returns the same code.
	resp2, r := e.payOrderCode("OC1", usd(2500))
	expect(t, r, alipay.OutcomeInProcess, alipay.CodeSuccess)
	if c2, _ := resp2.OrderCodeForm.QRText(); c2 != code || resp2.PaymentID != resp.PaymentID {
		t.Fatalf("repeat gave %s/%s, want %s/%s", c2, resp2.PaymentID, code, resp.PaymentID)
	}
}

func TestOrderCodeExpires(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.payOrderCode("OC1", usd(100))
	code, _ := resp.OrderCodeForm.QRText()
	e.clock.Advance(amssim.DefaultPaymentExpiry)
	inq, r := e.inquire("OC1")
	expect(t, r, alipay.OutcomeFailure, alipay.CodeSuccess)
	if inq.PaymentStatus != amssim.StatusCancelled || inq.PaymentResultCode != alipay.CodeOrderIsClosed {
		t.Fatalf("expired payment: %s %s", inq.PaymentStatus, inq.PaymentResultCode)
	}
	if _, err := e.sim.Customer(code, amssim.ActionPay); err == nil {
		t.Fatal("paid an expired code")
	}
	_, r = e.payOrderCode("OC1", usd(100))
	expect(t, r, alipay.OutcomeFailure, alipay.CodeOrderIsClosed)
}

func TestOrderCodeDeclineAndInsufficient(t *testing.T) {
	for action, code := range map[string]string{
		amssim.ActionDecline:      alipay.CodeUserPaymentVerificationFailed,
		amssim.ActionInsufficient: alipay.CodeUserBalanceNotEnough,
	} {
		t.Run(action, func(t *testing.T) {
			e := newEnv(t)
			resp, _ := e.payOrderCode("OC1", usd(100))
			cv, _ := resp.OrderCodeForm.QRText()
			if _, err := e.sim.Customer(cv, action); err != nil {
				t.Fatal(err)
			}
			inq, r := e.inquire("OC1")
			expect(t, r, alipay.OutcomeFailure, alipay.CodeSuccess)
			if inq.PaymentResultCode != code {
				t.Fatalf("code %s, want %s", inq.PaymentResultCode, code)
			}
		})
	}
}

func TestPayIdempotency(t *testing.T) {
	e := newEnv(t)
	first, r := e.pay("P1", usd(1000), amssim.CodePaid)
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	again, r := e.pay("P1", usd(1000), amssim.CodePaid)
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if again.PaymentID != first.PaymentID {
		t.Fatalf("repeat created payment %s, first was %s", again.PaymentID, first.PaymentID)
	}
	_, r = e.pay("P1", usd(1001), amssim.CodePaid)
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRepeatReqInconsistent)
	_, r = e.pay("P1", usd(1000), "281234567890123456")
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRepeatReqInconsistent)
	l := e.ledger()
	if len(l.Payments) != 1 || l.Payments[0].Calls.Pay != 4 || l.Payments[0].Amount != usd(1000) {
		t.Fatalf("ledger %+v", l.Payments)
	}
	// A password payment repeated while pending stays U, then reports the outcome.
	_, r = e.pay("P2", usd(500), amssim.CodePasswordPaid)
	expect(t, r, alipay.OutcomeInProcess, alipay.CodePaymentInProcess)
	_, r = e.pay("P2", usd(500), amssim.CodePasswordPaid)
	expect(t, r, alipay.OutcomeInProcess, alipay.CodePaymentInProcess)
	e.clock.Advance(amssim.DefaultPasswordDelay)
	_, r = e.pay("P2", usd(500), amssim.CodePasswordPaid)
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
}

func TestCancel(t *testing.T) {
	e := newEnv(t)
	// Unpaid: closed.
	e.payOrderCode("OC1", usd(100))
	c, r := e.cancel("OC1")
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if !c.CancelTime.Equal(e.clock.Now()) {
		t.Fatalf("cancelTime %v", c.CancelTime)
	}
	if p := e.ledgerPayment("OC1"); p.Status != amssim.StatusCancelled || p.Reversed {
		t.Fatalf("unpaid cancel: %+v", p)
	}
	_, r = e.cancel("OC1") // idempotent
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	_, r = e.payOrderCode("OC1", usd(100))
	expect(t, r, alipay.OutcomeFailure, alipay.CodeOrderIsCanceled)

	// Paid: reversed in full.
	e.pay("P1", usd(1000), amssim.CodePaid)
	_, r = e.cancel("P1")
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if p := e.ledgerPayment("P1"); p.Status != amssim.StatusCancelled || !p.Reversed {
		t.Fatalf("paid cancel: %+v", p)
	}
	inq, _ := e.inquire("P1")
	if inq.PaymentStatus != amssim.StatusCancelled {
		t.Fatalf("inquiry after reversal: %s", inq.PaymentStatus)
	}

	// A pending password payment cancelled never settles.
	e.pay("P2", usd(1000), amssim.CodePasswordPaid)
	_, r = e.cancel("P2")
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	e.clock.Advance(amssim.DefaultPasswordDelay)
	if p := e.ledgerPayment("P2"); p.Status != amssim.StatusCancelled || p.Reversed {
		t.Fatalf("cancelled pending payment: %+v", p)
	}

	// Unknown id.
	_, r = e.cancel("nope")
	expect(t, r, alipay.OutcomeFailure, alipay.CodeOrderNotExist)

	// Beyond the window.
	e.pay("P3", usd(1000), amssim.CodePaid)
	e.clock.Advance(amssim.DefaultCancelWindow + time.Second)
	_, r = e.cancel("P3")
	expect(t, r, alipay.OutcomeFailure, alipay.CodeCancelWindowExceed)
	if p := e.ledgerPayment("P3"); p.Status != amssim.StatusSuccess || p.Calls.Cancel != 1 {
		t.Fatalf("window: %+v", p)
	}
}

func TestRefunds(t *testing.T) {
	e := newEnv(t, func(c *amssim.Config) { c.RefundWindow = 48 * time.Hour })
	resp, _ := e.pay("P1", usd(1000), amssim.CodePaid)
	pid := resp.PaymentID

	rr, r := e.refund("P1-R1", pid, usd(300))
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	_, r = e.refund("P1-R1", pid, usd(300)) // idempotent
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	_, r = e.refund("P1-R1", pid, usd(301))
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRepeatReqInconsistent)
	_, r = e.refund("P1-R2", pid, usd(701))
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRefundAmountExceed)
	_, r = e.refund("P1-R2", pid, money.Amount{Currency: "EUR", Value: 100})
	expect(t, r, alipay.OutcomeFailure, alipay.CodeCurrencyNotSupport)
	_, r = e.refund("P1-R2", pid, usd(700))
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	_, r = e.refund("P1-R3", pid, usd(1))
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRefundAmountExceed)
	_, r = e.refund("P1-R3", "unknown", usd(1))
	expect(t, r, alipay.OutcomeFailure, alipay.CodeOrderNotExist)

	ir, r, _ := e.client.InquiryRefund(t.Context(), alipay.InquiryRefundRequest{RefundRequestID: "P1-R1"})
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	if ir.RefundID != rr.RefundID || *ir.RefundAmount != usd(300) {
		t.Fatalf("inquiryRefund %+v", ir)
	}
	_, r, _ = e.client.InquiryRefund(t.Context(), alipay.InquiryRefundRequest{RefundRequestID: "P1-R9"})
	expect(t, r, alipay.OutcomeUnknown, alipay.CodeOrderNotExist)

	l := e.ledger()
	if p := l.Payments[0]; p.Refunded != usd(1000) || p.Status != amssim.StatusSuccess {
		t.Fatalf("payment after refunds: %+v", p)
	}
	if len(l.Refunds) != 2 || l.Refunds[0].Calls.Refund != 3 {
		t.Fatalf("refunds %+v", l.Refunds)
	}

	// State errors: failed, cancelled, processing; window.
	e.pay("F1", usd(100), amssim.CodeInsufficient)
	e.pay("C1", usd(100), amssim.CodePaid)
	e.cancel("C1")
	e.pay("W1", usd(100), amssim.CodeNoAnswer)
	for id, code := range map[string]string{"F1": alipay.CodeOrderStatusInvalid, "C1": alipay.CodeOrderIsCanceled, "W1": alipay.CodeOrderStatusInvalid} {
		p := e.ledgerPayment(id)
		_, r = e.refund(id+"-R1", p.PaymentID, usd(10))
		expect(t, r, alipay.OutcomeFailure, code)
	}
	// A cancel after a refund cannot reverse in full.
	_, r = e.cancel("P1")
	expect(t, r, alipay.OutcomeFailure, alipay.CodeOrderStatusInvalid)
	e.pay("L1", usd(100), amssim.CodePaid)
	e.clock.Advance(48*time.Hour + time.Second)
	_, r = e.refund("L1-R1", e.ledgerPayment("L1").PaymentID, usd(10))
	expect(t, r, alipay.OutcomeFailure, alipay.CodeRefundWindowExceed)
}

// TestConcurrentRepeatsMakeOnePayment: many terminals' retries of the same
// pay race each other; there is one payment, and every call is counted.
func TestConcurrentRepeatsMakeOnePayment(t *testing.T) {
	e := newEnv(t)
	const workers, rounds = 6, 5
	var wg sync.WaitGroup
	ids := make(chan string, workers*rounds)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				resp, r, _ := e.client.Pay(context.Background(), payRequest("P1", usd(1000), alipay.ScenarioPaymentCode, amssim.CodePaid))
				if r.Outcome == alipay.OutcomeSuccess {
					ids <- resp.PaymentID
				} else {
					t.Errorf("pay: %v %v", r.Outcome, r.Err)
				}
				e.client.InquiryPayment(context.Background(), alipay.InquiryPaymentRequest{PaymentRequestID: "P1"})
			}
		}()
	}
	wg.Wait()
	close(ids)
	first := ""
	n := 0
	for id := range ids {
		if first == "" {
			first = id
		}
		if id != first {
			t.Fatalf("two payment ids: %s and %s", first, id)
		}
		n++
	}
	l := e.ledger()
	if n != workers*rounds || len(l.Payments) != 1 {
		t.Fatalf("%d successes, %d payments", n, len(l.Payments))
	}
	if c := l.Payments[0].Calls; c.Pay != workers*rounds || c.InquiryPayment != workers*rounds {
		t.Fatalf("calls %+v", c)
	}
}
