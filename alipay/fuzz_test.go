package alipay

import (
	"errors"
	"testing"
)

// FuzzDecodeReply feeds arbitrary verified-looking bodies to every reply
// decoder and to the outcome judge: no panic, no success without S, and a
// decoder either returns a result with a known status or ErrUndecodable.
func FuzzDecodeReply(f *testing.F) {
	f.Add([]byte(upmSuccess))
	f.Add([]byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentStatus":"PROCESSING"}`))
	f.Add([]byte(`{"result":{"resultStatus":"S"},"paymentQuote":{"quotePrice":0.88,"guaranteed":false}}`))
	upm, err := EncodePay(examplePay())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for api, decode := range decoders {
			err := decode(body)
			if err != nil && !errors.Is(err, ErrUndecodable) {
				t.Fatalf("%s: unclassified error %v", api.Name(), err)
			}
			outcome, got, jerr := judge(api, upm, body)
			if jerr != nil && outcome != OutcomeUnknown {
				t.Fatalf("%s: %v with error %v", api.Name(), outcome, jerr)
			}
			if outcome == OutcomeSuccess && got.Result.ResultStatus != StatusSuccess {
				t.Fatalf("%s: success from %q", api.Name(), body)
			}
		}
		if r, err := DecodePayResponse(body); err == nil {
			switch r.Result.ResultStatus {
			case StatusSuccess, StatusFailure, StatusUnknown:
			default:
				t.Fatalf("decoded status %q", r.Result.ResultStatus)
			}
		}
	})
}

// FuzzDecodeNotification: any body either decodes to a kind or fails with
// ErrUndecodable; a payment notification always names its payment.
func FuzzDecodeNotification(f *testing.F) {
	f.Add([]byte(`{"notifyType":"PAYMENT_RESULT","result":{"resultStatus":"S"},"paymentRequestId":"P1"}`))
	f.Add([]byte(`{"registrationRequestId":"R1","registrationResult":{"registrationStatus":"COMPLETED"}}`))
	f.Add([]byte(`{"notifyType":"OFFLINE_PAYMENT_CODE"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := DecodeNotification(body)
		if err != nil {
			if !errors.Is(err, ErrUndecodable) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		switch n.Kind {
		case NotificationPayment:
			if n.Payment == nil || n.Payment.PaymentRequestID == "" && n.Payment.PaymentID == "" {
				t.Fatalf("payment notification without payment: %q", body)
			}
			_ = n.Payment.Outcome()
		case NotificationRegistration:
			if n.Registration == nil {
				t.Fatal("registration kind without body")
			}
		}
	})
}

// FuzzParseRequestTime: never panics; what parses is a real instant.
func FuzzParseRequestTime(f *testing.F) {
	f.Add("1685599933871")
	f.Add("2019-07-12T12:08:56.253+05:30")
	f.Add("2020-04-29T17:18:47Z")
	f.Fuzz(func(t *testing.T, v string) {
		tm, err := ParseRequestTime(v)
		if err == nil && tm.IsZero() && v != "0001-01-01T00:00:00Z" {
			t.Fatalf("%q parsed to the zero time", v)
		}
	})
}
