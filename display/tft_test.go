package display

import (
	"context"
	"errors"
	"image"
	"image/color"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spitest"
)

// dcProbe is a gpiotest pin used as the DC line; it notes at which recorded
// SPI transfer each level change happened, so the byte stream can be split
// into commands and data afterwards.
type dcProbe struct {
	*gpiotest.Pin
	port  *spitest.Record
	marks []dcMark
}

type dcMark struct {
	op    int
	level gpio.Level
}

func (p *dcProbe) Out(l gpio.Level) error {
	p.port.Lock()
	p.marks = append(p.marks, dcMark{len(p.port.Ops), l})
	p.port.Unlock()
	return p.Pin.Out(l)
}

// dcsGlass replays a recorded MIPI DCS byte stream into controller RAM the
// way an ST7789/ILI9341 would, and returns the visible window as a picture,
// plus the commands seen.
func dcsGlass(t testing.TB, port *spitest.Record, dc *dcProbe, cfg TFTConfig) (*image.RGBA, []byte) {
	t.Helper()
	var ram [320][320]uint16
	var cmds []byte
	var cmd byte
	var params []byte
	var x0, x1, y0, y1, x, y int
	var half []byte
	mark := 0
	level := gpio.Low
	for i, op := range port.Ops {
		for mark < len(dc.marks) && dc.marks[mark].op <= i {
			level = dc.marks[mark].level
			mark++
		}
		if level == gpio.Low {
			for _, b := range op.W {
				cmd, params = b, nil
				cmds = append(cmds, b)
				if b == dcsMemoryWrite {
					x, y, half = x0, y0, nil
				}
			}
			continue
		}
		switch cmd {
		case dcsColumnAddr, dcsRowAddr:
			params = append(params, op.W...)
			if len(params) == 4 {
				a, b := int(params[0])<<8|int(params[1]), int(params[2])<<8|int(params[3])
				if cmd == dcsColumnAddr {
					x0, x1 = a, b
				} else {
					y0, y1 = a, b
				}
			}
		case dcsMemoryWrite:
			for _, b := range op.W {
				half = append(half, b)
				if len(half) < 2 {
					continue
				}
				if y > y1 || x >= 320 || y >= 320 {
					t.Fatalf("pixel data past the window %d..%d x %d..%d", x0, x1, y0, y1)
				}
				ram[y][x] = uint16(half[0])<<8 | uint16(half[1])
				half = half[:0]
				if x++; x > x1 {
					x, y = x0, y+1
				}
			}
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, cfg.Width, cfg.Height))
	for py := 0; py < cfg.Height; py++ {
		for px := 0; px < cfg.Width; px++ {
			v := ram[py+cfg.RowOffset][px+cfg.ColumnOffset]
			r, g, b := uint8(v>>11)<<3, uint8(v>>5&0x3F)<<2, uint8(v&0x1F)<<3
			img.Set(px, py, color.RGBA{r | r>>5, g | g>>6, b | b>>5, 0xFF})
		}
	}
	return img, cmds
}

type tftRig struct {
	port      *spitest.Record
	dc        *dcProbe
	reset, bl *gpiotest.Pin
	delays    []time.Duration
	cfg       TFTConfig
}

func newTFTRig(t testing.TB, model TFTModel, w, h, colOff, rowOff int) (*TFT, *tftRig) {
	t.Helper()
	rig := &tftRig{port: &spitest.Record{}, reset: &gpiotest.Pin{N: "GPIO24"}, bl: &gpiotest.Pin{N: "GPIO18"}}
	c, err := rig.port.Connect(32*physic.MegaHertz, spi.Mode0, 8)
	if err != nil {
		t.Fatal(err)
	}
	rig.dc = &dcProbe{Pin: &gpiotest.Pin{N: "GPIO25"}, port: rig.port}
	rig.cfg = TFTConfig{
		Model: model, Width: w, Height: h, ColumnOffset: colOff, RowOffset: rowOff,
		Conn: c, DC: rig.dc, Reset: rig.reset, Backlight: rig.bl, MaxTransfer: 4096,
		Sleep: func(_ context.Context, d time.Duration) error { rig.delays = append(rig.delays, d); return nil },
		Now:   func() time.Time { return testNow },
	}
	tft, err := NewTFT(context.Background(), rig.cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tft, rig
}

func TestTFTShowsScannableCode(t *testing.T) {
	for _, c := range []struct {
		model          TFTModel
		w, h, col, row int
	}{
		{ST7789, 240, 240, 0, 80},
		{ST7789, 240, 320, 0, 0},
		{ILI9341, 320, 240, 0, 0},
	} {
		t.Run(c.model.String(), func(t *testing.T) {
			tft, rig := newTFTRig(t, c.model, c.w, c.h, c.col, c.row)
			s := Screen{Kind: Waiting, Amount: usd(t, 4250), QR: shortCode, ExpiresAt: testNow.Add(3 * time.Minute)}
			if err := tft.Show(context.Background(), s); err != nil {
				t.Fatal(err)
			}
			glass, cmds := dcsGlass(t, rig.port, rig.dc, rig.cfg)
			f := Render(s, image.Pt(c.w, c.h), testNow, Options{})
			checkQuietZone(t, glass, f.QR, f.Plan)
			scanQR(t, glass, shortCode)
			for _, op := range rig.port.Ops {
				if len(op.W) > 4096 {
					t.Fatalf("a %d-byte transfer exceeds the 4096-byte spidev limit", len(op.W))
				}
			}
			if !containsBytes(cmds, dcsSoftReset, dcsSleepOut, dcsPixelFormat, dcsDisplayOn, dcsMemoryWrite) {
				t.Fatalf("init commands % X", cmds)
			}
			if inv := containsBytes(cmds, dcsInvertOn); inv != (c.model == ST7789) {
				t.Fatalf("%s: inversion on = %v", c.model, inv)
			}
			if rig.bl.Read() != gpio.High || rig.reset.Read() != gpio.High {
				t.Fatal("backlight off or panel held in reset after init")
			}
			if rig.delays[2] < 120*time.Millisecond {
				t.Fatalf("reset released for only %v before commands", rig.delays[2])
			}
			if err := tft.Close(); err != nil || rig.bl.Read() != gpio.Low {
				t.Fatalf("close: %v, backlight %v", err, rig.bl.Read())
			}
		})
	}
}

func TestTFTCannotShowTheLongestCode(t *testing.T) {
	tft, _ := newTFTRig(t, ILI9341, 320, 240, 0, 0)
	s := Screen{Kind: Waiting, Amount: usd(t, 4250), QR: longestCode(), ExpiresAt: testNow.Add(3 * time.Minute)}
	if err := tft.Show(context.Background(), s); !errors.Is(err, ErrQRTooLarge) {
		t.Fatalf("320x240 with a 2048-byte code: %v, want ErrQRTooLarge", err)
	}
}

func TestTFTRejectsBadWiring(t *testing.T) {
	if _, err := NewTFT(context.Background(), TFTConfig{Model: ST7789, Width: 240, Height: 240}); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("no conn: %v", err)
	}
}

func containsBytes(have []byte, want ...byte) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}
