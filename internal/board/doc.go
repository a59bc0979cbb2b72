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
// The Raspberry Pi drivers (bcm283x, rpi) are left out too (0.13 MB).
// bcm283x maps /dev/gpiomem, which the unit does not allow, so under the
// unit its start fails every time; its pins then only forward to the
// character device's lines, which gpioioctl already names as README does
// ("GPIO5": the kernel's line names on every Pi). rpi adds header aliases
// (P1_29) on top of bcm283x, which posd does not document.
package board
