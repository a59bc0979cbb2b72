package display

import (
	"os"
	"path/filepath"
	"strings"
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

// A node that is not a framebuffer is refused by the ioctl, with a message
// that says so, instead of being drawn into blindly.
func TestOpenFramebufferRefusesNonFramebuffer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fb0")
	if err := os.WriteFile(path, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenFramebuffer(path, Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "FBIOGET_VSCREENINFO") || !strings.Contains(err.Error(), path) {
		t.Fatalf("regular file as framebuffer: %v", err)
	}
}
