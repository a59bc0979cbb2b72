package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"go.bug.st/serial"

	"github.com/posd/posd/printer"
	"github.com/posd/posd/queue"
)

// startPrinter starts the receipt printer and returns a function that
// says how it is.
func startPrinter(ctx context.Context, wg *sync.WaitGroup, c PrinterConfig, store *queue.Store, t *till, log *slog.Logger) (func() string, error) {
	paper, err := printer.PaperByName(c.Paper)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	log = log.With("component", "printer")
	switch c.Kind {
	case "none":
		t.printer = noPrinter{}
		return func() string { return "none" }, nil
	case "virtual":
		v := &pngPrinter{store: store, dir: c.Dir, paper: paper, now: time.Now, log: log, wake: make(chan struct{}, 1),
			printed: func(id string, err error) { t.printed(ctx, id, err) }}
		t.printer = v
		wg.Go(func() { _ = v.Run(ctx) })
		return func() string { return "ok" }, nil
	}
	cp, err := printer.CodePageByName(c.CodePage)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
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
	sp := printer.NewSpooler(js, p, 0, log)
	var mu sync.Mutex
	state := "unknown"
	sp.Observe = func(ev printer.SpoolEvent) {
		mu.Lock()
		state = "ok"
		if ev.Err != nil {
			state = ev.Err.Error()
		}
		mu.Unlock()
		t.printed(ctx, js.paymentOf(ev.JobID), ev.Err)
	}
	t.printer = sp
	wg.Go(func() {
		_ = sp.Run(ctx)
		_ = p.Close()
	})
	return func() string { mu.Lock(); defer mu.Unlock(); return state }, nil
}

type noPrinter struct{}

func (noPrinter) Wake() {}

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
func serialConfig(c PrinterConfig) printer.SerialConfig {
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
