package board

import (
	"testing"

	"periph.io/x/conn/v3/driver/driverreg"
)

// TestInitStartsOnlyPosdsDrivers: the drivers posd needs are registered and
// none of the board drivers the package leaves out.
func TestInitStartsOnlyPosdsDrivers(t *testing.T) {
	if err := Init(); err != nil {
		t.Fatal(err)
	}
	st, err := driverreg.Init() // the same state again
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range st.Failed {
		seen[f.D.String()] = true
	}
	for _, d := range st.Loaded {
		seen[d.String()] = true
	}
	for _, d := range st.Skipped {
		seen[d.D.String()] = true
	}
	for _, want := range []string{"ioctl-gpio", "sysfs-spi", "sysfs-i2c"} {
		if !seen[want] {
			t.Errorf("driver %q not registered; registered: %v", want, seen)
		}
	}
	// Left out on purpose (see doc.go).
	for _, unwanted := range []string{"bcm283x-gpio", "rpi", "allwinner-gpio", "am335x", "beaglebone", "beaglebone-green", "chip", "odroid-c1", "pine64"} {
		if seen[unwanted] {
			t.Errorf("driver %q registered", unwanted)
		}
	}
}
