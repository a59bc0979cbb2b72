//go:build !linux

package keypad

import (
	"context"
	"fmt"
)

// Evdev reads Linux input devices; elsewhere OpenEvdev fails.
type Evdev struct{}

// OpenEvdev fails with ErrUnsupported: evdev is Linux only.
func OpenEvdev(path string, cfg EvdevConfig) (*Evdev, error) {
	return nil, fmt.Errorf("%w: evdev input device %s needs Linux", ErrUnsupported, path)
}

// Name returns "".
func (e *Evdev) Name() string { return "" }

// Keys returns a closed channel.
func (e *Evdev) Keys(context.Context) <-chan Key {
	c := make(chan Key)
	close(c)
	return c
}
