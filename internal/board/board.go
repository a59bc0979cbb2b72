package board

import (
	"fmt"

	"periph.io/x/conn/v3/driver/driverreg"

	// The drivers posd needs register themselves; see the package comment.
	_ "periph.io/x/host/v3/gpioioctl"
	_ "periph.io/x/host/v3/sysfs"
)

// Init starts the drivers once; later calls return the first result.
func Init() error {
	if _, err := driverreg.Init(); err != nil {
		return fmt.Errorf("periph drivers: %w", err)
	}
	return nil
}
