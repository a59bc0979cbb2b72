package display

import (
	"context"
	"fmt"
	"image"
	"time"

	"periph.io/x/conn/v3/i2c"
)

// OLEDController is the chip of a 128x64 monochrome OLED.
type OLEDController int

// Supported OLED controllers.
const (
	SSD1306 OLEDController = iota + 1
	SH1106                 // 132-column RAM, panel at column 2, page addressing only
)

func (c OLEDController) String() string {
	switch c {
	case SSD1306:
		return "ssd1306"
	case SH1106:
		return "sh1106"
	}
	return fmt.Sprintf("oled(%d)", int(c))
}

const (
	oledWidth, oledHeight = 128, 64
	oledPages             = oledHeight / 8
	oledCommand           = 0x00 // control byte: command stream follows
	oledData              = 0x40 // control byte: display RAM data follows
)

// OLEDConfig wires a 128x64 OLED on I2C. Addr 0 means 0x3C.
type OLEDConfig struct {
	Controller OLEDController
	Bus        i2c.Bus
	Addr       uint16
	Now        func() time.Time
	Options
}

// OLED drives an SSD1306 or SH1106. It faces the cashier and shows text
// only: at 2 pixels per module its 64 rows hold a version-1 code at most,
// far too small for a payment URL, so it never draws the payment QR.
type OLED struct {
	*panel
	sink *oledSink
}

type oledSink struct {
	cfg   OLEDConfig
	pages [oledPages][oledWidth]byte // what the RAM holds
	known bool                       // pages mirrors the RAM
	sent  int64                      // bytes written on the bus, address bytes excluded
}

// NewOLED initialises the controller and clears the screen.
func NewOLED(ctx context.Context, cfg OLEDConfig) (*OLED, error) {
	if cfg.Controller != SSD1306 && cfg.Controller != SH1106 {
		return nil, fmt.Errorf("%w: unknown OLED controller %d", ErrBadConfig, int(cfg.Controller))
	}
	if cfg.Bus == nil {
		return nil, fmt.Errorf("%w: %s needs an I2C bus", ErrBadConfig, cfg.Controller)
	}
	if cfg.Addr == 0 {
		cfg.Addr = 0x3C
	}
	cfg.TextOnly = true
	s := &oledSink{cfg: cfg}
	// docs/hardware.md 2.2; SSD1306 in page addressing mode so both chips are
	// written page by page.
	init := []byte{0xAE, 0xD5, 0x80, 0xA8, 0x3F, 0xD3, 0x00, 0x40}
	if cfg.Controller == SSD1306 {
		init = append(init, 0x8D, 0x14, 0x20, 0x02) // charge pump on, page addressing
	} else {
		init = append(init, 0xAD, 0x8B) // DC-DC converter on
	}
	init = append(init, 0xA1, 0xC8, 0xDA, 0x12, 0x81, 0xCF, 0xD9, 0xF1, 0xDB, 0x40, 0xA4, 0xA6)
	if err := s.commands(init...); err != nil {
		return nil, err
	}
	blank := image.NewPaletted(image.Rect(0, 0, oledWidth, oledHeight), Palette)
	if err := s.write(ctx, blank, blank.Rect); err != nil {
		return nil, err
	}
	if err := s.commands(0xAF); err != nil { // on, after the RAM is clean
		return nil, err
	}
	return &OLED{panel: newPanel(image.Pt(oledWidth, oledHeight), cfg.Options, cfg.Now, s), sink: s}, nil
}

// BytesSent is how many bytes went over I2C since NewOLED, control bytes
// included and address bytes not.
func (o *OLED) BytesSent() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sink.sent
}

func (s *oledSink) commands(cmds ...byte) error {
	return s.tx(append([]byte{oledCommand}, cmds...))
}

func (s *oledSink) tx(b []byte) error {
	if err := s.cfg.Bus.Tx(s.cfg.Addr, b, nil); err != nil {
		return fmt.Errorf("display: %s at %#x on %s: %w", s.cfg.Controller, s.cfg.Addr, s.cfg.Bus, err)
	}
	s.sent += int64(len(b))
	return nil
}

// write packs the frame into pages (bit y%8 of column x, LSB at the top;
// ink is lit) and sends only the pages that differ from the RAM.
func (s *oledSink) write(ctx context.Context, img *image.Paletted, _ image.Rectangle) error {
	offset := byte(0)
	if s.cfg.Controller == SH1106 {
		offset = 2
	}
	for p := 0; p < oledPages; p++ {
		var page [oledWidth]byte
		for x := 0; x < oledWidth; x++ {
			for bit := 0; bit < 8; bit++ {
				if img.Pix[(p*8+bit)*img.Stride+x] != White {
					page[x] |= 1 << bit
				}
			}
		}
		if s.known && page == s.pages[p] {
			continue
		}
		err := ctx.Err()
		if err == nil {
			err = s.commands(0xB0+byte(p), offset&0x0F, 0x10|offset>>4)
		}
		if err == nil {
			err = s.tx(append([]byte{oledData}, page[:]...))
		}
		if err != nil {
			s.known = false // a page may be half written: send all next time
			return err
		}
		s.pages[p] = page
	}
	s.known = true
	return nil
}

// close switches the panel off: an OLED left on burns in.
func (s *oledSink) close() error { return s.commands(0xAE) }
