package display

import (
	"context"
	"fmt"
	"image"
	"time"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
)

// TFTModel is the controller of an SPI TFT panel.
type TFTModel int

// Controllers speaking MIPI DCS over 4-wire SPI with a DC line.
const (
	ST7789 TFTModel = iota + 1
	ILI9341
)

func (m TFTModel) String() string {
	switch m {
	case ST7789:
		return "st7789"
	case ILI9341:
		return "ili9341"
	}
	return fmt.Sprintf("tft(%d)", int(m))
}

// MIPI DCS commands used below.
const (
	dcsSoftReset   = 0x01
	dcsSleepOut    = 0x11
	dcsNormalOn    = 0x13
	dcsInvertOn    = 0x21
	dcsDisplayOn   = 0x29
	dcsColumnAddr  = 0x2A
	dcsRowAddr     = 0x2B
	dcsMemoryWrite = 0x2C
	dcsMADCTL      = 0x36
	dcsPixelFormat = 0x3A
	colmod16bit    = 0x55
)

// TFTConfig wires an SPI TFT. Conn is an spi.Conn in mode 0 with 8-bit
// words (or a recording conn in tests); DC selects command (low) or data
// (high); Reset and Backlight are optional.
type TFTConfig struct {
	Model                   TFTModel
	Width, Height           int  // visible pixels after rotation
	ColumnOffset, RowOffset int  // where the visible area starts in controller RAM
	MADCTL                  byte // rotation and colour order (0x36 parameter)
	Conn                    conn.Conn
	DC                      gpio.PinOut
	Reset, Backlight        gpio.PinOut

	// MaxTransfer bounds one SPI transfer; 0 asks the conn (conn.Limits)
	// and falls back to spidev's default 4096 bytes.
	MaxTransfer int
	// Sleep waits during the power-on sequence; nil sleeps for real. Tests
	// pass one that records the delays.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
	Options
}

// TFT drives an ST7789 or ILI9341 panel.
type TFT struct {
	*panel
	sink *tftSink
}

type tftSink struct {
	cfg    TFTConfig
	colors [][2]byte // palette index -> big-endian RGB565
	buf    []byte
	// sent counts bytes clocked out on the bus, commands included.
	sent int64
}

// NewTFT resets and initialises the panel, clears it to white and turns the
// backlight on.
func NewTFT(ctx context.Context, cfg TFTConfig) (*TFT, error) {
	if cfg.Model != ST7789 && cfg.Model != ILI9341 {
		return nil, fmt.Errorf("%w: unknown TFT model %d", ErrBadConfig, int(cfg.Model))
	}
	if cfg.Conn == nil || cfg.DC == nil {
		return nil, fmt.Errorf("%w: %s needs an SPI conn and a DC pin", ErrBadConfig, cfg.Model)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width+cfg.ColumnOffset > 320 || cfg.Height+cfg.RowOffset > 320 || cfg.ColumnOffset < 0 || cfg.RowOffset < 0 {
		return nil, fmt.Errorf("%w: %s window %dx%d+%d+%d outside the controller's 320x320", ErrBadConfig, cfg.Model, cfg.Width, cfg.Height, cfg.ColumnOffset, cfg.RowOffset)
	}
	if cfg.MaxTransfer <= 0 {
		cfg.MaxTransfer = 4096
		if l, ok := cfg.Conn.(conn.Limits); ok && l.MaxTxSize() > 0 {
			cfg.MaxTransfer = l.MaxTxSize()
		}
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepContext
	}
	s := &tftSink{cfg: cfg, buf: make([]byte, 0, cfg.MaxTransfer)}
	for _, c := range Palette {
		r, g, b, _ := c.RGBA()
		v := uint16(r>>11)<<11 | uint16(g>>10)<<5 | uint16(b>>11)
		s.colors = append(s.colors, [2]byte{byte(v >> 8), byte(v)}) // the controller wants high byte first
	}
	if err := s.init(ctx); err != nil {
		return nil, fmt.Errorf("display: %s init: %w", cfg.Model, err)
	}
	return &TFT{panel: newPanel(image.Pt(cfg.Width, cfg.Height), cfg.Options, cfg.Now, s), sink: s}, nil
}

// BytesSent is how many bytes went over SPI since NewTFT.
func (t *TFT) BytesSent() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sink.sent
}

func sleepContext(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// ili9341Power is the vendor power, VCOM and gamma block most ILI9341
// modules ship with (command, parameters...).
var ili9341Power = [][]byte{
	{0xEF, 0x03, 0x80, 0x02},
	{0xCF, 0x00, 0xC1, 0x30},
	{0xED, 0x64, 0x03, 0x12, 0x81},
	{0xE8, 0x85, 0x00, 0x78},
	{0xCB, 0x39, 0x2C, 0x00, 0x34, 0x02},
	{0xF7, 0x20},
	{0xEA, 0x00, 0x00},
	{0xC0, 0x23},
	{0xC1, 0x10},
	{0xC5, 0x3E, 0x28},
	{0xC7, 0x86},
	{0xB1, 0x00, 0x18},
	{0xB6, 0x08, 0x82, 0x27},
	{0xF2, 0x00},
	{0x26, 0x01},
	{0xE0, 0x0F, 0x31, 0x2B, 0x0C, 0x0E, 0x08, 0x4E, 0xF1, 0x37, 0x07, 0x10, 0x03, 0x0E, 0x09, 0x00},
	{0xE1, 0x00, 0x0E, 0x14, 0x03, 0x11, 0x07, 0x31, 0xC1, 0x48, 0x08, 0x0F, 0x0C, 0x31, 0x36, 0x0F},
}

// init is the power-on sequence of docs/hardware.md 2.3.
func (s *tftSink) init(ctx context.Context) error {
	c := s.cfg
	if c.Reset != nil {
		for _, step := range []struct {
			l gpio.Level
			d time.Duration
		}{{gpio.High, time.Millisecond}, {gpio.Low, time.Millisecond}, {gpio.High, 120 * time.Millisecond}} {
			if err := c.Reset.Out(step.l); err != nil {
				return fmt.Errorf("reset pin %s: %w", c.Reset, err)
			}
			if err := c.Sleep(ctx, step.d); err != nil {
				return err
			}
		}
	}
	if err := s.command(dcsSoftReset); err != nil {
		return err
	}
	if err := c.Sleep(ctx, 150*time.Millisecond); err != nil {
		return err
	}
	if err := s.command(dcsSleepOut); err != nil {
		return err
	}
	if err := c.Sleep(ctx, 120*time.Millisecond); err != nil {
		return err
	}
	var cmds [][]byte
	if c.Model == ILI9341 {
		cmds = append(cmds, ili9341Power...)
	}
	cmds = append(cmds, []byte{dcsPixelFormat, colmod16bit}, []byte{dcsMADCTL, c.MADCTL})
	if c.Model == ST7789 {
		cmds = append(cmds, []byte{dcsInvertOn}) // IPS ST7789 panels show negated colours otherwise
	}
	cmds = append(cmds, []byte{dcsNormalOn}, []byte{dcsDisplayOn})
	for _, cmd := range cmds {
		if err := s.command(cmd[0], cmd[1:]...); err != nil {
			return err
		}
	}
	white := image.NewPaletted(image.Rect(0, 0, c.Width, c.Height), Palette)
	if err := s.write(ctx, white, white.Rect); err != nil {
		return err
	}
	if c.Backlight != nil {
		if err := c.Backlight.Out(gpio.High); err != nil {
			return fmt.Errorf("backlight pin %s: %w", c.Backlight, err)
		}
	}
	return nil
}

// command sends one command byte with DC low, then its parameters with DC high.
func (s *tftSink) command(cmd byte, params ...byte) error {
	if err := s.cfg.DC.Out(gpio.Low); err != nil {
		return fmt.Errorf("DC pin %s: %w", s.cfg.DC, err)
	}
	if err := s.tx([]byte{cmd}); err != nil {
		return err
	}
	if len(params) == 0 {
		return nil
	}
	if err := s.cfg.DC.Out(gpio.High); err != nil {
		return fmt.Errorf("DC pin %s: %w", s.cfg.DC, err)
	}
	return s.tx(params)
}

func (s *tftSink) tx(b []byte) error {
	if err := s.cfg.Conn.Tx(b, nil); err != nil {
		return fmt.Errorf("spi %s: %w", s.cfg.Conn, err)
	}
	s.sent += int64(len(b))
	return nil
}

// write sets the address window to dirty and streams its pixels, in
// transfers no larger than the bus allows, checking ctx between them.
func (s *tftSink) write(ctx context.Context, img *image.Paletted, dirty image.Rectangle) error {
	c := s.cfg
	x0, x1 := dirty.Min.X+c.ColumnOffset, dirty.Max.X-1+c.ColumnOffset
	y0, y1 := dirty.Min.Y+c.RowOffset, dirty.Max.Y-1+c.RowOffset
	if err := s.command(dcsColumnAddr, byte(x0>>8), byte(x0), byte(x1>>8), byte(x1)); err != nil {
		return err
	}
	if err := s.command(dcsRowAddr, byte(y0>>8), byte(y0), byte(y1>>8), byte(y1)); err != nil {
		return err
	}
	if err := s.command(dcsMemoryWrite); err != nil {
		return err
	}
	if err := c.DC.Out(gpio.High); err != nil {
		return fmt.Errorf("DC pin %s: %w", c.DC, err)
	}
	chunk := s.buf[:0]
	limit := cap(s.buf) &^ 1 // whole pixels per transfer
	for y := dirty.Min.Y; y < dirty.Max.Y; y++ {
		row := img.Pix[y*img.Stride:]
		for x := dirty.Min.X; x < dirty.Max.X; x++ {
			px := s.colors[row[x]]
			chunk = append(chunk, px[0], px[1])
			if len(chunk) >= limit {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := s.tx(chunk); err != nil {
					return err
				}
				chunk = chunk[:0]
			}
		}
	}
	if len(chunk) > 0 {
		return s.tx(chunk)
	}
	return nil
}

// close turns the backlight off; the controller keeps its last frame.
func (s *tftSink) close() error {
	if s.cfg.Backlight != nil {
		return s.cfg.Backlight.Out(gpio.Low)
	}
	return nil
}
