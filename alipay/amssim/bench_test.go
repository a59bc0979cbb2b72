package amssim_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

// BenchmarkPayThenInquire measures one user-presented pay and one
// inquiryPayment through the alipay client over keep-alive TLS: two signed
// requests, two verified replies.
func BenchmarkPayThenInquire(b *testing.B) {
	payThenInquire(b, newEnv(b))
}

func payThenInquire(b *testing.B, e *env) {
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("B%d", i)
		if _, r := e.pay(id, usd(1000), amssim.CodePaid); r.Outcome != alipay.OutcomeSuccess {
			b.Fatalf("pay: %v", r.Err)
		}
		if _, r := e.inquire(id); r.Outcome != alipay.OutcomeSuccess {
			b.Fatalf("inquiry: %v", r.Err)
		}
	}
}

// BenchmarkPayThenInquireWithState is BenchmarkPayThenInquire with -state
// on, the ledger growing as it goes: the state file must stay off the
// request path (batched writes) and the per-request work must not grow
// with the ledger (live payments indexed).
func BenchmarkPayThenInquireWithState(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.json")
	e := newEnv(b, func(c *amssim.Config) { c.StatePath = path })
	for i := range 2000 { // a day of trade already in the ledger
		if _, r := e.pay(fmt.Sprintf("OLD%d", i), usd(1000), amssim.CodePaid); r.Outcome != alipay.OutcomeSuccess {
			b.Fatalf("pay: %v", r.Err)
		}
	}
	payThenInquire(b, e)
}
