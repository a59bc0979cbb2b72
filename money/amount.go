package money

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// MaxValue is the largest amount in minor units that AMS accepts: the
// Amount.value field is a string of at most 16 digits
// (https://docs.antom.com/ac/ref/cc). It fits an int64 on every platform.
const MaxValue int64 = 9_999_999_999_999_999

// Amount is money in a currency's smallest unit (cents for USD, yen for
// JPY). It is exact: there is no floating point anywhere in posd's money
// path. On the wire it is {"currency":"USD","value":"1234"}.
type Amount struct {
	Currency Currency
	Value    int64 // minor units, 0 < Value <= MaxValue for any amount sent to AMS
}

// New returns an amount of value minor units after checking the
// currency and the range.
func New(c Currency, value int64) (Amount, error) {
	a := Amount{Currency: c, Value: value}
	return a, a.Validate()
}

// Validate reports why a is not an amount AMS accepts: an unknown currency,
// zero or negative, more than 16 digits, or IDR not in whole rupiah.
func (a Amount) Validate() error {
	if !a.Currency.Valid() {
		return fmt.Errorf("%w: %q", ErrUnknownCurrency, string(a.Currency))
	}
	if a.Value <= 0 {
		return fmt.Errorf("%w: %d is not positive", ErrInvalidAmount, a.Value)
	}
	if a.Value > MaxValue {
		return fmt.Errorf("%w: %d has more than 16 digits", ErrInvalidAmount, a.Value)
	}
	// Antom takes IDR in whole rupiah: the value must end in "00"
	// (https://docs.antom.com/ac/ref/cc); the gateway refuses anything else.
	if a.Currency == "IDR" && a.Value%100 != 0 {
		return fmt.Errorf("%w: IDR %d: the value must end in 00 (whole rupiah)", ErrInvalidAmount, a.Value)
	}
	return nil
}

// Parse reads an amount the way a cashier types it, in major units
// with the currency's decimal point: "12.34" or "12" for USD, "1234" for
// JPY, "1.005" for KWD. Signs, grouping separators, exponents, more decimals
// than the currency has, zero and values beyond MaxValue are rejected.
func Parse(c Currency, text string) (Amount, error) {
	exp := c.Exponent()
	if exp < 0 {
		return Amount{}, fmt.Errorf("%w: %q", ErrUnknownCurrency, string(c))
	}
	whole, frac, hasPoint := strings.Cut(text, ".")
	if text == "" || whole == "" && frac == "" {
		return Amount{}, fmt.Errorf("%w: empty", ErrInvalidAmount)
	}
	if hasPoint && exp == 0 {
		return Amount{}, fmt.Errorf("%w: %q: %s has no decimal places", ErrInvalidAmount, text, c)
	}
	if len(frac) > exp {
		return Amount{}, fmt.Errorf("%w: %q: %s has %d decimal places", ErrInvalidAmount, text, c, exp)
	}
	if !allDigits(whole) || !allDigits(frac) {
		return Amount{}, fmt.Errorf("%w: %q: only digits and one decimal point", ErrInvalidAmount, text)
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", exp-len(frac)), "0")
	if digits == "" {
		return Amount{}, fmt.Errorf("%w: %q is zero", ErrInvalidAmount, text)
	}
	if len(digits) > 16 {
		return Amount{}, fmt.Errorf("%w: %q is too large", ErrInvalidAmount, text)
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil { // unreachable for <= 16 digits, kept so a future edit cannot overflow silently
		return Amount{}, fmt.Errorf("%w: %q: %v", ErrInvalidAmount, text, err)
	}
	return New(c, v)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Decimal formats the value in major units without the currency code:
// "12.34" (USD), "1234" (JPY), "1.005" (KWD), "0.05" (USD).
// For a currency without a known exponent it prints the raw minor units.
func (a Amount) Decimal() string {
	exp := a.Currency.Exponent()
	neg := a.Value < 0
	u := uint64(a.Value)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// String formats the amount for people and logs: "USD 12.34".
func (a Amount) String() string { return string(a.Currency) + " " + a.Decimal() }

// Add returns a+b. Both must be in the same currency; the sum must not pass
// MaxValue.
func (a Amount) Add(b Amount) (Amount, error) {
	if a.Currency != b.Currency {
		return Amount{}, fmt.Errorf("%w: %s + %s", ErrCurrencyMismatch, a.Currency, b.Currency)
	}
	if a.Value < 0 || b.Value < 0 || a.Value > MaxValue-b.Value {
		return Amount{}, fmt.Errorf("%w: %s + %s out of range", ErrInvalidAmount, a, b)
	}
	return Amount{Currency: a.Currency, Value: a.Value + b.Value}, nil
}

type wireAmount struct {
	Currency string          `json:"currency"`
	Value    json.RawMessage `json:"value"`
}

// MarshalJSON writes {"currency":"USD","value":"1234"}: AMS wants every
// scalar as a string.
func (a Amount) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"currency":`)
	cur, err := json.Marshal(string(a.Currency))
	if err != nil {
		return nil, err
	}
	b.Write(cur)
	b.WriteString(`,"value":"`)
	b.WriteString(strconv.FormatInt(a.Value, 10))
	b.WriteString(`"}`)
	return b.Bytes(), nil
}

// UnmarshalJSON accepts the value as a decimal string ("1234") and, leniently,
// as a bare JSON integer (1234). The currency is kept as received even if
// this table does not know it, so that an unusual actualPaymentAmount never
// makes a whole gateway reply unreadable; Validate tells whether it is usable.
func (a *Amount) UnmarshalJSON(data []byte) error {
	var w wireAmount
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidAmount, err)
	}
	raw := bytes.TrimSpace(w.Value)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return fmt.Errorf("%w: missing value", ErrInvalidAmount)
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidAmount, err)
		}
	}
	if text == "" || len(text) > 16 || !allDigits(text) {
		return fmt.Errorf("%w: value %q is not a whole number of minor units", ErrInvalidAmount, text)
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: value %q: %v", ErrInvalidAmount, text, err)
	}
	a.Currency = Currency(w.Currency)
	a.Value = v
	return nil
}
