package amssim

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// TestBookInvariants drives the pure book with long random sequences of
// calls, customer actions and clock steps, and checks the money rules
// after every step: nothing refunded beyond the payment, refunds add up,
// a final status never changes except SUCCESS to CANCELLED by a reversal,
// and only paid payments are reversed or refunded.
func TestBookInvariants(t *testing.T) {
	codes := []string{CodePaid, CodeInsufficient, CodeInvalid, CodeExpired, CodePasswordPaid, CodePasswordDeclined, CodeNoAnswer, "281111111111111111"}
	scenarios := []alipay.Scenario{alipay.ScenarioPaymentCode, alipay.ScenarioOrderCode, alipay.ScenarioEntryCode}
	actions := []string{ActionPay, ActionDecline, ActionInsufficient, ActionScan}
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 1))
		b := newBook()
		now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		tokens := 0
		prev := map[string]string{}
		for step := range 400 {
			id := fmt.Sprintf("P%d", rng.IntN(12))
			switch rng.IntN(7) {
			case 0, 1:
				sc := scenarios[rng.IntN(len(scenarios))]
				req := alipay.PayRequest{PaymentRequestID: id, PaymentAmount: money.Amount{Currency: "USD", Value: int64(1 + rng.IntN(3)*500)},
					PaymentFactor: alipay.PaymentFactor{InStorePaymentScenario: sc}, PaymentNotifyURL: "https://pos.example/n"}
				if sc == alipay.ScenarioPaymentCode {
					req.PaymentMethod.PaymentMethodID = codes[rng.IntN(len(codes))]
				}
				b.pay(payInput{ClientID: "C", Req: req, Expiry: 3 * time.Minute, Delay: 5 * time.Second,
					Token: func() string { tokens++; return fmt.Sprint(tokens) }}, now)
			case 2:
				b.cancel("C", id, "", 24*time.Hour, now)
			case 3:
				if p := b.Payments[key("C", id)]; p != nil {
					b.refund(refundInput{ClientID: "C", Window: 48 * time.Hour, Req: alipay.RefundRequest{
						RefundRequestID: fmt.Sprintf("%s-R%d", id, rng.IntN(3)), PaymentID: p.PaymentID,
						RefundAmount: money.Amount{Currency: "USD", Value: int64(1 + rng.IntN(600))}}}, now)
				}
			case 4:
				if tokens > 0 {
					_, _ = b.customer(fmt.Sprint(1+rng.IntN(tokens)), actions[rng.IntN(len(actions))], now)
				}
			case 5:
				now = now.Add(time.Duration(rng.IntN(90)) * time.Second)
				b.advanceAll(now)
			case 6:
				b.inquire("C", id, "", now)
			}
			checkInvariants(t, b, prev, fmt.Sprintf("seed %d step %d", seed, step))
		}
	}
}

func checkInvariants(t *testing.T, b *book, prev map[string]string, where string) {
	t.Helper()
	refunded := map[string]int64{}
	for _, r := range b.Refunds {
		refunded[r.PaymentID] += r.Amount.Value
	}
	for k, p := range b.Payments {
		if p.Refunded.Value != refunded[p.PaymentID] || p.Refunded.Value > p.Amount.Value || p.Refunded.Value < 0 {
			t.Fatalf("%s: %s refunded %d, refunds add to %d, amount %d", where, k, p.Refunded.Value, refunded[p.PaymentID], p.Amount.Value)
		}
		if p.Refunded.Value > 0 && p.Status != StatusSuccess {
			t.Fatalf("%s: %s refunded while %s", where, k, p.Status)
		}
		if p.Reversed && (p.Status != StatusCancelled || prev[k] != StatusSuccess && prev[k] != "reversed") {
			t.Fatalf("%s: %s reversed without having been paid", where, k)
		}
		switch before := prev[k]; {
		case before == "" || before == p.Status || before == StatusProcessing:
		case before == StatusSuccess && p.Status == StatusCancelled && p.Reversed:
		case before == "reversed" && p.Status == StatusCancelled:
		case before == StatusFail && p.Status == StatusCancelled:
		default:
			t.Fatalf("%s: %s went from %s to %s", where, k, before, p.Status)
		}
		if p.Status == StatusSuccess && p.FinishedAt.IsZero() {
			t.Fatalf("%s: %s paid without a payment time", where, k)
		}
		prev[k] = p.Status
		if p.Reversed {
			prev[k] = "reversed" // stays cancelled for good
		}
	}
}
