package queue

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// The engine is the outbox's only door, as sql.DB is a driver's: callers
// read payments and print jobs and record printing through it, never
// through the Store, so what memory holds and what the disk holds are
// never told apart by a caller.

// ErrNoReceipt is returned by Reprint for a payment without a slip.
var ErrNoReceipt = errors.New("queue: no receipt (only paid, voided or refunded payments have one)")

// List returns every payment created at or after since, newest first:
// the stored ones, with the newer state of those the engine holds in
// memory because the disk refused them. An error reading the disk comes
// with what memory holds.
func (e *Engine) List(since time.Time) ([]Payment, error) {
	var out []Payment
	err := e.store.ForEach(func(p Payment) error {
		if !p.CreatedAt.Before(since) {
			out = append(out, p)
		}
		return nil
	})
	for _, live := range e.Pending() {
		i := slices.IndexFunc(out, func(p Payment) bool { return p.RequestID == live.RequestID })
		if i >= 0 {
			out[i] = live
		} else if !live.CreatedAt.Before(since) {
			out = append(out, live)
		}
	}
	slices.SortFunc(out, func(a, b Payment) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, err
}

// Jobs returns every print job of a payment, oldest first.
func (e *Engine) Jobs(requestID string) ([]PrintJob, error) { return e.store.Jobs(requestID) }

// Unprinted returns the print jobs not yet confirmed printed, oldest first.
func (e *Engine) Unprinted() ([]PrintJob, error) { return e.store.Unprinted() }

// MarkAttempted commits, before the first byte of job goes to the printer,
// that it may be on paper from now on: after a crash it prints again only
// as a COPY.
func (e *Engine) MarkAttempted(job uint64) error { return e.store.markAttempted(job) }

// MarkPrinted commits that the printer confirmed job complete. Marking a
// job twice is harmless.
func (e *Engine) MarkPrinted(job uint64) error { return e.store.markPrinted(job, e.clock.Now()) }

// Reprint queues a COPY of a payment's sale (or void) slip and tells
// subscribers (ChangeReceiptReady). It fails with ErrNoReceipt for a
// payment that has none: only paid, voided or refunded payments do.
func (e *Engine) Reprint(requestID string) (PrintJob, error) {
	jobs, err := e.store.Jobs(requestID)
	if err != nil {
		return PrintJob{}, err
	}
	for _, j := range jobs {
		if j.Copy {
			continue
		}
		now := e.clock.Now()
		c, err := e.store.reprint(j.ID, now)
		if err != nil {
			return PrintJob{}, err
		}
		e.mu.Lock()
		e.publish(Change{Kind: ChangeReceiptReady, RequestID: c.RequestID, RefundID: c.RefundID, PrintJob: c.ID, At: now})
		e.mu.Unlock()
		return c, nil
	}
	return PrintJob{}, fmt.Errorf("%w: %s", ErrNoReceipt, requestID)
}

// Export writes the payments and refunds created in [from, to) as CSV
// (the reconciliation file).
func (e *Engine) Export(w io.Writer, from, to time.Time) error {
	return exportCSV(w, e.store, from, to)
}

// ExportRows returns the rows Export writes, for JSON.
func (e *Engine) ExportRows(from, to time.Time) ([]ExportRow, error) {
	return exportRows(e.store, from, to)
}

// Close closes the outbox file. Call it after Wait, once; the engine must
// not be used afterwards.
func (e *Engine) Close() error { return e.store.Close() }

// CheckFile reports whether the outbox file at path opens: read-only,
// waiting at most lockTimeout for a writer's lock. A file a running posd
// holds answers ErrLocked (that posd checked it when it opened it).
func CheckFile(path string, lockTimeout time.Duration) error {
	s, err := Open(path, Options{ReadOnly: true, LockTimeout: lockTimeout})
	if err != nil {
		return err
	}
	return s.Close()
}

// CloseDay returns the Z number of a local day ("2026-11-23") that has
// ended. The first day closed gets 1; each day closed after the last one
// closed gets the next number, committed before it is returned, and keeps
// it: asking again gives the same number. A day before the last one
// closed that was never closed itself gets 0 (numbers never go back).
func (e *Engine) CloseDay(day string) (uint64, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return 0, fmt.Errorf("%w: day %q: %w", ErrInvalid, day, err)
	}
	e.mu.Lock() // one number per day even when two reports ask at once
	defer e.mu.Unlock()
	return e.store.closeDay(day)
}
