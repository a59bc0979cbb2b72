package alipay

import "errors"

// Sentinel errors. Match them with errors.Is; the returned errors wrap them
// with the detail (never key material, never a payment code).
var (
	// ErrKeyFormat is returned for key material that is not one of the accepted forms.
	ErrKeyFormat = errors.New("alipay: unusable key")
	// ErrKeyTooSmall is returned for an RSA key shorter than MinKeyBits.
	ErrKeyTooSmall = errors.New("alipay: RSA key too small")
	// ErrKeyPermissions is returned by LoadPrivateKey for a file group or others can access.
	ErrKeyPermissions = errors.New("alipay: private key file is accessible by others")
	// ErrKeyFile is returned for a key path that is not a regular file
	// (a directory, a FIFO, a device).
	ErrKeyFile = errors.New("alipay: key path is not a regular file")
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

// Errors of requests and replies.
var (
	// ErrInvalidRequest is returned by the Encode functions (and typed calls)
	// for a request that must not be sent; the message names the field.
	ErrInvalidRequest = errors.New("alipay: invalid request")
	// ErrUndecodable is returned by the Decode functions for a body that is
	// not a JSON object with a result, or whose fields have the wrong shape.
	ErrUndecodable = errors.New("alipay: undecodable reply")
)

// Errors explaining an OutcomeUnknown or OutcomeNotSent. Reply.Err wraps one
// of them (or a context error); the outcome itself is in Reply.Outcome.
var (
	// ErrNotSent: the connection failed before any byte of the request was written.
	ErrNotSent = errors.New("alipay: request not sent")
	// ErrTransport: the exchange broke after the request was (maybe) sent.
	ErrTransport = errors.New("alipay: transport error after sending")
	// ErrHTTPStatus: the gateway answered with a status other than 200.
	ErrHTTPStatus = errors.New("alipay: HTTP status not 200")
	// ErrResponseTooLarge: the reply body exceeded MaxBodyBytes.
	ErrResponseTooLarge = errors.New("alipay: reply body too large")
	// ErrUnverified: the reply was unsigned, partially signed, forged or
	// signed with another key; its body was not acted on.
	ErrUnverified = errors.New("alipay: reply not verified")
	// ErrReplyMismatch: a verified reply names another request (id or amount
	// differ), as a replayed reply would.
	ErrReplyMismatch = errors.New("alipay: reply does not match the request")
	// ErrPinMismatch: the gateway's TLS certificate is not the one
	// Config.PinSHA256 names. Nothing was sent; it is a configuration or
	// interception problem, not a network outage, and retrying cannot fix it.
	ErrPinMismatch = errors.New("alipay: gateway certificate does not match PinSHA256")
)

// Errors of received notifications.
var (
	// ErrStaleNotification: the notification's Request-Time is outside the handler's window.
	ErrStaleNotification = errors.New("alipay: notification Request-Time outside the accepted window")
)
