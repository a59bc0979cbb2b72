package terminal

import (
	"fmt"
	"github.com/posd/posd/internal/lang"
	"time"

	"github.com/posd/posd/money"
)

// Config is what a merchant sets about the cashier flow. Zero durations
// and counts take the defaults named on each field.
type Config struct {
	Currency money.Currency // the till's currency; required

	// Language of the cashier's screens; the zero value is English.
	Language lang.Lang

	// MinAmount and MaxAmount bound what a cashier may charge. Zero values
	// mean one minor unit and money.MaxValue. Digits that would pass
	// MaxAmount are refused as they are typed.
	MinAmount, MaxAmount money.Amount

	// Confirm adds a step after Enter that shows the amount and waits for a
	// second Enter before the customer is asked to pay.
	Confirm bool

	// EntryPreset is Entry Code's preset mode: the amount being confirmed
	// (Confirming) is offered to the customer's entry page, read-only.
	EntryPreset bool

	// ImpliedDecimal makes digits fill the amount from the right in minor
	// units, as on a cash register: 1 2 5 0 is 12.50 in USD. For pads
	// without a decimal point key.
	ImpliedDecimal bool

	// ManagerPIN opens the manager menu (refund, reprint, last
	// transactions): 4 to 12 digits. Empty disables the menu.
	ManagerPIN string
	// ManagerKey is the function key that opens the menu; default 1 (F1).
	ManagerKey int
	// PINAttempts wrong PINs in a row lock the menu for PINLockout;
	// defaults 3 and 5 minutes.
	PINAttempts int
	PINLockout  time.Duration
	// ManagerIdle closes the menu after this long without a key; default 60 s.
	ManagerIdle time.Duration

	// ResultHold is how long a paid, declined or cancelled screen stays
	// before the till is ready again by itself; default 10 s. Negative:
	// until a key is pressed. A payment that needs attention always waits
	// for a key.
	ResultHold time.Duration

	// RecentCount is how many recent payments the manager list shows, 1 to 9; default 9.
	RecentCount int
}

func (c *Config) setDefaults() {
	if c.MinAmount == (money.Amount{}) {
		c.MinAmount = money.Amount{Currency: c.Currency, Value: 1}
	}
	if c.MaxAmount == (money.Amount{}) {
		c.MaxAmount = money.Amount{Currency: c.Currency, Value: money.MaxValue}
	}
	if c.ManagerKey == 0 {
		c.ManagerKey = 1
	}
	if c.PINAttempts == 0 {
		c.PINAttempts = 3
	}
	if c.PINLockout == 0 {
		c.PINLockout = 5 * time.Minute
	}
	if c.ManagerIdle == 0 {
		c.ManagerIdle = time.Minute
	}
	if c.ResultHold == 0 {
		c.ResultHold = 10 * time.Second
	}
	if c.RecentCount == 0 {
		c.RecentCount = 9
	}
}

func (c *Config) validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	if !c.Currency.Valid() {
		return bad("Currency", "%q is not an ISO 4217 currency", string(c.Currency))
	}
	for _, a := range []struct {
		field string
		v     money.Amount
	}{{"MinAmount", c.MinAmount}, {"MaxAmount", c.MaxAmount}} {
		if a.v.Currency != c.Currency {
			return bad(a.field, "currency %s differs from the till's %s", a.v.Currency, c.Currency)
		}
		if err := a.v.Validate(); err != nil {
			return bad(a.field, "%v", err)
		}
	}
	if c.MinAmount.Value > c.MaxAmount.Value {
		return bad("MinAmount", "%s is above MaxAmount %s", c.MinAmount, c.MaxAmount)
	}
	if err := CheckPIN(c.ManagerPIN); err != nil {
		return bad("ManagerPIN", "%v", err)
	}
	if c.ManagerKey < 1 || c.ManagerKey > 24 {
		return bad("ManagerKey", "F%d: want 1 to 24", c.ManagerKey)
	}
	if c.PINAttempts < 1 {
		return bad("PINAttempts", "%d: want at least 1", c.PINAttempts)
	}
	if c.PINLockout < 0 || c.ManagerIdle < 0 {
		return bad("PINLockout/ManagerIdle", "must not be negative")
	}
	if c.RecentCount < 1 || c.RecentCount > 9 {
		return bad("RecentCount", "%d: want 1 to 9 (one digit picks an entry)", c.RecentCount)
	}
	return nil
}

const maxPIN = 12

// CheckPIN says why pin cannot open the manager menu: it must be 4 to 12
// digits. An empty PIN (no menu) is fine.
func CheckPIN(pin string) error {
	if pin != "" && (len(pin) < 4 || len(pin) > maxPIN || !allDigits(pin)) {
		return fmt.Errorf("must be 4 to %d digits", maxPIN)
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
