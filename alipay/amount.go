package alipay

import "github.com/posd/posd/money"

// Amounts and currencies are package money's; these names let AMS code
// read as the API reference does (https://docs.antom.com/ac/ref/cc).
type (
	Amount   = money.Amount
	Currency = money.Currency
)

// MaxValue is the largest amount in minor units AMS accepts.
const MaxValue = money.MaxValue

// ParseAmount is money.Parse.
func ParseAmount(c Currency, text string) (Amount, error) { return money.Parse(c, text) }

// NewAmount is money.New.
func NewAmount(c Currency, value int64) (Amount, error) { return money.New(c, value) }

// LookupCurrency is money.LookupCurrency.
func LookupCurrency(code string) (Currency, error) { return money.LookupCurrency(code) }
