//go:build !linux

package keypad

import (
	"fmt"
	"os"
)

// MakeCbreak fails with ErrUnsupported outside Linux.
func MakeCbreak(f *os.File) (restore func() error, err error) {
	return nil, fmt.Errorf("%w: character mode for %s needs Linux", ErrUnsupported, f.Name())
}
