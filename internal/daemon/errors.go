package daemon

import "errors"

// Errors the daemon reports; match them with errors.Is.
var (
	// ErrClosing is returned for a new payment asked for while posd stops.
	ErrClosing = errors.New("posd: shutting down, no new payments")
	// ErrNotFound is returned by the API for an unknown payment id.
	ErrNotFound = errors.New("posd: no such payment")
	// ErrBadRequest is returned by the API for malformed input.
	ErrBadRequest = errors.New("posd: bad request")
	// ErrConflict is returned by the API when the payment's state forbids
	// the request (refund of an unpaid payment, cancel of a final one).
	ErrConflict = errors.New("posd: not allowed in this state")
)
