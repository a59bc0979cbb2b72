package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"go.bug.st/serial"

	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/printer"
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
}

// newPrinter builds the printer c names. It tells the cashier flow
// (events) how each slip went.
func newPrinter(c config.Printer, store *queue.Store, events chan<- terminal.Input, m *metrics, log *slog.Logger) (receiptPrinter, error) {
	paper, err := printer.PaperByName(c.Paper)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
	}
	log = log.With("component", "printer")
	printed := func(ctx context.Context, id string, err error) { tellPrinted(ctx, events, m, id, err) }
	switch c.Kind {
	case "none":
		return noPrinter{}, nil
	case "virtual":
		return &pngPrinter{store: store, dir: c.Dir, paper: paper, now: time.Now, log: log, wake: make(chan struct{}, 1),
			printed: printed}, nil
	}
	cp, err := printer.CodePageByName(c.CodePage)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", config.ErrInvalid, err)
	}
	var dial printer.Dialer
	switch c.Kind {
	case "serial":
		dial = printer.SerialDialer(serialConfig(c))
	case "usb":
		dial = printer.USBDialer(c.Device)
	case "tcp":
		dial = printer.TCPDialer(c.Address)
	}
	model := printer.Model{Paper: paper, CodePage: cp, Chinese: c.Chinese, NativeQR: c.NativeQR}
	p := printer.New(printer.Config{Model: model, Dial: dial, Logger: log})
	js := &jobStore{store: store, now: time.Now}
	return &spooled{dev: p, js: js, sp: printer.NewSpooler(js, p, 0, log), printed: printed, state: "unknown"}, nil
}

// spooled is an ESC/POS printer behind printer.Spooler.
type spooled struct {
	dev     *printer.Printer
	js      *jobStore
	sp      *printer.Spooler
	printed func(ctx context.Context, id string, err error)

	mu    sync.Mutex
	state string
}

func (s *spooled) Wake() { s.sp.Wake() }

func (s *spooled) Run(ctx context.Context) error {
	s.sp.Observe = func(ev printer.SpoolEvent) {
		s.mu.Lock()
		s.state = "ok"
		if ev.Err != nil {
			s.state = ev.Err.Error()
		}
		s.mu.Unlock()
		s.printed(ctx, s.js.paymentOf(ev.JobID), ev.Err)
	}
	err := s.sp.Run(ctx)
	_ = s.dev.Close()
	return err
}

func (s *spooled) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

type noPrinter struct{}

func (noPrinter) Wake()                         {}
func (noPrinter) Run(ctx context.Context) error { return nil }
func (noPrinter) State() string                 { return "none" }

// jobStore lets printer.Spooler print the outbox's jobs. The "attempted"
// mark is committed to the outbox before the first byte goes to the printer,
// so a slip cut short by a crash or power loss prints again only as COPY.
type jobStore struct {
	store *queue.Store
	now   func() time.Time

	mu       sync.Mutex
	payments map[string]string // job id → paymentRequestId
}

func (s *jobStore) Pending(context.Context) ([]printer.Job, error) {
	jobs, err := s.store.Unprinted()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]printer.Job, 0, len(jobs))
	for _, j := range jobs {
		r, err := jobReceipt(j)
		if err != nil {
			return nil, err
		}
		id := strconv.FormatUint(j.ID, 10)
		if s.payments == nil {
			s.payments = map[string]string{}
		}
		s.payments[id] = j.RequestID
		out = append(out, printer.Job{ID: id, Receipt: r, Copy: j.Copy, Attempted: j.Attempted})
	}
	return out, nil
}

func (s *jobStore) MarkAttempted(_ context.Context, id string) error {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return err
	}
	return s.store.MarkAttempted(n)
}

func (s *jobStore) MarkPrinted(_ context.Context, id string) error {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return err
	}
	return s.store.MarkPrinted(n, s.now())
}

// paymentOf returns the paymentRequestId of a job seen by Pending.
func (s *jobStore) paymentOf(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.payments[id]
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
