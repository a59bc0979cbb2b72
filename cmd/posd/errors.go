package main

import "errors"

// Errors posd reports; match them with errors.Is.
var (
	// ErrConfig is returned for an unreadable or invalid posd.toml.
	ErrConfig = errors.New("posd: configuration")
	// ErrKey is returned when the merchant key cannot be loaded.
	ErrKey = errors.New("posd: merchant key")
	// ErrClosing is returned for a new payment asked for while posd stops.
	ErrClosing = errors.New("posd: shutting down, no new payments")
	// ErrNotFound is returned by the API for an unknown payment id.
	ErrNotFound = errors.New("posd: no such payment")
	// ErrBadRequest is returned by the API for malformed input.
	ErrBadRequest = errors.New("posd: bad request")
)

// ErrConflict is returned by the API when the payment's state forbids the
// request (refund of an unpaid payment, cancel of a final one).
var ErrConflict = errors.New("posd: not allowed in this state")
