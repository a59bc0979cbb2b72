package display

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestOpenByName(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	for _, c := range []struct {
		cfg  Config
		want error // nil: opens
		says string
	}{
		{Config{Driver: "terminal", Output: &out, Font: "builtin"}, nil, ""},
		{Config{Driver: "png", Device: filepath.Join(t.TempDir(), "c.png"), Font: "builtin"}, nil, ""},
		{Config{Driver: "kiosk", Font: "builtin"}, nil, ""},
		{Config{Driver: "vga", Font: "builtin"}, ErrUnknownDriver, "vga"},
		{Config{Driver: "png", Font: "builtin"}, ErrBadConfig, "png"},
		{Config{Driver: "framebuffer", Device: "/dev/fb-missing", Font: "builtin"}, ErrNoDevice, "/dev/fb-missing"},
		{Config{Driver: "ssd1306", I2CBus: 97, Font: "builtin"}, ErrNoDevice, "/dev/i2c-97"},
		{Config{Driver: "st7789", SPIBus: 9, SPIChip: 1, DC: "GPIO25", Font: "builtin"}, ErrNoDevice, "/dev/spidev9.1"},
		{Config{Driver: "terminal", Font: "/nonexistent/font.hex"}, os.ErrNotExist, "font"},
	} {
		d, err := Open(ctx, c.cfg)
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: %v", c.cfg.Driver, err)
				continue
			}
			if err := d.Show(ctx, Screen{Kind: Idle}); err != nil {
				t.Errorf("%s: show: %v", c.cfg.Driver, err)
			}
			if _, ok := d.(*Kiosk); ok != (c.cfg.Driver == "kiosk") {
				t.Errorf("%s: *Kiosk = %v", c.cfg.Driver, ok)
			}
			d.Close()
			continue
		}
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v, want %v naming %q", c.cfg.Driver, err, c.want, c.says)
		}
	}
}

// What a driver needs is the display package's rule; posd's configuration
// asks it (internal/config).
func TestConfigProblems(t *testing.T) {
	for _, c := range []struct {
		cfg    Config
		fields []string
	}{
		{Config{Driver: "kiosk"}, nil},
		{Config{Driver: "st7789", DC: "GPIO25", Width: 240, Height: 240}, nil},
		{Config{Driver: "st7789"}, []string{"dc"}},
		{Config{Driver: "png"}, []string{"device"}},
		{Config{Driver: "vga", Width: 10}, []string{"driver", "width"}},
	} {
		var got []string
		for _, p := range c.cfg.Problems() {
			got = append(got, p.Field)
		}
		if !slices.Equal(got, c.fields) {
			t.Errorf("%+v: problems with %q, want %q", c.cfg, got, c.fields)
		}
	}
}
