package amssim

import "errors"

// Sentinel errors. Match them with errors.Is; returned errors wrap them with detail.
var (
	// ErrInvalid is returned by New for a configuration that cannot work
	// (no merchant key, a key too small, a negative window).
	ErrInvalid = errors.New("amssim: invalid configuration")
	// ErrFaultSpec is returned for a fault that names an unknown endpoint or
	// kind, or has a probability, count or delay out of range.
	ErrFaultSpec = errors.New("amssim: invalid fault")
	// ErrNoSuchCode is returned by Customer for a codeValue the simulator never issued.
	ErrNoSuchCode = errors.New("amssim: no payment for that code")
	// ErrNotPayable is returned by Customer when the payment is no longer
	// waiting for the customer (paid, failed, cancelled or expired).
	ErrNotPayable = errors.New("amssim: payment is not waiting for the customer")
	// ErrBadAction is returned by Customer for an action other than pay,
	// decline, insufficient or scan.
	ErrBadAction = errors.New("amssim: unknown customer action")
	// ErrState is returned when the -state file cannot be read or written.
	ErrState = errors.New("amssim: state file")
)

// errNotAcked explains a notification reply that is not the fixed
// acknowledgement; it ends up in Delivery.LastError.
var errNotAcked = errors.New("reply is not the SUCCESS acknowledgement")
