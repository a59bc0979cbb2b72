package keypad

import "strconv"

// Kind says what a key does in the cashier flow.
type Kind uint8

// The keys a cashier pad, a USB keypad, a barcode scanner or a script can produce.
const (
	Digit    Kind = iota + 1 // a digit 0-9, in Key.Digit
	Point                    // the decimal point
	Back                     // delete the last character
	Clear                    // clear the whole entry
	Enter                    // accept / confirm
	Cancel                   // abort the current step
	Function                 // function key F1..F24, number in Key.F
	Scan                     // a customer payment code read by a scanner, digits in Key.Code
)

// MaxFunction is the highest function key number a Key may carry.
const MaxFunction = 24

// MaxCodeLen bounds the digits of a scanned code; Alipay payment codes are
// 16 to 24 digits, other wallets' codes are shorter than this too.
const MaxCodeLen = 64

// Key is one key press. Keys are comparable values; build them with the
// helper functions (DigitKey, FunctionKey, ScanKey) or a Kind literal.
type Key struct {
	Kind  Kind
	Digit byte   // '0'..'9' when Kind == Digit
	F     int    // 1..MaxFunction when Kind == Function
	Code  string // the scanned digits when Kind == Scan
}

// DigitKey returns the key for the digit d ('0'..'9').
func DigitKey(d byte) Key { return Key{Kind: Digit, Digit: d} }

// FunctionKey returns function key Fn.
func FunctionKey(n int) Key { return Key{Kind: Function, F: n} }

// ScanKey returns a scanned customer code.
func ScanKey(code string) Key { return Key{Kind: Scan, Code: code} }

// Valid reports whether k is a key some source could produce.
func (k Key) Valid() bool {
	switch k.Kind {
	case Digit:
		return k.Digit >= '0' && k.Digit <= '9' && k.F == 0 && k.Code == ""
	case Function:
		return k.F >= 1 && k.F <= MaxFunction && k.Digit == 0 && k.Code == ""
	case Scan:
		return k.Code != "" && len(k.Code) <= MaxCodeLen && allDigits(k.Code) && k.Digit == 0 && k.F == 0
	case Point, Back, Clear, Enter, Cancel:
		return k.Digit == 0 && k.F == 0 && k.Code == ""
	}
	return false
}

// String writes the key in the script syntax ParseScript reads: "7", ".",
// "<ENTER>", "<F2>", "<SCAN:2812...>".
func (k Key) String() string {
	switch k.Kind {
	case Digit:
		return string(k.Digit)
	case Point:
		return "."
	case Back:
		return "<BACK>"
	case Clear:
		return "<CLEAR>"
	case Enter:
		return "<ENTER>"
	case Cancel:
		return "<CANCEL>"
	case Function:
		return "<F" + strconv.Itoa(k.F) + ">"
	case Scan:
		return "<SCAN:" + k.Code + ">"
	}
	return "<?" + strconv.Itoa(int(k.Kind)) + ">"
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
