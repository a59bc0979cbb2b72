// Package keypad turns the cashier's input devices into one stream of keys
// (digits, decimal point, Back, Clear, Enter, Cancel, F1..F24) and scanned
// customer codes.
//
// Every device is a Source: Keys(ctx) returns a channel of Key that closes
// when ctx is done. Merge joins several. The sources are:
//
//   - Matrix: a 4x4 or 4x3 membrane pad on GPIO lines (periph.io; MatrixPins
//     finds them on the GPIO character device, never sysfs). It reports
//     one key per press after the key has been down alone for the debounce
//     period; several keys down at once, and the ghost keys they cause,
//     report nothing. A key pressed before, or just after, the previous one
//     is released still counts once it is alone, even when a busy machine
//     delays the scans.
//   - Evdev (Linux): a USB keypad or barcode scanner under /dev/input,
//     grabbed exclusively so its digits never reach a console. Both the
//     16-byte (32-bit process) and 24-byte (64-bit) input_event layouts are
//     read.
//   - TTY: a terminal, for development.
//   - Script: text in posctl's key syntax ("1250<ENTER>", "<SCAN:digits>"),
//     for the local API, tests and automation.
//
// A scanner is told apart from typing by ScanDetector: at least MinLen
// digits arriving within MaxGap of each other and ended by Enter are one
// Scan key; a scanner on its own device is marked Dedicated instead.
// Evdev and TTY decide in the goroutine that reads the device, and release
// held digits only once nothing is waiting to be read, so a busy machine
// that runs the reader late never splits a scan into typed digits.
//
// Nothing here panics on device input: unknown key codes are dropped,
// malformed records and scripts are errors.
package keypad
