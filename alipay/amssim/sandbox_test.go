package amssim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

func TestSandboxAmounts(t *testing.T) {
	e := newEnv(t, func(c *amssim.Config) { c.SandboxAmounts = true; c.Hang = 50 * time.Millisecond })

	_, r := e.pay("A9901", usd(9901), amssim.CodePaid)
	expect(t, r, alipay.OutcomeInProcess, alipay.CodeUnknownException)
	if inq, _ := e.inquire("A9901"); inq.PaymentStatus != amssim.StatusSuccess {
		t.Fatalf("9901 made no payment: %s", inq.PaymentStatus)
	}

	_, r = e.pay("A9902", usd(9902), amssim.CodePaid)
	if r.Outcome != alipay.OutcomeUnknown || !errors.Is(r.Err, alipay.ErrTransport) {
		t.Fatalf("9902: %v %v", r.Outcome, r.Err)
	}
	if p := e.ledgerPayment("A9902"); p.Status != amssim.StatusSuccess {
		t.Fatalf("9902 payment %+v", p)
	}

	_, r = e.pay("A9903", usd(9903), amssim.CodePaid)
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
	_, r = e.inquire("A9903")
	expect(t, r, alipay.OutcomeUnknown, alipay.CodeUnknownException)

	e.pay("A9904", usd(9904), amssim.CodePaid)
	_, r = e.inquire("A9904")
	if r.Outcome != alipay.OutcomeUnknown || !errors.Is(r.Err, alipay.ErrTransport) {
		t.Fatalf("9904 inquiry: %v %v", r.Outcome, r.Err)
	}

	// Without the option these are ordinary amounts.
	plain := newEnv(t)
	_, r = plain.pay("A9901", usd(9901), amssim.CodePaid)
	expect(t, r, alipay.OutcomeSuccess, alipay.CodeSuccess)
}
