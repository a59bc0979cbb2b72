package display

import (
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ioctl numbers and structs from linux/fb.h; x/sys/unix does not have them.
const (
	fbioGetVScreenInfo = 0x4600
	fbioGetFScreenInfo = 0x4602
	fbVisualTrueColor  = 2
)

type fbBitfield struct{ Offset, Length, MsbRight uint32 }

// fbVarScreenInfo is struct fb_var_screeninfo: 160 bytes on every arch.
type fbVarScreenInfo struct {
	Xres, Yres, XresVirtual, YresVirtual, Xoffset, Yoffset, BitsPerPixel, Grayscale uint32
	Red, Green, Blue, Transp                                                        fbBitfield
	Nonstd, Activate, Height, Width, AccelFlags                                     uint32
	Pixclock, LeftMargin, RightMargin, UpperMargin, LowerMargin                     uint32
	HsyncLen, VsyncLen, Sync, Vmode, Rotate, Colorspace                             uint32
	Reserved                                                                        [4]uint32
}

// fbFixScreenInfo is struct fb_fix_screeninfo; unsigned long is uintptr, so
// line_length sits at offset 44 on 32-bit ARM and 48 on 64-bit.
type fbFixScreenInfo struct {
	ID                             [16]byte
	SmemStart                      uintptr
	SmemLen, Type, TypeAux, Visual uint32
	XPanStep, YPanStep, YWrapStep  uint16
	LineLength                     uint32
	MmioStart                      uintptr
	MmioLen, Accel                 uint32
	Capabilities                   uint16
	Reserved                       [2]uint16
}

// OpenFramebuffer opens a framebuffer device such as /dev/fb0 and reads its
// geometry, stride and pixel format with the FBIOGET_*SCREENINFO ioctls.
// The posd user needs the device's group (normally video).
func OpenFramebuffer(device string, opts Options, now func() time.Time) (*Framebuffer, error) {
	f, err := os.OpenFile(device, os.O_RDWR, 0)
	if err != nil {
		return nil, deviceError(device, err, "video")
	}
	g, err := fbGeometry(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("display: %s: %w", device, err)
	}
	if err := g.Validate(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", device, err)
	}
	return newFramebuffer(f, g, opts, now), nil
}

func fbGeometry(f *os.File) (FramebufferGeometry, error) {
	var v fbVarScreenInfo
	var fix fbFixScreenInfo
	if err := ioctl(f, fbioGetVScreenInfo, unsafe.Pointer(&v)); err != nil {
		return FramebufferGeometry{}, fmt.Errorf("FBIOGET_VSCREENINFO: %w (not a framebuffer?)", err)
	}
	if err := ioctl(f, fbioGetFScreenInfo, unsafe.Pointer(&fix)); err != nil {
		return FramebufferGeometry{}, fmt.Errorf("FBIOGET_FSCREENINFO: %w", err)
	}
	if fix.Visual != fbVisualTrueColor {
		return FramebufferGeometry{}, fmt.Errorf("%w: visual %d is not true colour", ErrBadConfig, fix.Visual)
	}
	bf := func(b fbBitfield) Bitfield { return Bitfield{Offset: int(b.Offset), Length: int(b.Length)} }
	return FramebufferGeometry{
		Width: int(v.Xres), Height: int(v.Yres), Stride: int(fix.LineLength),
		XOffset: int(v.Xoffset), YOffset: int(v.Yoffset),
		Format: PixelFormat{BitsPerPixel: int(v.BitsPerPixel), Red: bf(v.Red), Green: bf(v.Green), Blue: bf(v.Blue)},
	}, nil
}

func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno unix.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = unix.Syscall(unix.SYS_IOCTL, fd, req, uintptr(arg))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}
