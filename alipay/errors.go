package alipay

import "errors"

// Sentinel errors. Match them with errors.Is; the returned errors wrap them
// with the detail (never key material, never a payment code).
var (
	// ErrUnknownCurrency is returned for a code that is not an active ISO 4217 currency.
	ErrUnknownCurrency = errors.New("alipay: unknown currency")
	// ErrInvalidAmount is returned for an amount that is not a positive whole
	// number of minor units of at most 16 digits, or text that does not parse as one.
	ErrInvalidAmount = errors.New("alipay: invalid amount")
	// ErrCurrencyMismatch is returned when two amounts in different currencies meet.
	ErrCurrencyMismatch = errors.New("alipay: currency mismatch")

	// ErrKeyFormat is returned for key material that is not one of the accepted forms.
	ErrKeyFormat = errors.New("alipay: unusable key")
	// ErrKeyTooSmall is returned for an RSA key shorter than MinKeyBits.
	ErrKeyTooSmall = errors.New("alipay: RSA key too small")
	// ErrKeyPermissions is returned by LoadPrivateKey for a file group or others can access.
	ErrKeyPermissions = errors.New("alipay: private key file is accessible by others")
	// ErrKeyMixup is returned when the configured platform public key is the
	// merchant's own public key.
	ErrKeyMixup = errors.New("alipay: the platform public key is the merchant's own public key; " +
		"configure the Antom platform public key downloaded from the dashboard")

	// ErrSignatureMissing is returned when a message has no Signature header,
	// or a signature without the time or client id it covers (partially signed).
	ErrSignatureMissing = errors.New("alipay: signature missing")
	// ErrSignatureMalformed is returned for a Signature header that cannot be parsed or decoded.
	ErrSignatureMalformed = errors.New("alipay: signature malformed")
	// ErrSignatureAlgorithm is returned for a Signature header whose algorithm is not RSA256.
	ErrSignatureAlgorithm = errors.New("alipay: signature algorithm not supported")
	// ErrSignatureMismatch is returned when the signature does not match the content and key.
	ErrSignatureMismatch = errors.New("alipay: signature does not match")
)
