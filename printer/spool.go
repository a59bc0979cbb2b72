package printer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Job is one slip waiting in the outbox.
type Job struct {
	ID string `json:"id"`
	// PaymentRequestID is the payment the slip is for.
	PaymentRequestID string  `json:"paymentRequestId"`
	Receipt          Receipt `json:"receipt"`
	// Copy is set for a reprint the merchant asked for.
	Copy bool `json:"copy,omitempty"`
	// Attempted is set once bytes of this job may have reached the printer.
	// Such a job is printed again only as a COPY.
	Attempted bool    `json:"attempted,omitempty"`
	Options   Options `json:"options,omitempty"`
}

// Options are per-job choices stored with the job.
type Options struct {
	Symbol Symbol `json:"symbol,omitempty"`
}

// JobStore is what the spooler needs from the outbox. Implementations must
// persist each mark before returning.
type JobStore interface {
	// Pending returns jobs not yet printed, oldest first.
	Pending(ctx context.Context) ([]Job, error)
	// MarkAttempted records that the job's bytes are about to be sent.
	MarkAttempted(ctx context.Context, id string) error
	// MarkPrinted records that the printer confirmed the slip. It is
	// called only after that confirmation.
	MarkPrinted(ctx context.Context, id string) error
}

// Device is a printer the spooler drives: *Printer (ESC/POS on a serial,
// USB or TCP link) or *PNGDevice (the virtual printer).
type Device interface {
	// Print sends doc, calling beforeSend (which commits the attempt)
	// before the first byte, and returns once the device confirmed the
	// slip complete.
	Print(ctx context.Context, doc Document, beforeSend func(context.Context) error) (Status, error)
	Model() Model
}

// SpoolEvent reports what happened to one job, for logs and tests.
type SpoolEvent struct {
	JobID            string
	PaymentRequestID string
	Printed          bool
	Status           Status
	Err              error
}

// Spooler prints the outbox's jobs in order, holding them while the printer
// cannot print. A job is marked printed only after the printer confirmed it;
// a job that may have partly printed is printed again marked COPY.
type Spooler struct {
	store   JobStore
	printer Device
	retry   time.Duration
	log     *slog.Logger
	wake    chan struct{}
	// Observe, if set, is called after every attempt, on the goroutine
	// running Run or PrintPending.
	Observe func(SpoolEvent)
	// MerchantCopy prints a MERCHANT COPY slip after each first print;
	// set it before Run.
	MerchantCopy bool
}

// NewSpooler returns a spooler; retry is how long a held job waits before
// the next attempt when nothing wakes the spooler earlier.
func NewSpooler(store JobStore, p Device, retry time.Duration, log *slog.Logger) *Spooler {
	if log == nil {
		log = slog.Default()
	}
	if retry <= 0 {
		retry = 5 * time.Second
	}
	return &Spooler{store: store, printer: p, retry: retry, log: log.With("component", "spooler"), wake: make(chan struct{}, 1)}
}

// Wake makes Run look at the outbox now (a job was added, paper was loaded).
func (s *Spooler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run prints pending jobs until ctx ends.
func (s *Spooler) Run(ctx context.Context) error {
	lastHold := ""
	for {
		_, err := s.PrintPending(ctx)
		switch {
		case err != nil && ctx.Err() == nil && err.Error() != lastHold:
			s.log.Warn("print jobs held", "err", err) // once per new reason, not every retry
			lastHold = err.Error()
		case err == nil && lastHold != "":
			s.log.Info("printing resumed")
			lastHold = ""
		}
		t := time.NewTimer(s.retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-s.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// PrintPending makes one pass over the outbox. It stops at the first job
// the printer could not take, so slips come out in order, and returns how
// many were printed.
func (s *Spooler) PrintPending(ctx context.Context) (int, error) {
	jobs, err := s.store.Pending(ctx)
	if err != nil {
		return 0, fmt.Errorf("printer: reading the outbox: %w", err)
	}
	printed := 0
	for _, job := range jobs {
		err := s.printJob(ctx, job)
		if errors.Is(err, ErrInvalidReceipt) || errors.Is(err, ErrDoesNotFit) {
			continue // this slip can never print; it stays in the outbox for a person, the rest go on
		}
		if err != nil {
			return printed, err
		}
		printed++
	}
	return printed, nil
}

func (s *Spooler) printJob(ctx context.Context, job Job) error {
	asCopy := job.Copy || job.Attempted
	report := func(st Status, err error) {
		if s.Observe != nil {
			s.Observe(SpoolEvent{JobID: job.ID, PaymentRequestID: job.PaymentRequestID, Printed: err == nil, Status: st, Err: err})
		}
	}
	model := s.printer.Model()
	blocks, err := Layout(job.Receipt, model.Paper, LayoutOptions{Copy: asCopy, Symbol: job.Options.Symbol, MerchantCopy: s.MerchantCopy})
	var doc Document
	if err == nil {
		doc, err = Encode(blocks, model)
	}
	if err != nil {
		s.log.Error("slip cannot be printed", "job", job.ID, "paymentRequestId", job.PaymentRequestID, "err", err)
		report(Status{}, err)
		return err
	}
	doc.Name = slipName(job, asCopy)
	st, err := s.printer.Print(ctx, doc, func(ctx context.Context) error {
		return s.store.MarkAttempted(ctx, job.ID)
	})
	if err == nil {
		if err = s.store.MarkPrinted(ctx, job.ID); err != nil {
			err = fmt.Errorf("printer: job %s printed but not recorded (it will print again as COPY): %w", job.ID, err)
		}
	}
	report(st, err)
	if err != nil {
		return err
	}
	s.log.Info("slip printed", "job", job.ID, "paymentRequestId", job.PaymentRequestID, "copy", asCopy)
	if st.PaperNearEnd {
		s.log.Warn("paper near end")
	}
	return nil
}

// slipName names a job's slip: the paymentRequestId, with "-copy-JOB" for
// a copy, "-refund-REFUNDREQUESTID" or "-void" for the other slips of the
// same payment.
func slipName(job Job, asCopy bool) string {
	name := job.PaymentRequestID
	switch {
	case asCopy:
		name += "-copy-" + job.ID
	case job.Receipt.Kind == KindRefund:
		name += "-refund-" + job.Receipt.RefundRequestID
	case job.Receipt.Kind == KindVoid:
		name += "-void"
	}
	return name
}

// PrintBlocks prints a slip that is not an outbox job (the end-of-day
// report, a test slip) and returns once the device confirmed it. Nothing
// is recorded: a slip cut short is simply asked for again. The device
// serialises it with the outbox's jobs.
func (s *Spooler) PrintBlocks(ctx context.Context, name string, blocks []Block) (Status, error) {
	doc, err := Encode(blocks, s.printer.Model())
	if err != nil {
		return Status{}, err
	}
	doc.Name = name
	st, err := s.printer.Print(ctx, doc, func(context.Context) error { return nil })
	if err != nil {
		return st, err
	}
	s.log.Info("slip printed", "slip", name)
	return st, nil
}
