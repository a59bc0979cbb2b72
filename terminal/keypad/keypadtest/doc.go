// Package keypadtest holds test doubles for package keypad: a fake key
// matrix built from periph's gpiotest pins that behaves like the wires of a
// membrane pad (including ghost keys), a Source fed from a test, and
// builders for Linux input_event byte streams.
package keypadtest
