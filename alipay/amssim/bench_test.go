package amssim_test

import (
	"fmt"
	"testing"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/amssim"
)

// BenchmarkPayThenInquire measures one user-presented pay and one
// inquiryPayment through the alipay client over keep-alive TLS: two signed
// requests, two verified replies.
func BenchmarkPayThenInquire(b *testing.B) {
	e := newEnv(b)
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
