package terminal

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/posd/posd/money"
	"github.com/posd/posd/terminal/keypad"
)

// maxDigits is the most digits an amount may have on the wire
// (https://docs.antom.com/ac/ref/cc: value is at most 16 digits).
const maxDigits = 16

// editAmount applies an editing key (digit, point, Back, Clear) to typed
// amount text. exp is the currency's number of decimals; with implied the
// text is whole minor units. problem, when not empty, says why the key was
// refused and next is unchanged.
func editAmount(entry string, k keypad.Key, exp int, implied bool) (next, problem string) {
	switch k.Kind {
	case keypad.Back:
		if entry == "" {
			return entry, ""
		}
		return entry[:len(entry)-1], ""
	case keypad.Clear:
		return "", ""
	case keypad.Point:
		switch {
		case implied:
			return entry, "No decimal point: type 1250 for 12.50"
		case exp == 0:
			return entry, "This currency has no decimals"
		case strings.Contains(entry, "."):
			return entry, "The amount already has a decimal point"
		case entry == "":
			return "0.", ""
		}
		return entry + ".", ""
	case keypad.Digit:
		d := string(k.Digit)
		if implied {
			if entry == "" && d == "0" {
				return entry, ""
			}
			if len(entry) >= maxDigits {
				return entry, "The amount is too long"
			}
			return entry + d, ""
		}
		if _, frac, ok := strings.Cut(entry, "."); ok && len(frac) >= exp {
			return entry, fmt.Sprintf("Only %d decimal places", exp)
		}
		if entry == "0" {
			entry = "" // no leading zeros
		}
		if significant(entry+d) > maxDigits {
			return entry, "The amount is too long"
		}
		return entry + d, ""
	}
	return entry, ""
}

// significant counts the digits of an amount text without leading zeros,
// padded to exp decimals as they will be sent.
func significant(text string) int {
	n := 0
	for _, c := range []byte(strings.TrimLeft(strings.Replace(text, ".", "", 1), "0")) {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n
}

// entryValue returns typed amount text in minor units; ok is false for
// text editAmount could not have produced.
func entryValue(entry string, exp int, implied bool) (minor int64, ok bool) {
	digits := entry
	if !implied {
		whole, frac, _ := strings.Cut(entry, ".")
		if len(frac) > exp || exp < 0 {
			return 0, false
		}
		digits = whole + frac + strings.Repeat("0", exp-len(frac))
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, true
	}
	if len(digits) > maxDigits+4 || !allDigits(digits) {
		return 0, false
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	return v, err == nil
}

// entryText shows typed amount text the way it will be charged, with the
// decimals typed so far ("12.5", "0.") or, with implied decimals, all of
// them ("12.50").
func entryText(entry string, c money.Currency, implied bool) string {
	if implied || entry == "" {
		v, _ := entryValue(entry, c.Exponent(), true)
		return money.Amount{Currency: c, Value: v}.Decimal()
	}
	return entry
}
