package daemon

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/posd/posd/internal/posapi"
	"github.com/posd/posd/internal/report"
	"github.com/posd/posd/money"
	"github.com/posd/posd/printer"
	"github.com/posd/posd/queue"
	"github.com/posd/posd/terminal"
	"github.com/posd/posd/terminal/keypad"
)

// daemonBackend answers the local API from the till and the outbox.
type daemonBackend struct {
	t       *till
	script  *keypad.Script
	version string
	printer func() string // the printer's state in words
	stream  *stream       // nil: events off
}

var _ backend = (*daemonBackend)(nil)

func paymentView(p queue.Payment, receipts int) posapi.Payment {
	v := posapi.Payment{
		PaymentRequestID: p.RequestID, SaleID: p.SaleID, Scenario: string(p.Scenario), State: string(p.State),
		Final: p.State.IsFinal(), Amount: p.Amount, PaymentID: p.PaymentID, ResultCode: p.ResultCode, QR: p.QR,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, ExpiresAt: p.ExpiresAt, Attention: p.Attention, Receipts: receipts,
	}
	for _, r := range p.Refunds {
		v.Refunds = append(v.Refunds, posapi.Refund{RefundRequestID: r.RequestID, Amount: r.Amount, State: string(r.State),
			RefundID: r.RefundID, ResultCode: r.ResultCode, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
	}
	return v
}

func (b *daemonBackend) Status(context.Context) posapi.Status {
	s, view := b.t.snapshot()
	st := posapi.Status{
		Version: b.version, Accepting: !b.t.closing.Load() && b.t.eng.WriteError() == nil && b.t.eng.Stopped() == nil,
		Till: s.Phase.String(), Screen: view.Title, Amount: view.Amount, Notice: view.Notice,
		Current: s.Payment.ID, Alerts: view.Alerts, OutboxDepth: len(b.t.eng.Pending()),
		Network: "unknown", Printer: b.printer(),
	}
	if c := b.t.metrics.stopped.Load(); c != nil {
		st.Stopped = stoppedWords(*c)
	}
	st.Events = b.stream.status()
	if view.Customer.Kind == terminal.CustomerQR {
		st.QR = view.Customer.CodeValue
	}
	switch {
	case s.Trouble[terminal.Network] != "":
		st.Network = "trouble: " + s.Trouble[terminal.Network]
	case b.t.net.ok.Load():
		st.Network = "ok"
	}
	return st
}

func (b *daemonBackend) List(_ context.Context, since time.Time) ([]posapi.Payment, error) {
	ps, err := b.t.eng.List(since)
	out := make([]posapi.Payment, 0, len(ps))
	for _, p := range ps {
		out = append(out, paymentView(p, -1))
	}
	return out, err
}

func (b *daemonBackend) Show(_ context.Context, id string) (posapi.Payment, error) {
	p, err := b.t.eng.Get(id)
	if err != nil {
		return posapi.Payment{}, apiErr(err)
	}
	jobs, err := b.t.eng.Jobs(id)
	return paymentView(p, len(jobs)), err
}

func (b *daemonBackend) Keys(ctx context.Context, text string) error {
	if b.t.closing.Load() {
		return ErrClosing
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := b.script.Send(ctx, text); err != nil {
		if errors.Is(err, keypad.ErrScript) {
			return fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
		return err
	}
	return nil
}

// startWait bounds how long KeysStart waits for the payment its keys may
// start: the flow starts one within milliseconds of Enter.
const startWait = 5 * time.Second

// KeysStart types the keys and, if they hold Enter or a scan, waits for
// the payment they start.
func (b *daemonBackend) KeysStart(ctx context.Context, text string) (string, error) {
	keys, err := keypad.ParseScript(text)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	started, stop := b.t.watchStart()
	defer stop()
	if err := b.Keys(ctx, text); err != nil {
		return "", err
	}
	if !slices.ContainsFunc(keys, func(k keypad.Key) bool { return k.Kind == keypad.Enter || k.Kind == keypad.Scan }) {
		return "", nil
	}
	select {
	case id := <-started:
		return id, nil
	case <-time.After(startWait):
		return "", nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Cancel closes an unpaid payment, or reverses a paid one in full (cancel
// of a paid payment refunds it: https://docs.antom.com/ac/ams/paymentc).
func (b *daemonBackend) Cancel(ctx context.Context, id string) (posapi.Payment, error) {
	p, err := b.t.eng.Get(id)
	if err != nil {
		return posapi.Payment{}, apiErr(err)
	}
	if p.State.Paid() {
		err = b.t.eng.Void(id)
	} else {
		err = b.t.eng.Abort(id)
	}
	if err != nil {
		return posapi.Payment{}, apiErr(err)
	}
	return b.Show(ctx, id)
}

func (b *daemonBackend) Refund(ctx context.Context, id, amount string) (posapi.Payment, error) {
	p, err := b.t.eng.Get(id)
	if err != nil {
		return posapi.Payment{}, apiErr(err)
	}
	a, err := money.Parse(p.Amount.Currency, amount)
	if err != nil {
		return posapi.Payment{}, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	if _, err := b.t.eng.Refund(id, a, "refund by posctl"); err != nil {
		return posapi.Payment{}, apiErr(err)
	}
	return b.Show(ctx, id)
}

func (b *daemonBackend) Reprint(_ context.Context, id string) (posapi.Reprint, error) {
	if _, err := b.t.eng.Get(id); err != nil {
		return posapi.Reprint{}, apiErr(err)
	}
	j, err := b.t.eng.Reprint(id)
	if err != nil {
		return posapi.Reprint{}, apiErr(err)
	}
	return posapi.Reprint{PaymentRequestID: id, Job: fmt.Sprint(j.ID)}, nil
}

func (b *daemonBackend) Export(_ context.Context, w io.Writer, from, to time.Time, format string) error {
	if format != "json" {
		return b.t.eng.Export(w, from, to)
	}
	rows, err := b.t.eng.ExportRows(from, to)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []queue.ExportRow{}
	}
	return json.NewEncoder(w).Encode(rows)
}

// Receipt returns the payment's first slip as stored for the printer.
func (b *daemonBackend) Receipt(_ context.Context, id string) (json.RawMessage, error) {
	if _, err := b.t.eng.Get(id); err != nil {
		return nil, apiErr(err)
	}
	jobs, err := b.t.eng.Jobs(id)
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("%w: %s has no receipt (only paid, voided or refunded payments do)", ErrConflict, id)
	}
	return jobs[0].Payload, nil
}

func (b *daemonBackend) EntryCode(context.Context) (posapi.EntryCode, error) {
	cfg := b.t.cfg
	if _, ok := cfg.EntryURL(); !ok {
		return posapi.EntryCode{}, fmt.Errorf("%w: Entry Code is off ([entry_code] enabled = false)", ErrNotFound)
	}
	return posapi.EntryCode{URL: cfg.EntryCode.URL, MerchantName: cfg.Merchant.Name, StoreName: cfg.Merchant.Store}, nil
}

// Report sums the export rows of a day (local midnight to midnight) or of
// [from, to). A day that has ended is closed: it gets its Z number.
func (b *daemonBackend) Report(ctx context.Context, req posapi.ReportRequest) (posapi.Report, error) {
	return b.t.report(ctx, req)
}

// report is posctl report and the manager menu's day report.
func (t *till) report(ctx context.Context, req posapi.ReportRequest) (posapi.Report, error) {
	from, to, err := reportWindow(req)
	if err != nil {
		return posapi.Report{}, err
	}
	rows, err := t.eng.ExportRows(from, to)
	if err != nil {
		return posapi.Report{}, err
	}
	var z uint64
	if req.Day != "" && !t.now().Before(to) {
		if z, err = t.eng.CloseDay(req.Day); err != nil {
			return posapi.Report{}, apiErr(err)
		}
	}
	rep, err := report.Build(req.Day, from, to, rows, z)
	if err != nil {
		return posapi.Report{}, err
	}
	if req.Print {
		name := "report-" + cmp.Or(req.Day, from.UTC().Format("20060102T150405Z"))
		err = t.printer.Slip(ctx, name, func(p printer.Paper) []printer.Block { return report.Slip(rep, p.Columns, t.cfg.Merchant.Lang()) })
	}
	return rep, err
}

// reportWindow reads a report request's day, or its from and to.
func reportWindow(req posapi.ReportRequest) (from, to time.Time, err error) {
	switch {
	case req.Day != "" && (req.From != "" || req.To != ""):
		return from, to, fmt.Errorf("%w: a day or from and to, not both", ErrBadRequest)
	case req.Day != "":
		d, err := time.ParseInLocation(time.DateOnly, req.Day, time.Local)
		if err != nil {
			return from, to, fmt.Errorf("%w: day %q is not YYYY-MM-DD", ErrBadRequest, req.Day)
		}
		return d, d.AddDate(0, 0, 1), nil
	}
	if from, err = parseWhen(req.From, false); err != nil {
		return from, to, err
	}
	if to, err = parseWhen(req.To, true); err != nil {
		return from, to, err
	}
	if !to.After(from) {
		return from, to, fmt.Errorf("%w: to %s is not after from %s", ErrBadRequest, req.To, req.From)
	}
	return from, to, nil
}

// PrintEntryCode prints the Entry Code sticker (what GET /v1/entry-code
// describes) on the receipt printer, sized for its paper.
func (b *daemonBackend) PrintEntryCode(ctx context.Context) error {
	ec, err := b.EntryCode(ctx)
	if err != nil {
		return err
	}
	st := printer.Sticker{MerchantName: ec.MerchantName, StoreName: ec.StoreName, URL: ec.URL}
	// The URL was checked at start; a sticker that cannot be laid out is
	// refused before anything reaches the printer.
	if p, err := printer.PaperByName("58"); err == nil {
		if _, err := printer.LayoutSticker(st, p); err != nil {
			return fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
	}
	var layoutErr error
	err = b.t.printer.Slip(ctx, "entry-code", func(p printer.Paper) []printer.Block {
		blocks, err := printer.LayoutSticker(st, p)
		layoutErr = err
		return blocks
	})
	if layoutErr != nil {
		return fmt.Errorf("%w: %w", ErrBadRequest, layoutErr)
	}
	return err
}

// TestPrint prints a test slip on whatever printer is configured.
func (b *daemonBackend) TestPrint(ctx context.Context) error {
	return b.t.printer.Slip(ctx, "test-print", func(p printer.Paper) []printer.Block {
		return printer.TestSlip(p, b.version, time.Now())
	})
}
