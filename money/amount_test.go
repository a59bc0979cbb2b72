package money

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		cur  Currency
		text string
		want int64
		err  error
	}{
		{"USD", "12.34", 1234, nil},
		{"USD", "12", 1200, nil},
		{"USD", "12.3", 1230, nil},
		{"USD", "0.05", 5, nil},
		{"USD", ".5", 50, nil},
		{"USD", "007.00", 700, nil},
		{"JPY", "1234", 1234, nil},
		{"KWD", "1.005", 1005, nil},
		{"CLF", "1.0001", 10001, nil},
		{"USD", "99999999999999.99", MaxValue, nil},
		{"JPY", "9999999999999999", MaxValue, nil},
		{"USD", "100000000000000.00", 0, ErrInvalidAmount},
		{"JPY", "10000000000000000", 0, ErrInvalidAmount},
		{"JPY", "99999999999999999999999", 0, ErrInvalidAmount},
		{"USD", "12.345", 0, ErrInvalidAmount},
		{"JPY", "12.", 0, ErrInvalidAmount},
		{"JPY", "12.0", 0, ErrInvalidAmount},
		{"USD", "-1.00", 0, ErrInvalidAmount},
		{"USD", "+1.00", 0, ErrInvalidAmount},
		{"USD", "1,000.00", 0, ErrInvalidAmount},
		{"USD", "1e3", 0, ErrInvalidAmount},
		{"USD", " 1", 0, ErrInvalidAmount},
		{"USD", "", 0, ErrInvalidAmount},
		{"USD", ".", 0, ErrInvalidAmount},
		{"USD", "1.2.3", 0, ErrInvalidAmount},
		{"USD", "0", 0, ErrInvalidAmount},
		{"USD", "0.00", 0, ErrInvalidAmount},
		{"USD", "١٢", 0, ErrInvalidAmount}, // Arabic-Indic digits are not ASCII digits
		{"XXX", "1", 0, ErrUnknownCurrency},
		{"usd", "1", 0, ErrUnknownCurrency},
		{"", "1", 0, ErrUnknownCurrency},
	}
	for _, tt := range tests {
		got, err := Parse(tt.cur, tt.text)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("Parse(%s, %q) error = %v, want %v", tt.cur, tt.text, err, tt.err)
			}
			continue
		}
		if err != nil || got.Value != tt.want || got.Currency != tt.cur {
			t.Errorf("Parse(%s, %q) = %+v, %v; want %d", tt.cur, tt.text, got, err, tt.want)
		}
	}
}

func TestAmountFormat(t *testing.T) {
	tests := []struct {
		a    Amount
		want string
	}{
		{Amount{"USD", 1234}, "USD 12.34"},
		{Amount{"USD", 5}, "USD 0.05"},
		{Amount{"USD", 100}, "USD 1.00"},
		{Amount{"JPY", 1234}, "JPY 1234"},
		{Amount{"KWD", 1}, "KWD 0.001"},
		{Amount{"USD", -250}, "USD -2.50"},
		{Amount{"ZZZ", 77}, "ZZZ 77"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.a, got, tt.want)
		}
	}
}

// Every amount survives format then parse unchanged, in every currency.
func TestAmountRoundTrip(t *testing.T) {
	for c := range exponents {
		for _, v := range []int64{1, 9, 10, 99, 100, 101, 123456789, MaxValue} {
			if c == "IDR" {
				v *= 100 // whole rupiah only (TestIDRWholeRupiah)
				if v > MaxValue {
					continue
				}
			}
			a := Amount{c, v}
			b, err := Parse(c, a.Decimal())
			if err != nil || b != a {
				t.Fatalf("%s: Parse(%q) = %v, %v", a, a.Decimal(), b, err)
			}
		}
	}
}

func TestAmountJSON(t *testing.T) {
	b, err := json.Marshal(Amount{"USD", 1000})
	if err != nil || string(b) != `{"currency":"USD","value":"1000"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	for _, in := range []string{`{"currency":"USD","value":"1000"}`, `{"value":1000,"currency":"USD"}`} {
		var a Amount
		if err := json.Unmarshal([]byte(in), &a); err != nil || a != (Amount{"USD", 1000}) {
			t.Errorf("Unmarshal(%s) = %+v, %v", in, a, err)
		}
	}
	for _, in := range []string{`{"currency":"USD","value":"-1"}`, `{"currency":"USD","value":10.5}`,
		`{"currency":"USD","value":"1e3"}`, `{"currency":"USD"}`, `{"currency":"USD","value":null}`,
		`{"currency":"USD","value":"12345678901234567"}`, `[]`, `{"currency":"USD","value":""}`} {
		var a Amount
		if err := json.Unmarshal([]byte(in), &a); !errors.Is(err, ErrInvalidAmount) {
			t.Errorf("Unmarshal(%s) error = %v, want ErrInvalidAmount", in, err)
		}
	}
}

func TestAmountAdd(t *testing.T) {
	if s, err := (Amount{"USD", 100}).Add(Amount{"USD", 250}); err != nil || s != (Amount{"USD", 350}) {
		t.Errorf("Add = %v, %v", s, err)
	}
	if _, err := (Amount{"USD", 100}).Add(Amount{"EUR", 1}); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Add across currencies: %v", err)
	}
	if _, err := (Amount{"USD", MaxValue}).Add(Amount{"USD", 1}); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("Add past MaxValue: %v", err)
	}
}

func TestCurrencyTable(t *testing.T) {
	for c, e := range exponents {
		if len(c) != 3 || e < 0 || e > 4 {
			t.Errorf("bad entry %q: %d", c, e)
		}
	}
	for code, want := range map[string]int{"USD": 2, "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "KWD": 3, "BHD": 3, "IDR": 2, "CNY": 2} {
		c, err := LookupCurrency(code)
		if err != nil || c.Exponent() != want {
			t.Errorf("LookupCurrency(%s) = %v (%d), %v; want exponent %d", code, c, c.Exponent(), err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("USD", "12.34")
	f.Add("JPY", "1234")
	f.Add("KWD", "0.001")
	f.Fuzz(func(t *testing.T, cur, text string) {
		a, err := Parse(Currency(cur), text)
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("Parse(%q, %q) = %v which does not validate: %v", cur, text, a, err)
		}
		b, err := Parse(a.Currency, a.Decimal())
		if err != nil || b != a {
			t.Fatalf("round trip of %v: %v, %v", a, b, err)
		}
	})
}

func TestIDRWholeRupiah(t *testing.T) {
	for v, ok := range map[int64]bool{100: true, 150000: true, 150: false, 1: false} {
		err := Amount{Currency: "IDR", Value: v}.Validate()
		if (err == nil) != ok || !ok && !errors.Is(err, ErrInvalidAmount) {
			t.Errorf("IDR %d: %v", v, err)
		}
	}
	if _, err := Parse("IDR", "1.50"); !errors.Is(err, ErrInvalidAmount) {
		t.Errorf("Parse IDR 1.50: %v", err)
	}
	if a, err := Parse("IDR", "1500"); err != nil || a.Value != 150000 {
		t.Errorf("Parse IDR 1500: %v %v", a, err)
	}
}
