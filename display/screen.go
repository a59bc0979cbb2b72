package display

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/posd/posd/money"
)

// Kind says which screen to show.
type Kind int

// The screens a till shows the customer, in the order a sale meets them.
const (
	Idle              Kind = iota + 1 // welcome, nothing to pay
	AmountEntry                       // the cashier is typing the amount
	Waiting                           // QR shown, waiting for the customer to pay
	Paid                              // the payment is final and successful
	Declined                          // the payment failed
	Cancelled                         // the sale was cancelled
	NetworkTrouble                    // the gateway cannot be reached; posd keeps retrying
	PrinterNeedsPaper                 // the receipt printer is out of paper
	OutOfService                      // the till cannot take payments
	Processing                        // a payment is under way without a code to show (the customer's code was scanned)
)

var kindNames = [...]string{
	Idle:              "idle",
	AmountEntry:       "amount-entry",
	Waiting:           "waiting",
	Paid:              "paid",
	Declined:          "declined",
	Cancelled:         "cancelled",
	NetworkTrouble:    "network-trouble",
	PrinterNeedsPaper: "printer-needs-paper",
	OutOfService:      "out-of-service",
	Processing:        "processing",
}

// Kinds lists every screen kind.
func Kinds() []Kind {
	return []Kind{Idle, AmountEntry, Waiting, Paid, Declined, Cancelled, NetworkTrouble, PrinterNeedsPaper, OutOfService, Processing}
}

// String returns the kind's stable name, used in file names and the kiosk page.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// MaxQRContent is the longest codeValue AMS returns for an order code, in bytes
// (orderCodeForm.codeDetails[].codeValue, String of at most 2048 characters:
// https://docs.antom.com/ac/ams/oc).
const MaxQRContent = 2048

// maxText bounds the free-text fields so a bad caller cannot make the
// renderer measure megabytes of text.
const maxText = 256

// Screen is what the customer should see. It is a value: build a new one for
// every change.
type Screen struct {
	Kind Kind

	// Merchant is the shop name shown on most screens; it may be CJK.
	Merchant string

	// Amount is the sale amount. AmountEntry accepts a zero value while the
	// cashier has typed nothing yet; Waiting, Paid and Declined need a valid
	// amount; other screens show it when it is set.
	Amount money.Amount

	// QR is the codeValue from the pay response; Waiting only.
	QR string

	// ExpiresAt is when the code stops being payable; Waiting only. The
	// countdown is drawn from it and the render clock.
	ExpiresAt time.Time

	// Reason is an optional short line for Declined, OutOfService and
	// NetworkTrouble ("Insufficient balance").
	Reason string
}

// Validate reports what makes s unsuitable to show.
func (s Screen) Validate() error {
	if s.Kind < Idle || s.Kind > Processing {
		return fmt.Errorf("%w: unknown kind %d", ErrInvalidScreen, int(s.Kind))
	}
	for name, text := range map[string]string{"merchant": s.Merchant, "reason": s.Reason} {
		if !utf8.ValidString(text) {
			return fmt.Errorf("%w: %s is not UTF-8", ErrInvalidScreen, name)
		}
		if len(text) > maxText {
			return fmt.Errorf("%w: %s longer than %d bytes", ErrInvalidScreen, name, maxText)
		}
	}
	hasAmount := s.Amount != money.Amount{}
	switch s.Kind {
	case AmountEntry:
		if hasAmount && (!s.Amount.Currency.Valid() || s.Amount.Value < 0 || s.Amount.Value > money.MaxValue) {
			return fmt.Errorf("%w: amount entry %s", ErrInvalidScreen, s.Amount)
		}
	case Waiting, Paid, Declined:
		if err := s.Amount.Validate(); err != nil {
			return fmt.Errorf("%w: %s needs an amount: %w", ErrInvalidScreen, s.Kind, err)
		}
	default:
		if hasAmount {
			if err := s.Amount.Validate(); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrInvalidScreen, s.Kind, err)
			}
		}
	}
	if s.Kind == Waiting {
		if s.QR == "" {
			return fmt.Errorf("%w: waiting screen without a QR code", ErrInvalidScreen)
		}
		if len(s.QR) > MaxQRContent {
			return fmt.Errorf("%w: QR content is %d bytes, more than %d", ErrInvalidScreen, len(s.QR), MaxQRContent)
		}
		if s.ExpiresAt.IsZero() {
			return fmt.Errorf("%w: waiting screen without an expiry time", ErrInvalidScreen)
		}
	} else if s.Kind == Idle && s.QR != "" {
		// The till's static Entry Code: shown for as long as it is idle.
		if len(s.QR) > MaxQRContent {
			return fmt.Errorf("%w: QR content is %d bytes, more than %d", ErrInvalidScreen, len(s.QR), MaxQRContent)
		}
	} else if s.QR != "" {
		return fmt.Errorf("%w: only the waiting and idle screens carry a QR code", ErrInvalidScreen)
	}
	return nil
}

// showsQR reports whether the code is still payable at now.
func (s Screen) showsQR(now time.Time) bool {
	return s.Kind == Waiting && now.Before(s.ExpiresAt) || s.Kind == Idle && s.QR != ""
}

// Countdown formats the time left until expiry as the customer sees it:
// "4:59", or "1:02:03" past an hour. Partial seconds round up, so the display
// reaches "0:00" exactly at expiry.
func Countdown(left time.Duration) string {
	if left <= 0 {
		return "0:00"
	}
	secs := int64((left + time.Second - 1) / time.Second)
	h, m, sec := secs/3600, secs/60%60, secs%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, sec)
	}
	return fmt.Sprintf("%d:%02d", m, sec)
}
