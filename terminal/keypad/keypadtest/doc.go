// Package keypadtest holds test doubles for package keypad: a fake key
// matrix built from periph's gpiotest pins that behaves like the wires of a
// membrane pad (ghost keys included), and builders for Linux input_event
// byte streams. A scripted keypad needs no double: use keypad.Script.
package keypadtest
