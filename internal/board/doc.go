// Package board starts the periph.io drivers posd uses for its GPIO, SPI
// and I2C parts, and no others.
//
// periph's host.Init links every board driver periph has (Allwinner,
// BeagleBone, C.H.I.P., Odroid C1, Pine64, ...): about 0.26 MB of posd's ARM
// binary (issue 17, the 10.5 MB budget). Those drivers reach the hardware
// through /dev/mem, which posd's systemd unit does not allow anyway
// (DevicePolicy=closed); what posd uses everywhere is the GPIO character
// device (gpioioctl), spidev and i2c-dev (sysfs).
//
// The Raspberry Pi drivers (bcm283x, rpi) are left out too, for the same
// two reasons: 0.2 MB, and under the unit they do harm. bcm283x registers
// GPIO0..GPIO53 before it maps /dev/gpiomem, which the unit does not allow;
// the mapping fails, its pins stay registered, and the GPIO character
// device's lines of the same names ("GPIO5" on every Pi's gpiochip) are
// refused as duplicates. Without it, the names README gives are the
// kernel's own line names, served by gpioioctl. rpi only adds header
// aliases (P1_29) on top of bcm283x, which posd does not document.
package board
