package alipay

import "errors"

// Sentinel errors. Match them with errors.Is; the returned errors wrap them
// with the detail (never key material).
var (
	// ErrUnknownCurrency is returned for a code that is not an active ISO 4217 currency.
	ErrUnknownCurrency = errors.New("alipay: unknown currency")
	// ErrInvalidAmount is returned for an amount that is not a positive whole
	// number of minor units of at most 16 digits, or text that does not parse as one.
	ErrInvalidAmount = errors.New("alipay: invalid amount")
	// ErrCurrencyMismatch is returned when two amounts in different currencies meet.
	ErrCurrencyMismatch = errors.New("alipay: currency mismatch")
)
