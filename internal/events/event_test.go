package events

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func sample() Event {
	return Event{V: Version, ID: EventID("0123456789abcdef", 7), Stream: "0123456789abcdef", Seq: 7, Type: TypeRefund,
		At: time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC), Merchant: "M0001", Store: "S01", Terminal: "T1",
		Payment: &Payment{RequestID: "T1-1", SaleID: "T1-1", Scenario: "OrderCode", State: "PARTIALLY_REFUNDED", Final: true,
			Amount: Amount{Currency: "USD", Minor: 1250, Decimal: "12.50"}, Refunded: 250},
		Refund: &Refund{RequestID: "T1-1-R1", State: "SUCCEEDED", Amount: Amount{Currency: "USD", Minor: 250, Decimal: "2.50"}}}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	e := sample()
	data, err := Encode(&e)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"v":1`, `"id":"0123456789abcdef-7"`, `"minor":1250`, `"refundedMinor":250`, `"type":"refund"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %s", data, want)
		}
	}
	got, err := Decode(data)
	if err != nil || got.Refund.Amount.Minor != 250 || got.Payment.Amount != e.Payment.Amount || got.Channel() != ChannelPayments {
		t.Fatalf("decode: %+v %v", got, err)
	}
}

func TestDecodeRefuses(t *testing.T) {
	for name, mutate := range map[string]func(*Event){
		"other version":   func(e *Event) { e.V = 2 },
		"id not seq":      func(e *Event) { e.ID = EventID(e.Stream, 8) },
		"refund no body":  func(e *Event) { e.Refund = nil },
		"unknown type":    func(e *Event) { e.Type = "coupon" },
		"negative amount": func(e *Event) { e.Payment.Amount.Minor = -1 },
		"bad currency":    func(e *Event) { e.Refund.Amount.Currency = "usd" },
		"wildcard till":   func(e *Event) { e.Terminal = "T+" },
	} {
		e := sample()
		mutate(&e)
		if _, err := Encode(&e); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: encode %v", name, err)
		}
	}
	for _, in := range []string{``, `{}`, `[]`, `{"v":1} {}`, strings.Repeat(" ", MaxSize+1)} {
		if _, err := Decode([]byte(in)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%.20q: %v", in, err)
		}
	}
}

func TestTopics(t *testing.T) {
	src := Source{Merchant: "M0001", Store: "S01", Terminal: "T1"}
	if got := Topic("acme/tills", src, ChannelStatus); got != "acme/tills/M0001/S01/T1/status" {
		t.Errorf("topic %s", got)
	}
	for _, p := range []string{"", "a//b", "$SYS", "a/+", "#", "a\x00"} {
		if CheckPrefix(p) == nil {
			t.Errorf("prefix %q accepted", p)
		}
	}
	if CheckPrefix("posd") != nil || src.Check() != nil {
		t.Error("good prefix or source refused")
	}
	if (Source{Merchant: "M", Store: "S/1", Terminal: "T"}).Check() == nil {
		t.Error("store with a slash accepted")
	}
}
