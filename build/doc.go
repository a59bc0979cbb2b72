// Package build holds how posd is built and shipped: build.sh cross-compiles
// posd, posctl and amssim for linux/arm (ARMv6, ARMv7), arm64 and amd64;
// package.sh wraps them into .deb packages with the systemd unit; and the
// tests here check what a 32-bit ARM build can get wrong and what the
// packages contain. Subpackage testenv finds the external tools tests drive.
package build
