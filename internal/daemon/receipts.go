package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/posd/posd/internal/config"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/queue"
)

// receiptFunc builds each print job's payload as a printer.Receipt, so a
// reprint shows exactly what the first print showed.
func receiptFunc(m config.Merchant) queue.ReceiptFunc {
	return func(p *queue.Payment, kind queue.ReceiptKind, refundID string) (json.RawMessage, error) {
		r := printer.Receipt{
			MerchantName: m.Name, StoreName: m.Store, TerminalID: m.TerminalID, Footer: m.Footer,
			Time: p.UpdatedAt, Amount: p.Amount, PaymentID: p.PaymentID, PaymentRequestID: p.RequestID,
		}
		switch kind {
		case queue.SaleReceipt:
			r.Kind, r.Result = printer.KindSale, printer.ResultPaid
		case queue.VoidReceipt:
			r.Kind, r.Result = printer.KindVoid, printer.ResultCancelled
		case queue.RefundReceipt:
			r.Kind, r.Result = printer.KindRefund, printer.ResultRefunded
			for _, rf := range p.Refunds {
				if rf.RequestID == refundID {
					r.Amount, r.RefundID, r.RefundRequestID, r.Time = rf.Amount, rf.RefundID, rf.RequestID, rf.UpdatedAt
				}
			}
		default:
			return nil, fmt.Errorf("unknown receipt kind %q", kind)
		}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		return json.Marshal(r)
	}
}

// jobReceipt decodes a print job's payload.
func jobReceipt(j queue.PrintJob) (printer.Receipt, error) {
	var r printer.Receipt
	if err := json.Unmarshal(j.Payload, &r); err != nil {
		return r, fmt.Errorf("print job %d: %w", j.ID, err)
	}
	return r, nil
}

// receiptFile names the PNG of a job: the paymentRequestId, with the
// refund id or "copy-N" for the other slips of the same payment.
func receiptFile(j queue.PrintJob, r printer.Receipt) string {
	name := r.PaymentRequestID
	switch {
	case j.Copy:
		name += "-copy-" + strconv.FormatUint(j.ID, 10)
	case r.Kind == printer.KindRefund:
		name += "-refund-" + r.RefundRequestID
	case r.Kind == printer.KindVoid:
		name += "-void"
	}
	return filepath.Base(name) + ".png"
}

// writeAtomic writes data under a temporary name and renames it, so a
// reader never sees half a file.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// pngPrinter is the virtual printer of -demo and [printer] kind "virtual":
// every job becomes DIR/<paymentRequestId>.png (and .txt, its text), rendered by the same
// layout, ESC/POS encoder and printer emulation as a preview.
type pngPrinter struct {
	store *queue.Store
	dir   string
	paper printer.Paper
	now   func() time.Time
	log   *slog.Logger
	wake  chan struct{}
	// printed is told about every slip, for the cashier's screen.
	printed func(ctx context.Context, paymentRequestID string, err error)
}

func (v *pngPrinter) State() string { return "ok" }

func (v *pngPrinter) Wake() {
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

// printPending renders every unprinted job; each is marked printed only
// after its file is completely written (written to a temporary name,
// then renamed).
func (v *pngPrinter) printPending(ctx context.Context) error {
	jobs, err := v.store.Unprinted()
	if err != nil {
		return err
	}
	for _, j := range jobs {
		r, err := jobReceipt(j)
		if err != nil {
			return err
		}
		png, transcript, err := printer.Preview(r, v.paper, printer.LayoutOptions{Copy: j.Copy})
		if err != nil {
			v.log.Error("receipt cannot be printed", "job", j.ID, "paymentRequestId", r.PaymentRequestID, "err", err)
			v.printed(ctx, r.PaymentRequestID, err)
			continue
		}
		path := filepath.Join(v.dir, receiptFile(j, r))
		// The transcript first: once the PNG is there, both are.
		if err := writeAtomic(strings.TrimSuffix(path, ".png")+".txt", []byte(transcript)); err != nil {
			return err
		}
		if err := writeAtomic(path, png); err != nil {
			return err
		}
		if err := v.store.MarkPrinted(j.ID, v.now()); err != nil {
			return err
		}
		v.log.Info("receipt printed", "paymentRequestId", r.PaymentRequestID, "file", path)
		v.printed(ctx, r.PaymentRequestID, nil)
	}
	return nil
}

func (v *pngPrinter) Run(ctx context.Context) error {
	if err := os.MkdirAll(v.dir, 0o755); err != nil {
		return fmt.Errorf("virtual printer: %w", err)
	}
	for {
		if err := v.printPending(ctx); err != nil {
			v.log.Warn("virtual printer", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-v.wake:
		case <-time.After(5 * time.Second):
		}
	}
}
