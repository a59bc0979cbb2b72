package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"

	"go.bug.st/serial"

	"github.com/posd/posd/display"
	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/printer/virtual"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/terminal"
)

// receiptPrinter prints the outbox's receipts; Wake says there is a new job.
type receiptPrinter interface {
	Wake()
	// Run prints until ctx ends.
	Run(ctx context.Context) error
	// State says how the printer is, in words ("ok", "none", the error).
	State() string
	// Slip prints a slip that is not a receipt (the end-of-day report, a
	// test slip), laid out for the printer's paper, and returns once the
	// printer confirmed it.
	Slip(ctx context.Context, name string, layout func(printer.Paper) []printer.Block) error
}

// ErrNoPrinter is returned for a slip asked of a till without a printer.
var ErrNoPrinter = errors.New(`no receipt printer: [printer] kind = "none"`)

// newPrinter builds the printer c names: one print loop (printer.Spooler
// over the outbox's jobs) for every kind, the virtual one included. It
// tells the cashier flow (events) how each slip went.
func newPrinter(c config.Printer, eng *queue.Engine, events chan<- terminal.Input, m *metrics, log *slog.Logger) (receiptPrinter, error) {
	if c.Kind == "none" {
		return noPrinter{}, nil
	}
	dev, err := newDevice(c, log)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
	}
	sp := newSpooled(dev, eng, events, m, log)
	sp.sp.MerchantCopy = c.MerchantCopy
	return sp, nil
}

// printerGlyphs is GNU Unifont for the virtual printer's Chinese text, the
// file the displays read; without it the slip shows boxes, as before.
func printerGlyphs(log *slog.Logger) virtual.Glyphs {
	f, err := display.OpenHexFont(display.DefaultHexFontPath, log)
	if err != nil {
		log.Warn("virtual printer: no Unifont: Chinese text prints as boxes", "err", err)
		return nil
	}
	return f
}

// newDevice opens nothing yet: the link is dialled at the first slip.
func newDevice(c config.Printer, log *slog.Logger) (printer.Device, error) {
	paper, err := printer.PaperByName(c.Paper)
	if err != nil {
		return nil, err
	}
	if c.Kind == "virtual" {
		return printer.NewPNGDevice(c.Dir, paper, printerGlyphs(log)), nil
	}
	cp, err := printer.CodePageByName(c.CodePage)
	if err != nil {
		return nil, err
	}
	var dial printer.Dialer
	switch c.Kind {
	case "serial":
		dial = printer.SerialDialer(serialConfig(c))
	case "usb":
		dial = printer.USBDialer(c.Device)
	case "tcp":
		dial = printer.TCPDialer(c.Address)
	default:
		return nil, fmt.Errorf("[printer] kind %q", c.Kind)
	}
	model := printer.Model{Paper: paper, CodePage: cp, Chinese: c.Chinese, NativeQR: c.NativeQR}
	if c.Status == "none" {
		log.Warn(`[printer] status = "none": posd cannot tell paper out, cover open or a jam; a slip counts as printed once sent`)
	}
	return printer.New(printer.Config{Model: model, Dial: dial, NoStatus: c.Status == "none", Logger: log.With("component", "printer")}), nil
}

// spooled is a printer behind printer.Spooler.
type spooled struct {
	dev     printer.Device
	sp      *printer.Spooler
	events  chan<- terminal.Input
	metrics *metrics

	mu    sync.Mutex
	state string
}

func newSpooled(dev printer.Device, eng *queue.Engine, events chan<- terminal.Input, m *metrics, log *slog.Logger) *spooled {
	return &spooled{dev: dev, sp: printer.NewSpooler(outboxJobs{eng}, dev, 0, log.With("component", "printer")),
		events: events, metrics: m, state: "unknown"}
}

func (s *spooled) Wake() { s.sp.Wake() }

func (s *spooled) Run(ctx context.Context) error {
	s.sp.Observe = func(ev printer.SpoolEvent) {
		s.metrics.setPaper(paperState(ev.Status, ev.Err))
		s.mu.Lock()
		s.state = "ok"
		if ev.Err != nil {
			s.state = ev.Err.Error()
		}
		s.mu.Unlock()
		tellPrinted(ctx, s.events, s.metrics, ev.PaymentRequestID, ev.Err)
	}
	err := s.sp.Run(ctx)
	if c, ok := s.dev.(io.Closer); ok {
		_ = c.Close()
	}
	return err
}

func (s *spooled) Slip(ctx context.Context, name string, layout func(printer.Paper) []printer.Block) error {
	_, err := s.sp.PrintBlocks(ctx, name, layout(s.dev.Model().Paper))
	return err
}

func (s *spooled) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// paperState is the paper as the printer last reported it: a status read
// (with or without a print) tells; no reply leaves it unknown.
func paperState(st printer.Status, err error) string {
	switch {
	case st.PaperEnd:
		return "out"
	case st.PaperNearEnd:
		return "near_end"
	case errors.Is(err, printer.ErrNoReply):
		return "unknown"
	}
	return "ok"
}

type noPrinter struct{}

func (noPrinter) Wake()                     {}
func (noPrinter) Run(context.Context) error { return nil }
func (noPrinter) State() string             { return "none" }
func (noPrinter) Slip(context.Context, string, func(printer.Paper) []printer.Block) error {
	return fmt.Errorf("%w: %w", ErrConflict, ErrNoPrinter)
}

// outboxJobs lets printer.Spooler print the outbox's jobs. The attempted
// mark is committed to the outbox before the first byte goes to the
// printer, so a slip cut short by a crash or power loss prints again only
// as COPY.
type outboxJobs struct{ eng *queue.Engine }

func (o outboxJobs) Pending(context.Context) ([]printer.Job, error) {
	jobs, err := o.eng.Unprinted()
	if err != nil {
		return nil, err
	}
	out := make([]printer.Job, 0, len(jobs))
	for _, j := range jobs {
		r, err := jobReceipt(j)
		if err != nil {
			return nil, err
		}
		if j.Copy && r.Kind == printer.KindSale {
			// A copy printed after refunds lists them and what remains.
			p, err := o.eng.Get(j.RequestID)
			if err != nil {
				return nil, err
			}
			r.Refunds = refundLines(p)
		}
		out = append(out, printer.Job{ID: strconv.FormatUint(j.ID, 10), PaymentRequestID: j.RequestID, Receipt: r,
			Copy: j.Copy, Attempted: j.Attempted})
	}
	return out, nil
}

func (o outboxJobs) MarkAttempted(_ context.Context, id string) error {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return err
	}
	return o.eng.MarkAttempted(n)
}

func (o outboxJobs) MarkPrinted(_ context.Context, id string) error {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return err
	}
	return o.eng.MarkPrinted(n)
}

// serialConfig maps [printer] onto the serial link.
func serialConfig(c config.Printer) printer.SerialConfig {
	sc := printer.SerialConfig{Path: c.Device, Baud: c.Baud, DataBits: c.DataBits, Parity: serial.NoParity, StopBits: serial.OneStopBit}
	switch c.Parity {
	case "even":
		sc.Parity = serial.EvenParity
	case "odd":
		sc.Parity = serial.OddParity
	}
	if c.StopBits == 2 {
		sc.StopBits = serial.TwoStopBits
	}
	switch c.Flow {
	case "cts":
		sc.Flow = printer.FlowCTS
	case "dsr":
		sc.Flow = printer.FlowDSR
	}
	return sc
}
