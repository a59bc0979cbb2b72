package display

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"time"
)

// Bitfield is where one colour channel sits in a pixel, as struct
// fb_bitfield in linux/fb.h.
type Bitfield struct{ Offset, Length int }

// PixelFormat is a packed little-endian true-colour pixel.
type PixelFormat struct {
	BitsPerPixel     int
	Red, Green, Blue Bitfield
}

// The two formats Linux framebuffers on POS boxes use (docs/hardware.md 2.1).
var (
	RGB565   = PixelFormat{16, Bitfield{11, 5}, Bitfield{5, 6}, Bitfield{0, 5}}
	XRGB8888 = PixelFormat{32, Bitfield{16, 8}, Bitfield{8, 8}, Bitfield{0, 8}}
)

// Validate reports a format this package cannot write.
func (f PixelFormat) Validate() error {
	if f.BitsPerPixel != 16 && f.BitsPerPixel != 24 && f.BitsPerPixel != 32 {
		return fmt.Errorf("%w: %d bits per pixel (want 16, 24 or 32)", ErrBadConfig, f.BitsPerPixel)
	}
	for _, b := range []Bitfield{f.Red, f.Green, f.Blue} {
		if b.Length < 1 || b.Length > 8 || b.Offset < 0 || b.Offset+b.Length > f.BitsPerPixel {
			return fmt.Errorf("%w: colour bitfield %+v in %d bits", ErrBadConfig, b, f.BitsPerPixel)
		}
	}
	return nil
}

// encode returns the little-endian bytes of colour c (8-bit channels).
func (f PixelFormat) encode(r, g, b uint8) []byte {
	ch := func(v uint8, bf Bitfield) uint32 { return uint32(v>>(8-bf.Length)) << bf.Offset }
	v := ch(r, f.Red) | ch(g, f.Green) | ch(b, f.Blue)
	out := make([]byte, f.BitsPerPixel/8)
	for i := range out {
		out[i] = byte(v >> (8 * i))
	}
	return out
}

// FramebufferGeometry is what the fb ioctls report: visible size, bytes
// per line (which may include padding), panning offsets and pixel format.
type FramebufferGeometry struct {
	Width, Height    int
	Stride           int // bytes per line: fb_fix_screeninfo.line_length
	XOffset, YOffset int
	Format           PixelFormat
}

// Validate reports geometry that cannot be drawn into.
func (g FramebufferGeometry) Validate() error {
	if err := g.Format.Validate(); err != nil {
		return err
	}
	if g.Width <= 0 || g.Height <= 0 || g.Width > 8192 || g.Height > 8192 || g.XOffset < 0 || g.YOffset < 0 || g.XOffset > 8192 || g.YOffset > 8192 {
		return fmt.Errorf("%w: framebuffer %dx%d+%d+%d", ErrBadConfig, g.Width, g.Height, g.XOffset, g.YOffset)
	}
	if g.Stride < (g.XOffset+g.Width)*g.Format.BitsPerPixel/8 {
		return fmt.Errorf("%w: line length %d bytes is shorter than %d pixels", ErrBadConfig, g.Stride, g.XOffset+g.Width)
	}
	return nil
}

// Size is the memory the visible area spans, in bytes.
func (g FramebufferGeometry) Size() int64 { return int64(g.YOffset+g.Height) * int64(g.Stride) }

// Framebuffer draws into a Linux framebuffer device, or into a regular file
// laid out the same way.
type Framebuffer struct {
	*panel
	geom FramebufferGeometry
}

type fbSink struct {
	file   *os.File
	geom   FramebufferGeometry
	colors [][]byte // palette index -> pixel bytes
	shadow []byte   // the visible lines as last written
}

// OpenFramebufferFile draws into path, which holds a framebuffer of the
// given geometry (a regular file standing in for /dev/fbN in tests and
// snapshots). The file is grown to the size the geometry needs.
func OpenFramebufferFile(path string, g FramebufferGeometry, opts Options, now func() time.Time) (*Framebuffer, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, deviceError(path, err, "video")
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() < g.Size() {
		if err := f.Truncate(g.Size()); err != nil {
			f.Close()
			return nil, fmt.Errorf("display: %s: %w", path, err)
		}
	}
	return newFramebuffer(f, g, opts, now), nil
}

func newFramebuffer(f *os.File, g FramebufferGeometry, opts Options, now func() time.Time) *Framebuffer {
	s := &fbSink{file: f, geom: g, shadow: make([]byte, g.Height*g.Stride)}
	for _, c := range Palette {
		r, gr, b, _ := c.RGBA()
		s.colors = append(s.colors, g.Format.encode(uint8(r>>8), uint8(gr>>8), uint8(b>>8)))
	}
	return &Framebuffer{panel: newPanel(image.Pt(g.Width, g.Height), opts, now, s), geom: g}
}

// Geometry is the framebuffer's layout.
func (fb *Framebuffer) Geometry() FramebufferGeometry { return fb.geom }

// write encodes the dirty rows into the shadow copy, then writes those
// whole lines with one pwrite so the frame lands at once.
func (s *fbSink) write(ctx context.Context, img *image.Paletted, dirty image.Rectangle) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g := s.geom
	bpp := g.Format.BitsPerPixel / 8
	for y := dirty.Min.Y; y < dirty.Max.Y; y++ {
		src := img.Pix[y*img.Stride+dirty.Min.X : y*img.Stride+dirty.Max.X]
		dst := s.shadow[y*g.Stride+(g.XOffset+dirty.Min.X)*bpp : y*g.Stride+(g.XOffset+dirty.Max.X)*bpp]
		switch bpp { // the common depths without a copy call per pixel
		case 2:
			for i, c := range src {
				px := s.colors[c]
				dst[2*i], dst[2*i+1] = px[0], px[1]
			}
		case 4:
			for i, c := range src {
				px := s.colors[c]
				dst[4*i], dst[4*i+1], dst[4*i+2], dst[4*i+3] = px[0], px[1], px[2], px[3]
			}
		default:
			for i, c := range src {
				copy(dst[i*bpp:], s.colors[c])
			}
		}
	}
	first, last := dirty.Min.Y*g.Stride, dirty.Max.Y*g.Stride
	off := int64(g.YOffset+dirty.Min.Y) * int64(g.Stride)
	if _, err := s.file.WriteAt(s.shadow[first:last], off); err != nil {
		return fmt.Errorf("display: framebuffer %s: %w", s.file.Name(), err)
	}
	return nil
}

func (s *fbSink) close() error { return s.file.Close() }

// deviceError turns an open failure into one that names the device and,
// for permissions, the group that owns it (or group, if the node is not
// there to ask).
func deviceError(path string, err error, group string) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		if g, ok := ownerGroup(path); ok {
			group = g
		}
		return fmt.Errorf("%w: %s: add the posd user to group %q (%v)", ErrPermission, path, group, err)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %s does not exist (is the driver loaded and the panel wired?)", ErrNoDevice, path)
	default:
		return fmt.Errorf("display: open %s: %w", path, err)
	}
}
