package terminal

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrInvalid is returned by NewMachine for a configuration it cannot run
	// with; the message names the field and why.
	ErrInvalid = errors.New("terminal: invalid configuration")
)

// Errors returned by Run.
var (
	// ErrKeysClosed is returned by Run when the keypad channel closes: the
	// till cannot take payments without keys.
	ErrKeysClosed = errors.New("terminal: keypad closed")
	// ErrEventsClosed is returned by Run when the outbox event channel closes.
	ErrEventsClosed = errors.New("terminal: outbox events closed")
)
