package terminal

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrConfig is returned by NewMachine for a configuration it cannot run
	// with; the message names the field and why.
	ErrConfig = errors.New("terminal: invalid configuration")
)
