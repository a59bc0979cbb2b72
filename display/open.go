package display

import (
	"github.com/posd/posd/internal/lang"

	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"

	"github.com/posd/posd/internal/board"
)

// Config selects and wires a display by name, as posd's configuration file
// states it.
type Config struct {
	// Driver is one of: framebuffer, ssd1306, sh1106, st7789, ili9341,
	// kiosk, terminal, png.
	Driver string `json:"driver"`

	// Device is the framebuffer node (default /dev/fb0) or the PNG path.
	Device string `json:"device,omitempty"`
	// Width and Height: TFT panel size after rotation (default 240x240 for
	// st7789, 320x240 for ili9341), kiosk screen size, PNG size.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`

	// I2CBus is N in /dev/i2c-N (default 1); I2CAddr defaults to 0x3C.
	I2CBus  int    `json:"i2c_bus,omitempty"`
	I2CAddr uint16 `json:"i2c_addr,omitempty"`

	// SPIBus and SPIChip select /dev/spidevBUS.CHIP (default 0.0);
	// SPIHz defaults to 32 MHz.
	SPIBus  int   `json:"spi_bus,omitempty"`
	SPIChip int   `json:"spi_chip,omitempty"`
	SPIHz   int64 `json:"spi_hz,omitempty"`
	// DC (required), Reset and Backlight are GPIO names such as "GPIO25".
	DC        string `json:"dc,omitempty"`
	Reset     string `json:"reset,omitempty"`
	Backlight string `json:"backlight,omitempty"`
	// ColumnOffset, RowOffset and MADCTL place and rotate the picture in
	// the controller's RAM (docs/hardware.md 2.3). MADCTL 0 on a landscape
	// ILI9341 means 0x28 (row/column exchange, BGR).
	ColumnOffset int  `json:"column_offset,omitempty"`
	RowOffset    int  `json:"row_offset,omitempty"`
	MADCTL       byte `json:"madctl,omitempty"`

	// Font is a GNU Unifont .hex file for non-ASCII text (merchant names in
	// CJK); "" tries DefaultHexFontPath, "builtin" uses ASCII only.
	Font string `json:"font,omitempty"`

	// Languages are the languages of the customer's texts, main one
	// first; none means English.
	Languages []lang.Lang `json:"-"`
	// Logo is a PNG acceptance mark drawn on the idle and amount screens
	// of pixel panels and the kiosk page; "" for none.
	Logo string `json:"logo,omitempty"`

	// Output is where the terminal driver draws (default os.Stdout).
	Output io.Writer        `json:"-"`
	Now    func() time.Time `json:"-"`
	Logger *slog.Logger     `json:"-"`
}

// Drivers lists the names Open accepts.
func Drivers() []string {
	return []string{"framebuffer", "ssd1306", "sh1106", "st7789", "ili9341", "kiosk", "terminal", "png"}
}

// Problem is one thing in a Config no driver could use; Field is the
// field's name as Config's JSON (and posd.toml) spells it.
type Problem struct{ Field, Why string }

// Problems lists what in c no driver could use: an unknown driver, an SPI
// panel without its data/command GPIO, png without its file, a size
// outside 64x64 to 4096x4096 (zero takes the driver's default).
func (c Config) Problems() []Problem {
	var out []Problem
	if !slices.Contains(Drivers(), c.Driver) {
		out = append(out, Problem{"driver", fmt.Sprintf("%q is not one of %s", c.Driver, strings.Join(Drivers(), ", "))})
	}
	if (c.Driver == "st7789" || c.Driver == "ili9341") && c.DC == "" {
		out = append(out, Problem{"dc", "required for an SPI panel: the GPIO of its data/command line, e.g. GPIO25"})
	}
	if c.Driver == "png" && c.Device == "" {
		out = append(out, Problem{"device", "required for png: the file to write"})
	}
	inRange := func(v int) bool { return v == 0 || v >= 64 && v <= 4096 }
	if !inRange(c.Width) || !inRange(c.Height) {
		out = append(out, Problem{"width", fmt.Sprintf("%dx%d is outside 64x64 to 4096x4096", c.Width, c.Height)})
	}
	return out
}

// Open starts the display cfg names. Errors name the device and, for
// permissions, the group the posd user needs.
func Open(ctx context.Context, cfg Config) (Display, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	font, err := openFont(cfg, cfg.Driver != "kiosk" && cfg.Driver != "terminal")
	if err != nil {
		return nil, err
	}
	opts := Options{Font: font, Languages: cfg.Languages}
	if cfg.Logo != "" {
		if opts.Logo, err = LoadLogo(cfg.Logo); err != nil {
			return nil, err
		}
	}
	switch cfg.Driver {
	case "framebuffer":
		return OpenFramebuffer(or(cfg.Device, "/dev/fb0"), opts, cfg.Now)
	case "png":
		if cfg.Device == "" {
			return nil, fmt.Errorf("%w: png needs device (the output file)", ErrBadConfig)
		}
		return NewSnapshot(cfg.Device, image.Pt(orInt(cfg.Width, 800), orInt(cfg.Height, 480)), opts, cfg.Now)
	case "terminal":
		out := cfg.Output
		if out == nil {
			out = os.Stdout
		}
		t := NewTerminal(out, cfg.Now)
		t.Languages = cfg.Languages
		return t, nil
	case "kiosk":
		return NewKiosk(KioskConfig{Size: image.Pt(orInt(cfg.Width, 800), orInt(cfg.Height, 480)), Now: cfg.Now, Languages: cfg.Languages, Logo: opts.Logo}), nil
	case "ssd1306", "sh1106":
		return openOLED(ctx, cfg, opts)
	case "st7789", "ili9341":
		return openTFT(ctx, cfg, opts)
	}
	return nil, fmt.Errorf("%w: %q (want one of %v)", ErrUnknownDriver, cfg.Driver, Drivers())
}

// openFont opens the configured font for a display that draws pixels; the
// kiosk page and the terminal draw none, so for them a configured file is
// only checked (a typo is still an error) and the default is not opened.
func openFont(cfg Config, pixels bool) (*Font, error) {
	switch {
	case cfg.Font == "builtin" || cfg.Font == "" && !pixels:
		return BuiltinFont(), nil
	case cfg.Font == "":
		f, err := OpenHexFont(DefaultHexFontPath, cfg.Logger)
		if err != nil {
			cfg.Logger.Warn("no Unifont: non-ASCII merchant names show as boxes (apt-get install unifont)", "err", err)
			return BuiltinFont(), nil
		}
		return f, nil
	}
	f, err := OpenHexFont(cfg.Font, cfg.Logger)
	if err != nil {
		return nil, err
	}
	if !pixels {
		f.hex.close()
		return BuiltinFont(), nil
	}
	return f, nil
}

func or(s, otherwise string) string {
	if s != "" {
		return s
	}
	return otherwise
}

func orInt(v, otherwise int) int {
	if v != 0 {
		return v
	}
	return otherwise
}

// checkNode opens a device node once to turn "it does not work" into an
// error naming the node and its group, before periph reports it vaguely.
func checkNode(path, group string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return deviceError(path, err, group)
	}
	return f.Close()
}

func initHost() error {
	if err := board.Init(); err != nil {
		return fmt.Errorf("display: %w", err)
	}
	return nil
}

func openOLED(ctx context.Context, cfg Config, opts Options) (Display, error) {
	bus := orInt(cfg.I2CBus, 1)
	if err := checkNode(fmt.Sprintf("/dev/i2c-%d", bus), "i2c"); err != nil {
		return nil, err
	}
	if err := initHost(); err != nil {
		return nil, err
	}
	b, err := i2creg.Open(strconv.Itoa(bus))
	if err != nil {
		return nil, fmt.Errorf("%w: i2c bus %d: %v", ErrNoDevice, bus, err)
	}
	ctrl := SSD1306
	if cfg.Driver == "sh1106" {
		ctrl = SH1106
	}
	o, err := NewOLED(ctx, OLEDConfig{Controller: ctrl, Bus: b, Addr: cfg.I2CAddr, Now: cfg.Now, Options: opts})
	if err != nil {
		b.Close()
		return nil, err
	}
	return &closingDisplay{Display: o, closer: b}, nil
}

func openTFT(ctx context.Context, cfg Config, opts Options) (Display, error) {
	node := fmt.Sprintf("/dev/spidev%d.%d", cfg.SPIBus, cfg.SPIChip)
	if err := checkNode(node, "spi"); err != nil {
		return nil, err
	}
	if cfg.DC == "" {
		return nil, fmt.Errorf("%w: %s needs a DC pin (dc: GPIO25)", ErrBadConfig, cfg.Driver)
	}
	if err := checkNode("/dev/gpiochip0", "gpio"); err != nil {
		return nil, err
	}
	if err := initHost(); err != nil {
		return nil, err
	}
	pin := func(name string) (gpio.PinOut, error) {
		if name == "" {
			return nil, nil
		}
		p := gpioreg.ByName(name)
		if p == nil {
			return nil, fmt.Errorf("%w: GPIO pin %q not found (is this a Raspberry Pi? see gpioinfo)", ErrNoDevice, name)
		}
		return p, nil
	}
	dc, err := pin(cfg.DC)
	if err != nil {
		return nil, err
	}
	rst, err := pin(cfg.Reset)
	if err != nil {
		return nil, err
	}
	bl, err := pin(cfg.Backlight)
	if err != nil {
		return nil, err
	}
	port, err := spireg.Open(node)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoDevice, node, err)
	}
	hz := cfg.SPIHz
	if hz == 0 {
		hz = 32_000_000
	}
	c, err := port.Connect(physic.Frequency(hz)*physic.Hertz, spi.Mode0, 8)
	if err != nil {
		port.Close()
		return nil, fmt.Errorf("display: %s: %w", node, err)
	}
	model, w, h := ST7789, 240, 240
	if cfg.Driver == "ili9341" {
		model, w, h = ILI9341, 320, 240
	}
	w, h = orInt(cfg.Width, w), orInt(cfg.Height, h)
	if model == ILI9341 && cfg.MADCTL == 0 && w > h {
		// The ILI9341 is portrait in RAM: landscape needs row/column
		// exchange (MV), and the usual modules are wired BGR.
		cfg.MADCTL = 0x28
	}
	t, err := NewTFT(ctx, TFTConfig{
		Model: model, Width: w, Height: h,
		ColumnOffset: cfg.ColumnOffset, RowOffset: cfg.RowOffset, MADCTL: cfg.MADCTL,
		Conn: c, DC: dc, Reset: rst, Backlight: bl, Now: cfg.Now, Options: opts,
	})
	if err != nil {
		port.Close()
		return nil, err
	}
	return &closingDisplay{Display: t, closer: port}, nil
}

// closingDisplay also closes the bus the display was opened on.
type closingDisplay struct {
	Display
	closer io.Closer
}

func (d *closingDisplay) Close() error {
	return errors.Join(d.Display.Close(), d.closer.Close())
}
