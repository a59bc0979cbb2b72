package money

import "errors"

// Errors of amounts and currencies; match them with errors.Is.
var (
	// ErrUnknownCurrency is returned for a code that is not an active ISO 4217 currency.
	ErrUnknownCurrency = errors.New("money: unknown currency")
	// ErrInvalidAmount is returned for an amount that is not a positive whole
	// number of minor units of at most 16 digits, or text that does not parse as one.
	ErrInvalidAmount = errors.New("money: invalid amount")
	// ErrCurrencyMismatch is returned when two amounts in different currencies meet.
	ErrCurrencyMismatch = errors.New("money: currency mismatch")
)
