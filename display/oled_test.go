package display

import (
	"context"
	"errors"
	"image"
	"image/color"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c/i2ctest"

	"github.com/posd/posd/build/testenv"
)

// oledGlass replays recorded I2C writes into an SSD1306/SH1106 RAM and
// returns the 128x64 panel as a person sees it: lit pixels white on black.
func oledGlass(t testing.TB, ops []i2ctest.IO, ctrl OLEDController) (*image.Gray, bool) {
	t.Helper()
	var ram [oledPages][132]byte
	page, col, on := 0, 0, false
	params := map[byte]int{0xD5: 1, 0xA8: 1, 0xD3: 1, 0x8D: 1, 0x20: 1, 0xDA: 1, 0x81: 1, 0xD9: 1, 0xDB: 1, 0xAD: 1, 0x21: 2, 0x22: 2}
	for _, op := range ops {
		if op.Addr != 0x3C || len(op.W) == 0 {
			t.Fatalf("write %+v", op)
		}
		switch op.W[0] {
		case oledCommand:
			cmds := op.W[1:]
			for i := 0; i < len(cmds); i++ {
				c := cmds[i]
				switch {
				case c >= 0xB0 && c <= 0xB7:
					page = int(c - 0xB0)
				case c <= 0x0F:
					col = col&0xF0 | int(c)
				case c >= 0x10 && c <= 0x1F:
					col = col&0x0F | int(c&0x0F)<<4
				case c == 0xAF:
					on = true
				case c == 0xAE:
					on = false
				}
				i += params[c]
			}
		case oledData:
			for _, b := range op.W[1:] {
				if col >= 132 || (ctrl == SSD1306 && col >= 128) {
					t.Fatalf("data past the end of page %d", page)
				}
				ram[page][col] = b
				col++
			}
		default:
			t.Fatalf("control byte %#x", op.W[0])
		}
	}
	offset := 0
	if ctrl == SH1106 {
		offset = 2
	}
	img := image.NewGray(image.Rect(0, 0, oledWidth, oledHeight))
	for y := 0; y < oledHeight; y++ {
		for x := 0; x < oledWidth; x++ {
			if ram[y/8][x+offset]&(1<<(y%8)) != 0 {
				img.SetGray(x, y, color.Gray{0xFF})
			}
		}
	}
	return img, on
}

func TestOLEDShowsTextButNeverTheCode(t *testing.T) {
	for _, ctrl := range []OLEDController{SSD1306, SH1106} {
		t.Run(ctrl.String(), func(t *testing.T) {
			bus := &i2ctest.Record{}
			o, err := NewOLED(context.Background(), OLEDConfig{Controller: ctrl, Bus: bus, Now: func() time.Time { return testNow }})
			if err != nil {
				t.Fatal(err)
			}
			// A code short enough for version 1: even this is not drawn.
			s := Screen{Kind: Waiting, Amount: usd(t, 4250), QR: "HTTPS://QR.AL/X", ExpiresAt: testNow.Add(3 * time.Minute)}
			if err := o.Show(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			glass, on := oledGlass(t, bus.Ops, ctrl)
			if !on {
				t.Fatal("panel left off")
			}
			// The glass must be exactly the text-only rendering, ink lit.
			want := Render(s, image.Pt(128, 64), testNow, Options{TextOnly: true}).Image
			for y := 0; y < 64; y++ {
				for x := 0; x < 128; x++ {
					if lit := glass.GrayAt(x, y).Y != 0; lit != (want.ColorIndexAt(x, y) != White) {
						t.Fatalf("pixel (%d,%d) lit=%v", x, y, lit)
					}
				}
			}
			if _, err := testenv.DecodeQR(t, writePNG(t, glass, "oled.png")); !errors.Is(err, testenv.ErrNoSymbol) {
				t.Fatalf("the OLED shows a QR code: %v", err)
			}
			// A countdown tick rewrites only the page(s) it touches.
			n := len(bus.Ops)
			o.now = func() time.Time { return testNow.Add(time.Second) }
			if err := o.Show(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			if pages := (len(bus.Ops) - n) / 2; pages < 1 || pages > 3 {
				t.Fatalf("a countdown tick rewrote %d pages", pages)
			}
			if err := o.Close(); err != nil {
				t.Fatal(err)
			}
			if _, on := oledGlass(t, bus.Ops, ctrl); on {
				t.Fatal("panel still on after Close")
			}
		})
	}
}

func TestOLEDBusFailureNamesTheDevice(t *testing.T) {
	bus := &i2ctest.Playback{DontPanic: true}
	if _, err := NewOLED(context.Background(), OLEDConfig{Controller: SSD1306, Bus: bus}); err == nil || !containsAll(err.Error(), "ssd1306", "0x3c") {
		t.Fatalf("init on a silent bus: %v", err)
	}
}
