package queuetest

import (
	"testing"

	"github.com/posd/posd/queue"
)

// CheckMoney fails t if the outbox file and the gateway's ledger disagree
// about money, whatever the test did before: run after every engine test,
// as bbolt's test database checks its own consistency after every test.
//
//   - No refund is in another currency or not positive, and the refunds
//     that succeeded or may still succeed never pass the amount paid.
//   - A payment the outbox holds as paid (SUCCEEDED, REFUNDING,
//     PARTIALLY_REFUNDED, REFUNDED) is paid at the gateway and not reversed.
//   - A payment the outbox holds as FAILED or CANCELLED leaves no money
//     with the merchant: the gateway never took it, or gave it all back.
//   - Every refund the outbox holds as succeeded is one the gateway made,
//     for the same amount.
//   - A payment has at most one original sale slip, and a FAILED one none.
func CheckMoney(t testing.TB, s *queue.Store, g *Gateway) {
	t.Helper()
	ledger := g.Ledger()
	err := s.ForEach(func(p queue.Payment) error {
		e, atGateway := ledger[p.RequestID]
		for _, r := range p.Refunds {
			if r.Amount.Currency != p.Amount.Currency || r.Amount.Value <= 0 {
				t.Errorf("money: %s: refund %s of %s", p.RequestID, r.RequestID, r.Amount)
			}
			if r.State == queue.RefundSucceeded && (!atGateway || e.Refunds[r.RequestID] != r.Amount) {
				t.Errorf("money: %s: refund %s of %s succeeded in the outbox, the gateway made %v", p.RequestID, r.RequestID, r.Amount, e.Refunds[r.RequestID])
			}
		}
		if p.RefundedTotal() > p.Amount.Value {
			t.Errorf("money: %s: refunds of %d pass the %s paid", p.RequestID, p.RefundedTotal(), p.Amount)
		}
		var givenBack int64
		for _, a := range e.Refunds {
			givenBack += a.Value
		}
		held := atGateway && e.Status == queue.StatusSuccess && !e.Reversed && givenBack < e.Amount.Value
		switch p.State {
		case queue.Succeeded, queue.Refunding, queue.PartiallyRefunded, queue.Refunded:
			if !atGateway || e.Status != queue.StatusSuccess || e.Reversed {
				t.Errorf("money: %s is %s in the outbox, the gateway has %+v", p.RequestID, p.State, e)
			}
		case queue.Failed, queue.Cancelled:
			if held {
				t.Errorf("money: %s is %s in the outbox, the gateway keeps %s of it", p.RequestID, p.State, e.Amount)
			}
		}
		jobs, err := s.Jobs(p.RequestID)
		if err != nil {
			return err
		}
		sales := 0
		for _, j := range jobs {
			if j.Kind == queue.SaleReceipt && !j.Copy {
				sales++
			}
		}
		if sales > 1 || sales > 0 && p.State == queue.Failed {
			t.Errorf("money: %s (%s) has %d original sale slips", p.RequestID, p.State, sales)
		}
		return nil
	})
	if err != nil {
		t.Errorf("money: reading the outbox: %v", err)
	}
}
