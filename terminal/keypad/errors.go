package keypad

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrScript is returned by ParseScript and Script.Send for text that is
	// not in the key script syntax.
	ErrScript = errors.New("keypad: bad key script")
	// ErrPinMissing is returned by NewMatrix when a row or column pin is nil
	// (gpioreg.ByName found no such pin: not a Pi, or a wrong name).
	ErrPinMissing = errors.New("keypad: GPIO pin not found")
	// ErrLayout is returned by NewMatrix when the key layout does not match
	// the number of rows and columns.
	ErrLayout = errors.New("keypad: key layout does not match the matrix")
	// ErrNotInputDevice is returned by OpenEvdev for a file that is not a
	// Linux input event device.
	ErrNotInputDevice = errors.New("keypad: not an input event device")
	// ErrUnsupported is returned on systems without Linux evdev or termios.
	ErrUnsupported = errors.New("keypad: not supported on this system")
)
