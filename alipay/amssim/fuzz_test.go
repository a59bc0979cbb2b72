package amssim

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/alipay/alipaytest"
)

// FuzzDecodeRequest feeds arbitrary bodies to every endpoint's decoder and
// runs whatever is accepted against a fresh book: neither may panic, a
// refusal is always PARAM_ILLEGAL with a message, and an accepted request
// always gets a result with a valid status.
func FuzzDecodeRequest(f *testing.F) {
	_, key := alipaytest.Keys(f)
	f.Add(uint8(0), []byte(`{"productCode":"IN_STORE_PAYMENT","paymentRequestId":"P1","order":{"orderDescription":"x","orderAmount":{"currency":"USD","value":"100"},"merchant":{"referenceMerchantId":"M","merchantName":"N","merchantMCC":"5814","store":{"referenceStoreId":"S","storeName":"N","storeMCC":"5814"}}},"paymentAmount":{"currency":"USD","value":"100"},"paymentMethod":{"paymentMethodType":"CONNECT_WALLET"},"paymentFactor":{"inStorePaymentScenario":"OrderCode"},"paymentNotifyUrl":"https://a.example/n"}`))
	f.Add(uint8(1), []byte(`{"paymentRequestId":"P1"}`))
	f.Add(uint8(0), []byte(`{"productCode":"IN_STORE_PAYMENT","paymentRequestId":"P2","order":{"orderDescription":"x","orderAmount":{"currency":"IDR","value":"1500"},"merchant":{"referenceMerchantId":"M","merchantName":"N","merchantMCC":"5814","store":{"referenceStoreId":"S","storeName":"N","storeMcc":"5814"}},"env":{"userAgent":"AlipayClient","timeZoneOffset":480}},"paymentAmount":{"currency":"IDR","value":"1500"},"paymentMethod":{"paymentMethodType":"CONNECT_WALLET"},"paymentFactor":{"inStorePaymentScenario":"EntryCode","isAuthorization":true},"paymentNotifyUrl":"https%3A%2F%2Fa.example%2Fn","paymentRedirectUrl":"https://a.example/r?x=1","paymentExpiryTime":"2026-01-01T00:10:00Z"}`))
	f.Add(uint8(5), []byte(`{"registrationRequestId":"R1","merchantInfo":{"referenceMerchantId":"M"},"productCodes":["IN_STORE_PAYMENT"],"storeInfo":{"referenceStoreId":"S"}}`))
	f.Add(uint8(3), []byte(`{"refundRequestId":"R1","paymentId":"1","refundAmount":{"currency":"JPY","value":"1"}}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		sim, err := New(Config{
			Merchants:  []MerchantKey{{ClientID: "C", PublicKey: &key.PublicKey}},
			GatewayKey: key,
			Now:        func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
		})
		if err != nil {
			t.Fatal(err)
		}
		api := alipay.APIs[int(which)%len(alipay.APIs)]
		op, err := sim.decode(api, "C", body, "https://sim.example")
		if err != nil {
			var pe *errParam
			if !errors.As(err, &pe) || pe.msg == "" {
				t.Fatalf("refusal %v is not a PARAM_ILLEGAL message", err)
			}
			return
		}
		sim.mu.Lock()
		defer sim.mu.Unlock()
		op.count(sim.b)
		op.run(sim.s.Now())
		switch op.res.ResultStatus {
		case alipay.StatusSuccess, alipay.StatusFailure, alipay.StatusUnknown:
		default:
			t.Fatalf("result %+v", op.res)
		}
		if op.reply != nil {
			mustEncode(op.reply)
		}
	})
}

// FuzzParseFaults checks the -faults parser: no panic, and every fault it
// accepts passes the same check as POST /sim/faults.
func FuzzParseFaults(f *testing.F) {
	f.Add("pay:drop-response:0.5:3,*:delay:1:0:2000")
	f.Add("inquiryPayment:unknown")
	f.Add("refund:truncate:NaN")
	f.Fuzz(func(t *testing.T, spec string) {
		faults, err := ParseFaults(spec)
		if err != nil {
			if !errors.Is(err, ErrFaultSpec) {
				t.Fatalf("error %v does not wrap ErrFaultSpec", err)
			}
			return
		}
		for _, fl := range faults {
			if err := fl.check(); err != nil {
				t.Fatalf("accepted %+v: %v", fl, err)
			}
		}
	})
}

// FuzzFaultJSON checks the body of POST /sim/faults: no panic, and a fault
// that decodes is a valid one.
func FuzzFaultJSON(f *testing.F) {
	f.Add([]byte(`{"endpoint":"pay","kind":"drop-response","probability":0.5,"count":3}`))
	f.Add([]byte(`{"endpoint":"*","kind":"delay","delayMs":2000}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var fl Fault
		if err := json.Unmarshal(body, &fl); err != nil {
			return
		}
		if err := fl.check(); err != nil {
			t.Fatalf("decoded an invalid fault %+v: %v", fl, err)
		}
	})
}
