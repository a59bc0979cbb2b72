//go:build !linux

package keypad

// inputWaiting cannot ask the kernel here: held digits are released by
// the clock alone, as DetectScans does.
func inputWaiting(waitReader) bool { return false }
