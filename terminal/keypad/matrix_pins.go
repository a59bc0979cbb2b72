package keypad

import (
	"fmt"

	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	_ "periph.io/x/host/v3/gpioioctl" // GPIO character device (/dev/gpiochipN), never sysfs
)

// MatrixPins finds the row and column lines by name ("GPIO5", or any name
// gpioreg knows) through the Linux GPIO character device. A name that is
// not there is an error wrapping ErrPinMissing that names it: on a machine
// without GPIO (or with a typo) there is no pin to scan.
func MatrixPins(rowNames, colNames []string) (rows, cols []gpio.PinIO, err error) {
	if _, err := driverreg.Init(); err != nil {
		return nil, nil, fmt.Errorf("keypad: GPIO drivers: %w", err)
	}
	find := func(what string, names []string) ([]gpio.PinIO, error) {
		pins := make([]gpio.PinIO, len(names))
		for i, n := range names {
			if pins[i] = gpioreg.ByName(n); pins[i] == nil {
				return nil, fmt.Errorf("%w: %s %d is %q (is this a Raspberry Pi? is the name right?)", ErrPinMissing, what, i, n)
			}
		}
		return pins, nil
	}
	if rows, err = find("row", rowNames); err != nil {
		return nil, nil, err
	}
	if cols, err = find("column", colNames); err != nil {
		return nil, nil, err
	}
	return rows, cols, nil
}
