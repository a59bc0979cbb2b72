package posapi

import "errors"

// ErrUnreachable wraps failures to reach posd at all (no socket, no
// permission, posd not running). Match it with errors.Is.
var ErrUnreachable = errors.New("posd is not reachable")

// StatusError is a reply posd gave with an error status; Message is
// posd's reason. Match it with errors.As.
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string { return e.Message }
