package display

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// glassFromFramebuffer reads a framebuffer file back into the picture a
// person would see, using only the geometry (as a scan-out engine would).
func glassFromFramebuffer(t testing.TB, path string, g FramebufferGeometry) *image.RGBA {
	t.Helper()
	mem, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, g.Width, g.Height))
	bpp := g.Format.BitsPerPixel / 8
	expand := func(v uint32, b Bitfield) uint8 {
		x := (v >> b.Offset) & (1<<b.Length - 1) << (8 - b.Length)
		return uint8(x | x>>b.Length) // replicate the top bits, as panels do
	}
	for y := 0; y < g.Height; y++ {
		for x := 0; x < g.Width; x++ {
			off := (g.YOffset+y)*g.Stride + (g.XOffset+x)*bpp
			var v uint32
			for i := 0; i < bpp; i++ {
				v |= uint32(mem[off+i]) << (8 * i)
			}
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = expand(v, g.Format.Red), expand(v, g.Format.Green), expand(v, g.Format.Blue), 0xFF
		}
	}
	return img
}

func TestFramebufferFileShowsScannableCode(t *testing.T) {
	geoms := map[string]FramebufferGeometry{
		// 800x480 RGB565 with 64 bytes of padding per line and a panned view.
		"rgb565-padded": {Width: 800, Height: 480, Stride: 800*2 + 64, YOffset: 8, Format: RGB565},
		"xrgb8888":      {Width: 1024, Height: 600, Stride: 1024 * 4, Format: XRGB8888},
		"bgr565": {Width: 320, Height: 240, Stride: 640,
			Format: PixelFormat{16, Bitfield{0, 5}, Bitfield{5, 6}, Bitfield{11, 5}}},
	}
	for name, g := range geoms {
		for _, content := range []string{shortCode, longestCode()} {
			t.Run(fmt.Sprintf("%s/%d-bytes", name, len(content)), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "fb0")
				fb, err := OpenFramebufferFile(path, g, Options{}, func() time.Time { return testNow })
				if err != nil {
					t.Fatal(err)
				}
				defer fb.Close()
				s := Screen{Kind: Waiting, Amount: usd(t, 995), QR: content, ExpiresAt: testNow.Add(2 * time.Minute)}
				err = fb.Show(context.Background(), s)
				if g.Height < 480 && len(content) == MaxQRContent {
					if !errors.Is(err, ErrQRTooLarge) {
						t.Fatalf("%dx%d with a %d-byte code: %v, want ErrQRTooLarge", g.Width, g.Height, len(content), err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				glass := glassFromFramebuffer(t, path, g)
				f := fb.renderer.Render(s, image.Pt(g.Width, g.Height), testNow) // the plan is cached
				checkQuietZone(t, glass, f.QR, f.Plan)
				scanQR(t, glass, content)
			})
		}
	}
}

func TestFramebufferRedrawsOnlyTheCountdown(t *testing.T) {
	g := FramebufferGeometry{Width: 320, Height: 240, Stride: 640, Format: RGB565}
	now := testNow
	path := filepath.Join(t.TempDir(), "fb0")
	fb, err := OpenFramebufferFile(path, g, Options{}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	s := Screen{Kind: Waiting, Amount: usd(t, 995), QR: shortCode, ExpiresAt: testNow.Add(2 * time.Minute)}
	if err := fb.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	first := fb.prev
	now = now.Add(time.Second)
	second := fb.renderer.Render(s, image.Pt(320, 240), now).Image
	dirty := changed(first, second)
	f := fb.renderer.Render(s, image.Pt(320, 240), now)
	if dirty.Empty() || dirty.Overlaps(f.QR) || dirty.Dy() > 2*glyphHeight {
		t.Fatalf("a countdown tick changes %v (QR at %v)", dirty, f.QR)
	}
	if err := fb.Show(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	// The file now holds exactly the second frame.
	glass := glassFromFramebuffer(t, path, g)
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			r1, g1, b1, _ := glass.At(x, y).RGBA()
			r2, g2, b2, _ := Palette[second.ColorIndexAt(x, y)].RGBA()
			if r1>>11 != r2>>11 || g1>>10 != g2>>10 || b1>>11 != b2>>11 {
				t.Fatalf("pixel (%d,%d) is %v, want %v", x, y, glass.At(x, y), Palette[second.ColorIndexAt(x, y)])
			}
		}
	}
}

func TestFramebufferErrorsNameTheDevice(t *testing.T) {
	g := FramebufferGeometry{Width: 320, Height: 240, Stride: 640, Format: RGB565}
	_, err := OpenFramebuffer("/dev/fb-does-not-exist", Options{}, nil)
	if !errors.Is(err, ErrNoDevice) && !errors.Is(err, ErrUnsupported) {
		t.Fatalf("missing device: %v", err)
	}
	bad := g
	bad.Stride = 100
	if _, err := OpenFramebufferFile(filepath.Join(t.TempDir(), "fb"), bad, Options{}, nil); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("short stride: %v", err)
	}
	if os.Geteuid() != 0 { // root ignores file modes
		dir := t.TempDir()
		path := filepath.Join(dir, "fb")
		if err := os.WriteFile(path, nil, 0o400); err != nil {
			t.Fatal(err)
		}
		if _, err := OpenFramebufferFile(path, g, Options{}, nil); !errors.Is(err, ErrPermission) {
			t.Fatalf("read-only device: %v", err)
		}
	}
	err = deviceError("/dev/fb0", os.ErrPermission, "video")
	if !errors.Is(err, ErrPermission) || !containsAll(err.Error(), "/dev/fb0", "group") {
		t.Fatalf("permission error %q does not name the device and group", err)
	}
}
