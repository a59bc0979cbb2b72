//go:build !linux

package display

import (
	"fmt"
	"time"
)

// OpenFramebuffer needs the Linux fb ioctls; elsewhere use
// OpenFramebufferFile with an explicit geometry.
func OpenFramebuffer(device string, _ Options, _ func() time.Time) (*Framebuffer, error) {
	return nil, fmt.Errorf("%w: framebuffer %s needs Linux", ErrUnsupported, device)
}
