package daemon

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/posd/posd/display"
	"github.com/posd/posd/display/kiosk"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/internal/lang"
	"github.com/posd/posd/terminal"
)

// customerScreen turns the flow's customer-facing content into a display
// screen. The OLED drivers never draw a QR; the others show it whole.
// The idle screen shows entry, the static Entry Code URL, when set.
func customerScreen(c terminal.Customer, merchant, entry string) display.Screen {
	s := display.Screen{Merchant: merchant, Amount: c.Amount}
	switch c.Kind {
	case terminal.CustomerAmount, terminal.CustomerProcessing:
		s.Kind = display.AmountEntry
	case terminal.CustomerQR:
		s.Kind, s.QR, s.ExpiresAt = display.Waiting, c.CodeValue, c.Expires
	case terminal.CustomerPaid:
		s.Kind = display.Paid
	case terminal.CustomerDeclined:
		s.Kind, s.Reason = display.Declined, c.Message
	case terminal.CustomerCancelled:
		s.Kind = display.Cancelled
	default:
		s.Kind, s.Amount, s.QR = display.Idle, display.Screen{}.Amount, entry
	}
	return s
}

// screens is the flow's Display: the customer part of every screen goes
// to the customer display; the whole screen is kept for the API and the
// demo's cashier page.
type screens struct {
	customer interface {
		Show(context.Context, display.Screen) error
	} // nil: no customer display
	merchant string
	entry    string // the Entry Code URL for the idle screen, or ""
	t        *till
	last     display.Screen
	shown    func(display.Screen) // called after each frame (benchmarks, tests); may be nil
}

func (s *screens) Show(ctx context.Context, sc terminal.Screen) error {
	s.t.showing(sc)
	if s.customer == nil {
		return nil
	}
	ds := customerScreen(sc.Customer, s.merchant, s.entry)
	if ds == s.last {
		return nil
	}
	if err := s.customer.Show(ctx, ds); err != nil {
		return err
	}
	s.last = ds
	if s.shown != nil {
		s.shown(ds)
	}
	return nil
}

// openDisplay opens the customer display; for the kiosk it also returns
// the page's handler.
func openDisplay(ctx context.Context, c config.Display, langs []lang.Lang, log *slog.Logger) (display.Display, http.Handler, error) {
	if c.Kind == "none" {
		return nil, nil, nil
	}
	d, err := display.Open(ctx, display.Config{Driver: c.Kind, Device: c.Device, Width: c.Width, Height: c.Height,
		I2CBus: c.I2CBus, I2CAddr: uint16(c.I2CAddr), SPIBus: c.SPIBus, SPIChip: c.SPIChip, SPIHz: c.SPIHz,
		DC: c.DC, Reset: c.Reset, Backlight: c.Backlight, ColumnOffset: c.ColumnOffset, RowOffset: c.RowOffset,
		MADCTL: byte(c.MADCTL), Font: c.Font, Languages: langs, Logo: c.Logo, Logger: log.With("component", "display")})
	if err != nil {
		return nil, nil, err
	}
	var page http.Handler
	if k, ok := d.(*display.Kiosk); ok {
		page = kiosk.Handler(k, kiosk.Config{Logger: log.With("component", "display")})
	}
	return d, page, nil
}
