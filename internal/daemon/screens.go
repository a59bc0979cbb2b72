package daemon

import (
	"context"
	"log/slog"
	"net/http"
	"unicode/utf8"

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

// cashierScreen turns the till's own view (what the demo's cashier page
// shows) into a screen for a display facing the cashier: the amount typed
// or charged, the state, and one line for the first alert, else the
// notice, else the hint. It never carries the QR: the code is the
// customer's to scan.
func cashierScreen(v terminal.Screen) display.Screen {
	c := v.Customer
	s := display.Screen{Amount: c.Amount}
	line := v.Hint
	if v.Notice != "" {
		line = v.Notice
	}
	if len(v.Alerts) > 0 {
		line = v.Alerts[0]
	}
	switch v.Phase {
	case terminal.Ready, terminal.Confirming:
		s.Kind, s.Merchant = display.AmountEntry, line
	case terminal.Paid:
		s.Kind, s.Merchant = display.Paid, line
	case terminal.Declined:
		// Why, in words (the view's first line), unless the cashier was
		// just told something newer.
		s.Kind, s.Reason = display.Declined, v.Notice
		if s.Reason == "" && len(v.Lines) > 0 {
			s.Reason = v.Lines[0]
		}
		if s.Reason == "" {
			s.Reason = v.Title
		}
	case terminal.Voided:
		s.Kind, s.Reason = display.Cancelled, v.Title
	case terminal.Starting, terminal.Waiting, terminal.ShowingQR, terminal.Cancelling, terminal.Attention:
		s.Kind, s.Merchant, s.Reason = display.Processing, line, v.Title
	default: // the manager's screens
		s.Kind, s.Amount, s.Merchant = display.Idle, display.Screen{}.Amount, v.Title
	}
	if err := s.Amount.Validate(); err != nil && s.Kind != display.AmountEntry {
		s.Amount = display.Screen{}.Amount // a phase without a payment amount
	}
	if (s.Kind == display.Paid || s.Kind == display.Declined) && s.Amount == (display.Screen{}).Amount {
		s.Kind = display.Processing
	}
	s.Merchant, s.Reason = clip(s.Merchant), clip(s.Reason)
	return s
}

// clip keeps a line within what a display.Screen accepts, on a rune boundary.
func clip(text string) string {
	const most = 256
	if len(text) <= most {
		return text
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}

// screens is the flow's Display: the customer part of every screen goes
// to the customer display; the whole screen is kept for the API and the
// demo's cashier page.
type screens struct {
	customer interface {
		Show(context.Context, display.Screen) error
	} // nil: no customer display
	cashier interface {
		Show(context.Context, display.Screen) error
	} // nil: no cashier display
	lastCashier display.Screen
	merchant    string
	entry       string // the Entry Code URL for the idle screen, or ""
	t           *till
	last        display.Screen
	shown       func(display.Screen) // called after each frame (benchmarks, tests); may be nil
}

func (s *screens) Show(ctx context.Context, sc terminal.Screen) error {
	s.t.showing(sc)
	if s.cashier != nil {
		// A FailSafe: device trouble is in its Health; nothing the
		// cashier's display says stops the flow.
		if cs := cashierScreen(sc); cs != s.lastCashier {
			if err := s.cashier.Show(ctx, cs); err != nil {
				s.t.log.Warn("cashier display", "err", err)
			} else {
				s.lastCashier = cs
			}
		}
	}
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

// openDisplay opens a display (the customer's or the cashier's); for a
// kiosk it also returns the page's handler.
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
