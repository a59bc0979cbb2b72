package display

import "errors"

var (
	// ErrInvalidScreen is returned by Screen.Validate (and by every Show)
	// when a screen lacks what its kind needs or carries something unsafe.
	ErrInvalidScreen = errors.New("display: invalid screen")

	// ErrQRTooLarge is returned by PlanQR when the code cannot be drawn at
	// MinModulePixels per module with its quiet zone in the space given.
	ErrQRTooLarge = errors.New("display: QR code too large for this panel")

	// ErrPermission wraps a device that exists but cannot be opened; the
	// message names the device and the group that grants access.
	ErrPermission = errors.New("display: permission denied")

	// ErrNoDevice wraps a device node, bus or pin that does not exist.
	ErrNoDevice = errors.New("display: device not found")

	// ErrUnknownDriver is returned by Open for a driver name it does not know.
	ErrUnknownDriver = errors.New("display: unknown driver")

	// ErrBadConfig is returned by Open and the driver constructors for
	// geometry, pixel formats or options that cannot work.
	ErrBadConfig = errors.New("display: bad configuration")

	// ErrUnsupported is returned by drivers that need an operating system
	// feature this build does not have (the framebuffer ioctls off Linux).
	ErrUnsupported = errors.New("display: not supported on this system")

	// ErrClosed is returned by Show after Close.
	ErrClosed = errors.New("display: closed")

	// ErrBadFont is returned by ParseHexFont for malformed font files.
	ErrBadFont = errors.New("display: bad font")
)
