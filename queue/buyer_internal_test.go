package queue

import (
	"strings"
	"testing"

	"github.com/posd/posd/alipay"
)

// The wallet and customer id come from the network and go on paper: only
// short printable text is kept, and the id the gateway masked comes first.
func TestBuyerOf(t *testing.T) {
	cases := []struct {
		in   *alipay.PSPCustomerInfo
		want Buyer
	}{
		{nil, Buyer{}},
		{&alipay.PSPCustomerInfo{PSPName: "ALIPAY_CN", PSPCustomerID: "2088000000000001", DisplayCustomerID: "138****0001"}, Buyer{"ALIPAY_CN", "138****0001"}},
		{&alipay.PSPCustomerInfo{PSPName: "ALIPAY_HK", PSPCustomerID: "2088000000000001"}, Buyer{"ALIPAY_HK", "2088000000000001"}},
		{&alipay.PSPCustomerInfo{PSPName: "ALIPAY\x1b@", DisplayCustomerID: "1\u202e38"}, Buyer{}},
		{&alipay.PSPCustomerInfo{PSPName: strings.Repeat("A", 33), DisplayCustomerID: "138****0001"}, Buyer{"", "138****0001"}},
		{&alipay.PSPCustomerInfo{PSPName: "支付宝", DisplayCustomerID: "\xff"}, Buyer{"支付宝", ""}},
	}
	for _, c := range cases {
		if got := buyerOf(c.in); got != c.want {
			t.Errorf("buyerOf(%+v) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
