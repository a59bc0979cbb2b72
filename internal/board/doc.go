// Package board starts the periph.io drivers posd uses for its GPIO, SPI
// and I2C parts, and no others.
//
// periph's host.Init links every board driver periph has (Allwinner,
// BeagleBone, C.H.I.P., Odroid C1, Pine64, ...): about 0.26 MB of posd's ARM
// binary (issue 17, the 10.5 MB budget). Those drivers reach the hardware
// through /dev/mem, which posd's systemd unit does not allow anyway
// (DevicePolicy=closed); what posd uses everywhere is the GPIO character
// device (gpioioctl), spidev and i2c-dev (sysfs). The Raspberry Pi drivers
// (bcm283x, rpi) stay, so pin names on a Pi are what they always were.
package board
