package display

import (
	"testing"
	"unsafe"
)

// The mirror structs must match linux/fb.h on every architecture posd runs on.
func TestFramebufferIoctlStructLayout(t *testing.T) {
	if got := unsafe.Sizeof(fbVarScreenInfo{}); got != 160 {
		t.Errorf("fb_var_screeninfo is %d bytes, want 160", got)
	}
	want := uintptr(48) // amd64, arm64
	if unsafe.Sizeof(uintptr(0)) == 4 {
		want = 44 // linux/arm
	}
	if got := unsafe.Offsetof(fbFixScreenInfo{}.LineLength); got != want {
		t.Errorf("line_length at offset %d, want %d", got, want)
	}
}
