package display

import (
	"context"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"testing"
	"time"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/i2c/i2ctest"

	"github.com/posd/posd/internal/clocktest"
)

// The benchmarks measure "QR ready -> frame written": a waiting screen with
// a code the driver has not seen arrives, and Show returns once the frame is
// on the device. Each iteration shows a new code, then the idle screen, so
// nothing is cached and every frame is a full redraw of the code.
//
//	go test ./display -run '^$' -bench . -benchtime 20x

func benchScreens(i int) (Screen, Screen) {
	code := fmt.Sprintf("https://qr.alipay.com/281002040092rDrbN1ijPfPJK7QAc1Ol%08d", i)
	return Screen{Kind: Waiting, Amount: alipayUSD(995), QR: code, ExpiresAt: testNow.Add(time.Minute)},
		Screen{Kind: Idle, Merchant: "Golden Dragon"}
}

func benchShow(b *testing.B, d Display, after func()) {
	b.Helper()
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		waiting, idle := benchScreens(i)
		if err := d.Show(ctx, waiting); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := d.Show(ctx, idle); err != nil {
			b.Fatal(err)
		}
		if after != nil {
			after()
		}
		b.StartTimer()
	}
}

func BenchmarkQRReadyToFrameFramebuffer800x480(b *testing.B) {
	g := FramebufferGeometry{Width: 800, Height: 480, Stride: 800 * 4, Format: XRGB8888}
	fb, err := OpenFramebufferFile(filepath.Join(b.TempDir(), "fb0"), g, Options{}, func() time.Time { return testNow })
	if err != nil {
		b.Fatal(err)
	}
	defer fb.Close()
	benchShow(b, fb, nil)
}

// SPI: the bus is periph's conntest.Discard, so the figure is CPU time; the
// wire time at the configured clock is reported beside it.
func BenchmarkQRReadyToFrameST7789(b *testing.B) { benchTFT(b, ST7789, 240, 240) }

func BenchmarkQRReadyToFrameILI9341(b *testing.B) { benchTFT(b, ILI9341, 320, 240) }

func benchTFT(b *testing.B, model TFTModel, w, h int) {
	tft, err := NewTFT(context.Background(), TFTConfig{
		Model: model, Width: w, Height: h, Conn: &conntest.Discard{}, DC: &gpiotestPin{},
		Sleep: func(context.Context, time.Duration) error { return nil }, Now: func() time.Time { return testNow },
	})
	if err != nil {
		b.Fatal(err)
	}
	// Bytes for one waiting frame drawn over the idle screen.
	waiting, idle := benchScreens(-1)
	if err := tft.Show(context.Background(), idle); err != nil {
		b.Fatal(err)
	}
	before := tft.BytesSent()
	if err := tft.Show(context.Background(), waiting); err != nil {
		b.Fatal(err)
	}
	perFrame := tft.BytesSent() - before
	benchShow(b, tft, nil)
	full := int64(w*h*2 + 11) // every pixel in 16 bits plus CASET/RASET/RAMWR
	b.ReportMetric(float64(perFrame), "bytes/frame")
	b.ReportMetric(float64(full), "bytes/fullframe")
	b.ReportMetric(float64(full*8)/32e6*1e3, "ms-wire@32MHz")
}

// I2C: only the OLED's text changes; the figure is bytes per frame and the
// wire time at 100 and 400 kHz (9 clocks a byte with the ACK).
func BenchmarkFrameSSD1306(b *testing.B) {
	bus := &i2ctest.Record{}
	o, err := NewOLED(context.Background(), OLEDConfig{Controller: SSD1306, Bus: bus, Now: func() time.Time { return testNow }})
	if err != nil {
		b.Fatal(err)
	}
	var total, frames int64
	last := o.BytesSent()
	benchShow(b, o, func() {
		total += o.BytesSent() - last
		frames += 2
		last = o.BytesSent()
		bus.Ops = bus.Ops[:0]
	})
	perFrame := float64(total) / float64(max(frames, 1))
	full := float64(oledPages * (1 + 4 + 1 + oledWidth)) // address byte + command + data per page
	b.ReportMetric(perFrame, "bytes/frame")
	b.ReportMetric(full, "bytes/fullframe")
	b.ReportMetric(full*9/100e3*1e3, "ms-wire@100kHz")
	b.ReportMetric(full*9/400e3*1e3, "ms-wire@400kHz")
}

func BenchmarkQRReadyToFrameKiosk(b *testing.B) {
	k := NewKiosk(KioskConfig{Now: func() time.Time { return testNow }})
	defer k.Close()
	benchShow(b, k, nil)
}

func BenchmarkQRReadyToFrameTerminal(b *testing.B) {
	benchShow(b, NewTerminal(io.Discard, func() time.Time { return testNow }), nil)
}

func BenchmarkQRReadyToFramePNG(b *testing.B) {
	s, err := NewSnapshot(filepath.Join(b.TempDir(), "c.png"), image.Pt(800, 480), Options{}, func() time.Time { return testNow })
	if err != nil {
		b.Fatal(err)
	}
	benchShow(b, s, nil)
}

// BenchmarkLongestCodeFramebuffer is the worst case: a 2048-byte codeValue
// (version 33) on an 800x480 framebuffer.
func BenchmarkLongestCodeFramebuffer(b *testing.B) {
	g := FramebufferGeometry{Width: 800, Height: 480, Stride: 800 * 2, Format: RGB565}
	fb, err := OpenFramebufferFile(filepath.Join(b.TempDir(), "fb0"), g, Options{}, func() time.Time { return testNow })
	if err != nil {
		b.Fatal(err)
	}
	defer fb.Close()
	long := longestCode()
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		s := Screen{Kind: Waiting, Amount: alipayUSD(995), QR: long[:len(long)-8] + fmt.Sprintf("%08d", i), ExpiresAt: testNow.Add(time.Minute)}
		if err := fb.Show(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCountdownTick is the every-second redraw while a code is shown:
// only the changed digits go over the bus.
func BenchmarkCountdownTickST7789(b *testing.B) {
	clock := clocktest.New(testNow)
	tft, err := NewTFT(context.Background(), TFTConfig{
		Model: ST7789, Width: 240, Height: 240, Conn: &conntest.Discard{}, DC: &gpiotestPin{},
		Sleep: func(context.Context, time.Duration) error { return nil }, Now: clock.Now,
	})
	if err != nil {
		b.Fatal(err)
	}
	benchTick(b, tft, clock, tft.BytesSent)
}

func BenchmarkCountdownTickSSD1306(b *testing.B) {
	clock := clocktest.New(testNow)
	bus := &i2ctest.Record{}
	o, err := NewOLED(context.Background(), OLEDConfig{Controller: SSD1306, Bus: bus, Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	benchTick(b, o, clock, func() int64 { bus.Ops = bus.Ops[:0]; return o.BytesSent() })
}

func benchTick(b *testing.B, d Display, clock *clocktest.Clock, sent func() int64) {
	waiting, _ := benchScreens(0)
	waiting.ExpiresAt = testNow.Add(time.Hour)
	ctx := context.Background()
	if err := d.Show(ctx, waiting); err != nil {
		b.Fatal(err)
	}
	before, ticks := sent(), 0
	for b.Loop() {
		clock.Advance(time.Second)
		if err := d.Show(ctx, waiting); err != nil {
			b.Fatal(err)
		}
		ticks++
	}
	b.ReportMetric(float64(sent()-before)/float64(ticks), "bytes/tick")
}
